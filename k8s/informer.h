#pragma once
// An informer: a watcher feeding a Store<T>, with add/update/delete handlers.
// The initial list (and every relist after a 410) is buffered and swapped in
// whole, so readers never see a half-listed cache; synced() turns true after
// the first swap. T is what the caller keeps of each object: the projected
// JSON itself, or a small struct made from it by a Projector (with a
// FieldMask in the WatcherConfig so that nothing else is decoded).
// Each Handlers entry runs on a thread of its own, fed by its own queue
// (client-go's sharedProcessor): a slow handler never stalls the watch. A
// DELETED event hands on_delete the object as the event carries it; an object
// found gone by a relist was deleted while the watch was down, and its final
// state is unknown: on_delete_final_state_unknown gets its last known value.
// start()/stop() from the owning thread (start() again after stop() resumes;
// stop() drops notifications not yet delivered);
// readers from any thread.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "k8s/notification_queue.h"
#include "k8s/object_meta.h"
#include "k8s/store.h"
#include "k8s/watcher.h"

namespace k8s {

template <typename T>
class Informer {
 public:
  using Ptr = typename Store<T>::Ptr;
  using Projector = std::function<T(const nlohmann::json&)>;

  struct Handlers {
    std::function<void(const T&)> on_add;
    std::function<void(const T& old, const T& now)> on_update;
    std::function<void(const T&)> on_delete;
    // Deletions found by a relist, with the last value seen (the object may
    // have changed before it was deleted). Unset: they go to on_delete.
    std::function<void(const T& last_known)> on_delete_final_state_unknown = nullptr;
  };

  Informer(ApiClient& client, WatcherConfig config, Projector project, BackoffPolicy backoff = {})
      : client_(client),
        watcher_(client, std::move(config)),
        project_(std::move(project)),
        backoff_(backoff, client.clock(), client.random()) {}
  ~Informer() { stop(); }
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Handlers must be added before start().
  void add_handlers(Handlers h) { listeners_.push_back(std::make_unique<Listener>(std::move(h))); }

  void start() {
    if (thread_.joinable()) return;
    for (auto& l : listeners_) l->queue.restart();
    thread_ = std::jthread([this](std::stop_token stop) {
      watcher_.reset_cancel(stop);
      std::stop_callback cancel_stream(stop, [this] { watcher_.cancel(); });
      run_watcher(watcher_, backoff_, client_.clock(), stop,
                  [this](WatcherEvent&& ev) { handle(std::move(ev)); });
    });
  }
  // Ends the watch, drops notifications not yet delivered and waits for the
  // running handlers: no handler runs after stop() returns.
  void stop() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
    for (auto& l : listeners_) l->queue.stop();
  }

  [[nodiscard]] bool synced() const { return synced_.load(); }
  // Waits (real time) until synced or `timeout`; true when synced.
  bool wait_for_sync(std::chrono::milliseconds timeout) {
    std::unique_lock lock(sync_mu_);
    return sync_cv_.wait_for(lock, timeout, [this] { return synced_.load(); });
  }
  [[nodiscard]] const Store<T>& store() const { return store_; }
  [[nodiscard]] const Watcher& watcher() const { return watcher_; }
  // Before start(): see Watcher::resume_from.
  [[nodiscard]] Watcher& watcher() { return watcher_; }
  // How many times a full list was swapped in (1 + relists).
  [[nodiscard]] int list_generation() const { return generations_.load(); }
  // Notifications queued or running, over all handlers.
  [[nodiscard]] std::size_t pending_notifications() const {
    std::size_t n = 0;
    for (const auto& l : listeners_) n += l->queue.pending();
    return n;
  }
  // Waits (real time) until every handler has run all it was given.
  bool wait_for_handlers(std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    for (auto& l : listeners_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (!l->queue.wait_idle(std::max(left, std::chrono::milliseconds(0)))) return false;
    }
    return true;
  }

  // Applies one watcher event; what the informer thread runs. Public for
  // tests and benchmarks that feed events without a thread.
  void handle(WatcherEvent&& ev) {
    switch (ev.kind) {
      case WatcherEventKind::InitStarted:
        buffer_.clear();
        return;
      case WatcherEventKind::InitPage:
        for (const auto& obj : ev.objects) buffer_.push_back(entry(obj));
        return;
      case WatcherEventKind::InitDone:
        swap_in();
        return;
      case WatcherEventKind::Apply:
        for (const auto& obj : ev.objects) upsert(obj);
        return;
      case WatcherEventKind::Delete:
        for (const auto& obj : ev.objects) remove(obj);
        return;
    }
  }

 private:
  struct Listener {
    explicit Listener(Handlers h) : handlers(std::move(h)) {}
    Handlers handlers;
    NotificationQueue queue;  // after handlers: its thread uses them
  };

  typename Store<T>::Entry entry(const nlohmann::json& obj) {
    return {object_key(obj), meta_owner_uids(obj), std::make_shared<const T>(project_(obj))};
  }

  void swap_in() {
    std::vector<typename Store<T>::Entry> fresh;
    fresh.swap(buffer_);
    std::vector<std::pair<std::string, Ptr>> now;
    now.reserve(fresh.size());
    for (const auto& e : fresh) now.emplace_back(e.key, e.value);
    auto old = store_.replace_all(std::move(fresh));
    for (const auto& [key, value] : now) {
      auto it = old.find(key);
      if (it == old.end()) {
        notify_add(value);
      } else {
        notify_update(it->second.value, value);
        old.erase(it);
      }
    }
    for (const auto& [key, e] : old) notify_delete(e.value, /*final_state_unknown=*/true);
    generations_.fetch_add(1);
    {
      std::lock_guard lock(sync_mu_);
      synced_.store(true);
    }
    sync_cv_.notify_all();
  }
  void upsert(const nlohmann::json& obj) {
    auto e = entry(obj);
    Ptr now = e.value;
    Ptr old = store_.upsert(std::move(e));
    if (old) {
      notify_update(old, now);
    } else {
      notify_add(now);
    }
  }
  void remove(const nlohmann::json& obj) {
    // The object as the DELETED event carries it: its final state.
    if (store_.erase(object_key(obj))) notify_delete(entry(obj).value, false);
  }
  void notify_add(const Ptr& v) {
    for (auto& l : listeners_) {
      if (l->handlers.on_add) l->queue.push([l = l.get(), v] { l->handlers.on_add(*v); });
    }
  }
  void notify_update(const Ptr& old, const Ptr& now) {
    for (auto& l : listeners_) {
      if (l->handlers.on_update)
        l->queue.push([l = l.get(), old, now] { l->handlers.on_update(*old, *now); });
    }
  }
  void notify_delete(const Ptr& v, bool final_state_unknown) {
    for (auto& l : listeners_) {
      auto& h = l->handlers;
      if (final_state_unknown && h.on_delete_final_state_unknown) {
        l->queue.push([l = l.get(), v] { l->handlers.on_delete_final_state_unknown(*v); });
      } else if (h.on_delete) {
        l->queue.push([l = l.get(), v] { l->handlers.on_delete(*v); });
      }
    }
  }

  ApiClient& client_;
  Watcher watcher_;
  Projector project_;
  Backoff backoff_;
  Store<T> store_;
  std::vector<typename Store<T>::Entry> buffer_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::atomic<bool> synced_{false};
  std::atomic<int> generations_{0};
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::jthread thread_;
};

// The projector of an informer that keeps the (masked) JSON itself.
inline nlohmann::json keep_json(const nlohmann::json& obj) {
  return obj;
}

}  // namespace k8s
