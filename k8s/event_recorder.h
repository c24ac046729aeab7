#pragma once
// Records core/v1 Events about objects, folding repeats of the same
// (object, type, reason, message) within a window into one Event whose count
// grows, as kubectl describe shows them ("x5 over 3m"). Recording is
// asynchronous, as client-go's broadcaster: record() queues the event and
// returns at once; one thread of the recorder's own sends them. When the
// queue is full, new events are dropped and counted, so a slow or absent API
// server never blocks the caller. Thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "k8s/api_client.h"

namespace k8s {

// The object an event is about (core/v1 ObjectReference).
struct InvolvedObject {
  std::string api_version;
  std::string kind;
  std::string namespace_;
  std::string name;
  std::string uid;
};

enum class EventType { Normal, Warning };

struct EventRecorderConfig {
  std::string component = "rightsizer";  // source.component / reportingComponent
  std::string instance;                  // reportingInstance, e.g. the pod name
  std::chrono::minutes fold_window{10};  // repeats older than this start a new Event
  std::size_t max_tracked = 4096;        // folding memory, oldest forgotten first
  std::size_t queue_capacity = 1000;     // events waiting to be sent; more are dropped
};

class EventRecorder {
 public:
  EventRecorder(ApiClient& client, EventRecorderConfig cfg);
  // Cancels the request in flight; events still queued are dropped.
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Queues an Event (created, or folded into the matching recent one by
  // bumping its count), stamped with the time of this call. Never waits for
  // the network; always succeeds (a full queue drops the event: dropped()).
  Result<void> record(const InvolvedObject& obj, EventType type, const std::string& reason,
                      const std::string& message);
  // Waits (real time) until every queued event was sent or failed; false on timeout.
  bool flush(std::chrono::milliseconds timeout);
  [[nodiscard]] std::uint64_t dropped() const { return dropped_.load(); }

 private:
  struct Pending {
    InvolvedObject obj;
    EventType type;
    std::string reason;
    std::string message;
    Clock::Monotonic at;
    Clock::Wall wall;
  };
  struct Folded {
    std::string event_name;
    std::string event_namespace;
    int count = 0;
    Clock::Monotonic last_seen;
    std::string first_timestamp;
  };
  void run(const std::stop_token& stop);
  Result<void> deliver(const Pending& ev, const CallContext& ctx);
  Result<void> create(const std::string& key, const Pending& ev, const CallContext& ctx);
  Result<void> bump(Folded& folded, const Pending& ev, const CallContext& ctx);
  void remember(const std::string& key, Folded folded);

  ApiClient& client_;
  EventRecorderConfig cfg_;
  // Folding state: touched only by the sending thread.
  std::list<std::string> order_;  // keys, oldest first
  std::unordered_map<std::string, Folded> folded_;

  std::mutex mu_;
  std::condition_variable_any cv_;
  std::condition_variable idle_cv_;
  std::deque<Pending> queue_;
  bool busy_ = false;
  std::atomic<std::uint64_t> dropped_{0};
  std::jthread thread_;  // last: started after everything it uses
};

}  // namespace k8s
