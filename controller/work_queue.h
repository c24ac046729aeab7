#pragma once
// The controller's rate-limited work queue, with client-go's semantics
// (util/workqueue queue.go, delaying_queue.go, rate_limiting_queue.go):
//  - a key queued twice is queued once (dedup);
//  - a key is never handed to two workers at once: a key added while a
//    worker processes it is queued again only when that worker calls done();
//  - add_after(key, d) queues the key once d has passed on the clock; a key
//    already waiting keeps the earlier of its two times;
//  - add_rate_limited(key) = add_after(key, limiter.when(key)); forget(key)
//    clears its failure count (controller-runtime: error → add_rate_limited,
//    requeue-after → forget + add_after, success → forget);
//  - shutdown() ignores further adds and wakes every waiting worker; get()
//    still hands out keys already queued, then returns nullopt.
// Delayed keys become ready when any call looks at the queue after their
// time, and promptly when run_timer() runs on a thread of its own.
// Thread-safe.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "controller/rate_limiters.h"
#include "k8s/clock.h"

namespace controller {

class WorkQueue {
 public:
  // `clock` must outlive the queue. Default limiter: controller-runtime's.
  explicit WorkQueue(k8s::Clock& clock, std::unique_ptr<RateLimiter> limiter = nullptr);

  void add(const std::string& key);
  void add_after(const std::string& key, std::chrono::nanoseconds delay);
  void add_rate_limited(const std::string& key);
  void forget(const std::string& key);
  [[nodiscard]] int num_requeues(const std::string& key) const;

  // Blocks until a key is ready (and marks it processing) or the queue is
  // shut down and empty (nullopt).
  std::optional<std::string> get();
  // As get() without blocking: nullopt when no key is ready now.
  std::optional<std::string> try_get();
  // The worker has finished `key`; if it was added meanwhile it is queued.
  void done(const std::string& key);

  void shutdown();
  [[nodiscard]] bool shutting_down() const;
  // Keys ready to be handed out (the work-queue depth metric).
  [[nodiscard]] std::size_t len() const;
  // Keys waiting for their time.
  [[nodiscard]] std::size_t waiting() const;

  // Moves delayed keys to the queue when their time comes, sleeping on the
  // clock in between; returns on stop or shutdown. Run on one thread.
  void run_timer(std::stop_token stop);

 private:
  using Time = k8s::Clock::Monotonic;
  void add_locked(const std::string& key);
  void promote_due_locked(Time now);
  std::optional<std::string> pop_locked();
  void wake_timer_locked();

  k8s::Clock& clock_;
  std::unique_ptr<RateLimiter> limiter_;
  mutable std::mutex mu_;
  std::condition_variable ready_cv_;  // workers in get()
  std::condition_variable timer_cv_;  // run_timer() with nothing waiting
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;       // queued or to be re-queued
  std::unordered_set<std::string> processing_;  // handed out, not done
  std::set<std::pair<Time, std::string>> waiting_;
  std::unordered_map<std::string, Time> waiting_since_;  // key → its ready time
  std::stop_source timer_wake_;                          // interrupts the timer's sleep
  bool timer_stop_ = false;
  bool shutting_down_ = false;
};

}  // namespace controller
