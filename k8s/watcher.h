#pragma once
// The watcher: list then watch, as an explicit state machine stepped by one
// function (Empty → InitListing → InitListed → Watching). Lists are paged;
// watches resume from the last resourceVersion seen; a 410 (HTTP or an
// in-stream ERROR) or a 504 "ResourceVersionTooLarge" (a version from the
// future, as after an etcd restore) goes back to Empty — a relist from "" —
// and never retries that version. A watch that ends cleanly within a second
// without a single event is an error (client-go's VeryShortWatchError), so
// that a server closing watches at once is not re-opened in a tight loop.
// Every error is retryable: run_watcher() backs off and steps again. One
// thread steps a Watcher; cancel() may come from any thread.
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <variant>
#include <vector>

#include "k8s/api_client.h"
#include "k8s/backoff.h"
#include "k8s/field_mask.h"
#include "k8s/watch_event.h"

namespace k8s {

struct WatcherConfig {
  ObjectRef collection;  // resource and namespace ("" = all namespaces)
  std::string label_selector;
  std::string field_selector;
  int page_size = 500;
  // Unset: a random value in [300, 600) for each watch, as client-go's
  // reflector, so that watches opened together do not all end together.
  std::optional<int> watch_timeout_seconds;
  FieldMask mask;  // what to keep of each object; metadata needed for caching is added
};

enum class WatcherEventKind {
  InitStarted,  // a (re)list begins; a cache starts buffering
  InitPage,     // one page of the list
  InitDone,     // the list is complete; a cache swaps its buffer in
  Apply,        // ADDED or MODIFIED while watching
  Delete,       // DELETED while watching
};

struct WatcherEvent {
  WatcherEventKind kind;
  std::vector<nlohmann::json> objects;  // InitPage: the page; Apply/Delete: one object
};

class Watcher {
 public:
  struct Empty {};
  struct InitListing {
    std::string continue_token;
  };
  struct InitListed {
    std::string resource_version;
  };
  struct Watching {
    std::string resource_version;
    std::shared_ptr<BodyStream> stream;  // null: (re)open on the next step
    Clock::Monotonic opened_at{};
    int events_read = 0;  // on this stream, bookmarks included
    LineSplitter lines;
    std::deque<WatchEvent> decoded;
  };
  using State = std::variant<Empty, InitListing, InitListed, Watching>;

  Watcher(ApiClient& client, WatcherConfig config);

  // One transition. An event, nothing (progress without an event, such as
  // opening a stream or a bookmark), or an error after which stepping again
  // (after a backoff) is always correct.
  Result<std::optional<WatcherEvent>> step();
  // Skips the list: the next step watches from `resource_version`, as after
  // a disconnect (a caller that persisted its position). A 410 still relists.
  void resume_from(std::string resource_version);
  // Ends a blocked read of the current stream and of any later one. Thread-safe.
  void cancel();
  // Undoes cancel(): later streams are read again (a restarted informer), and
  // requests carry `stop`.
  void reset_cancel(std::stop_token stop = {});

  [[nodiscard]] const State& state() const { return state_; }
  [[nodiscard]] const ObjectRef& collection() const { return config_.collection; }
  [[nodiscard]] std::string_view state_name() const;
  // The resourceVersion a watch would resume from ("" before the first list).
  [[nodiscard]] std::string resource_version() const;

 private:
  Result<std::optional<WatcherEvent>> list_page(const std::string& continue_token);
  Result<std::optional<WatcherEvent>> watch_step(Watching& w);
  Result<std::optional<WatcherEvent>> open_stream(Watching& w);
  Result<std::optional<WatcherEvent>> read_stream(Watching& w);
  Result<std::optional<WatcherEvent>> apply_event(Watching& w, WatchEvent ev);
  void set_stream(Watching& w, std::shared_ptr<BodyStream> s);

  ApiClient& client_;
  WatcherConfig config_;
  FieldMask event_mask_;
  FieldMask list_mask_;
  State state_;
  std::mutex stream_mu_;
  std::shared_ptr<BodyStream> active_stream_;
  bool cancelled_ = false;  // guarded by stream_mu_
  std::stop_token stop_;    // passed to every request; set before stepping
};

// True for errors after which the watch position is useless: 410 Gone
// (HTTP or in-stream) and 504 with cause ResourceVersionTooLarge.
bool resource_version_unavailable(const Error& err);

// Steps `watcher` until `stop`, handing events to `sink` and sleeping
// `backoff` after each error. Returns when stopped.
void run_watcher(Watcher& watcher, Backoff& backoff, Clock& clock, std::stop_token stop,
                 const std::function<void(WatcherEvent&&)>& sink);

}  // namespace k8s
