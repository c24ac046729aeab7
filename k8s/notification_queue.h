#pragma once
// One handler's queue of notifications, run in order on a thread of its own
// (client-go's processorListener): a slow handler delays only itself, never
// the watch that feeds it nor the other handlers. Unbounded, as client-go's
// growing ring buffer: the informer must never block or drop. Thread-safe.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace k8s {

class NotificationQueue {
 public:
  NotificationQueue();
  // Lets the running notification finish; the rest are dropped.
  ~NotificationQueue();
  NotificationQueue(const NotificationQueue&) = delete;
  NotificationQueue& operator=(const NotificationQueue&) = delete;

  // Drops what has not started, lets the running notification finish, and
  // joins the thread: nothing reaches the handler after it returns.
  void stop();
  // After stop(): a new thread runs what is pushed from now on.
  void restart();

  void push(std::function<void()> notification);
  // Waits (real time) until every pushed notification has run; false on timeout.
  bool wait_idle(std::chrono::milliseconds timeout);
  [[nodiscard]] std::size_t pending() const;

 private:
  void run(const std::stop_token& stop);

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::condition_variable idle_cv_;
  std::deque<std::function<void()>> queue_;
  bool busy_ = false;
  std::jthread thread_;  // last: started after the members it uses
};

}  // namespace k8s
