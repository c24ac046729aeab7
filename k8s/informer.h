#pragma once
// An informer: a watcher feeding a Store<T>, with add/update/delete handlers.
// The initial list (and every relist after a 410) is buffered and swapped in
// whole, so readers never see a half-listed cache; synced() turns true after
// the first swap. T is what the caller keeps of each object: the projected
// JSON itself, or a small struct made from it by a Projector (with a
// FieldMask in the WatcherConfig so that nothing else is decoded).
// start()/stop() from the owning thread; readers from any thread.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

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
  void add_handlers(Handlers h) { handlers_.push_back(std::move(h)); }

  void start() {
    thread_ = std::jthread([this](std::stop_token stop) {
      std::stop_callback cancel_stream(stop, [this] { watcher_.cancel(); });
      run_watcher(watcher_, backoff_, client_.clock(), stop,
                  [this](WatcherEvent&& ev) { handle(std::move(ev)); });
    });
  }
  void stop() {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    thread_.join();
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
        notify_add(*value);
      } else {
        notify_update(*it->second.value, *value);
        old.erase(it);
      }
    }
    for (const auto& [key, e] : old) notify_delete(*e.value);
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
      notify_update(*old, *now);
    } else {
      notify_add(*now);
    }
  }
  void remove(const nlohmann::json& obj) {
    Ptr old = store_.erase(object_key(obj));
    if (old) notify_delete(*old);
  }
  void notify_add(const T& v) {
    for (auto& h : handlers_) {
      if (h.on_add) h.on_add(v);
    }
  }
  void notify_update(const T& old, const T& now) {
    for (auto& h : handlers_) {
      if (h.on_update) h.on_update(old, now);
    }
  }
  void notify_delete(const T& v) {
    for (auto& h : handlers_) {
      if (h.on_delete) h.on_delete(v);
    }
  }

  ApiClient& client_;
  Watcher watcher_;
  Projector project_;
  Backoff backoff_;
  Store<T> store_;
  std::vector<typename Store<T>::Entry> buffer_;
  std::vector<Handlers> handlers_;
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
