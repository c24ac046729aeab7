#include "k8s/notification_queue.h"

namespace k8s {

NotificationQueue::NotificationQueue()
    : thread_([this](const std::stop_token& stop) { run(stop); }) {}

NotificationQueue::~NotificationQueue() {
  stop();
}

void NotificationQueue::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    queue_.clear();
  }
  thread_.request_stop();
  thread_.join();
  idle_cv_.notify_all();
}

void NotificationQueue::restart() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

void NotificationQueue::push(std::function<void()> notification) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(notification));
  }
  cv_.notify_one();
}

bool NotificationQueue::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

std::size_t NotificationQueue::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size() + (busy_ ? 1 : 0);
}

void NotificationQueue::run(const std::stop_token& stop) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!cv_.wait(lock, stop, [this] { return !queue_.empty(); }) || stop.stop_requested()) {
      return;
    }
    auto next = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    next();
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

}  // namespace k8s
