#pragma once
// Records core/v1 Events about objects, folding repeats of the same
// (object, type, reason, message) within a window into one Event whose count
// grows, as kubectl describe shows them ("x5 over 3m"). Thread-safe.
#include <chrono>
#include <list>
#include <mutex>
#include <string>
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
};

class EventRecorder {
 public:
  EventRecorder(ApiClient& client, EventRecorderConfig cfg);

  // Creates an Event, or bumps the count of the matching recent one.
  Result<void> record(const InvolvedObject& obj, EventType type, const std::string& reason,
                      const std::string& message);

 private:
  struct Folded {
    std::string event_name;
    std::string event_namespace;
    int count = 0;
    Clock::Monotonic last_seen;
    std::string first_timestamp;
  };
  Result<void> create(const std::string& key, const InvolvedObject& obj, EventType type,
                      const std::string& reason, const std::string& message);
  Result<void> bump(Folded& folded);
  void remember(const std::string& key, Folded folded);

  ApiClient& client_;
  EventRecorderConfig cfg_;
  std::mutex mu_;
  std::list<std::string> order_;  // keys, oldest first
  std::unordered_map<std::string, Folded> folded_;
};

}  // namespace k8s
