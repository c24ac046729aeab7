#include "controller/work_queue.h"

namespace controller {

WorkQueue::WorkQueue(k8s::Clock& clock, std::unique_ptr<RateLimiter> limiter)
    : clock_(clock),
      limiter_(limiter ? std::move(limiter) : default_controller_rate_limiter(clock)) {}

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mu_);
  add_locked(key);
}

void WorkQueue::add_locked(const std::string& key) {
  if (shutting_down_ || dirty_.contains(key)) return;
  dirty_.insert(key);
  if (processing_.contains(key)) return;  // done() queues it
  queue_.push_back(key);
  ready_cv_.notify_one();
}

void WorkQueue::add_after(const std::string& key, std::chrono::nanoseconds delay) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  if (delay <= std::chrono::nanoseconds(0)) return add_locked(key);
  const Time ready = clock_.now() + std::chrono::duration_cast<Time::duration>(delay);
  const auto it = waiting_since_.find(key);
  if (it != waiting_since_.end()) {
    if (it->second <= ready) return;  // already due earlier
    waiting_.erase({it->second, key});
    it->second = ready;
  } else {
    waiting_since_.emplace(key, ready);
  }
  const bool earliest = waiting_.empty() || ready < waiting_.begin()->first;
  waiting_.emplace(ready, key);
  if (earliest) wake_timer_locked();
}

void WorkQueue::add_rate_limited(const std::string& key) {
  std::chrono::nanoseconds delay;
  {
    std::lock_guard lock(mu_);
    delay = limiter_->when(key);
  }
  add_after(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mu_);
  limiter_->forget(key);
}

int WorkQueue::num_requeues(const std::string& key) const {
  std::lock_guard lock(mu_);
  return limiter_->num_requeues(key);
}

void WorkQueue::promote_due_locked(Time now) {
  while (!waiting_.empty() && waiting_.begin()->first <= now) {
    const std::string key = waiting_.begin()->second;
    waiting_.erase(waiting_.begin());
    waiting_since_.erase(key);
    add_locked(key);
  }
}

std::optional<std::string> WorkQueue::pop_locked() {
  if (queue_.empty()) return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  return key;
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mu_);
  promote_due_locked(clock_.now());
  ready_cv_.wait(lock, [&] { return !queue_.empty() || shutting_down_; });
  return pop_locked();
}

std::optional<std::string> WorkQueue::try_get() {
  std::lock_guard lock(mu_);
  promote_due_locked(clock_.now());
  return pop_locked();
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mu_);
  processing_.erase(key);
  if (dirty_.contains(key)) {
    queue_.push_back(key);
    ready_cv_.notify_one();
  }
}

void WorkQueue::shutdown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  ready_cv_.notify_all();
  wake_timer_locked();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

std::size_t WorkQueue::len() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::size_t WorkQueue::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

void WorkQueue::wake_timer_locked() {
  timer_wake_.request_stop();
  timer_cv_.notify_all();
}

void WorkQueue::run_timer(std::stop_token stop) {
  std::stop_callback on_stop(stop, [this] {
    std::lock_guard lock(mu_);
    timer_stop_ = true;
    wake_timer_locked();
  });
  std::unique_lock lock(mu_);
  while (!timer_stop_ && !shutting_down_) {
    const Time now = clock_.now();
    promote_due_locked(now);
    if (waiting_.empty()) {
      timer_cv_.wait(lock, [&] { return timer_stop_ || shutting_down_ || !waiting_.empty(); });
      continue;
    }
    const auto wait = waiting_.begin()->first - now;
    // A fresh source per sleep: an earlier add_after() or a stop interrupts
    // exactly this sleep (set before unlocking, so no wake-up is lost).
    timer_wake_ = std::stop_source();
    const std::stop_token wake = timer_wake_.get_token();
    lock.unlock();
    clock_.sleep_for(wait, wake);
    lock.lock();
  }
}

}  // namespace controller
