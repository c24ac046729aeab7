#include "k8s/event_recorder.h"

#include <spdlog/spdlog.h>
#include <cstdio>

#include "k8s/leader_election.h"  // format_micro_time

namespace k8s {
namespace {

std::string rfc3339_seconds(std::chrono::system_clock::time_point t) {
  std::string micro = format_micro_time(t);  // 2006-01-02T15:04:05.000000Z
  return micro.substr(0, 19) + "Z";
}

std::string fold_key(const InvolvedObject& o, EventType type, const std::string& reason,
                     const std::string& message) {
  std::string k;
  for (const auto* part : {&o.kind, &o.namespace_, &o.name, &o.uid, &reason, &message}) {
    k += *part;
    k += '\x1f';
  }
  return k + (type == EventType::Warning ? "W" : "N");
}

}  // namespace

EventRecorder::EventRecorder(ApiClient& client, EventRecorderConfig cfg)
    : client_(client),
      cfg_(std::move(cfg)),
      thread_([this](const std::stop_token& stop) { run(stop); }) {}

EventRecorder::~EventRecorder() {
  thread_.request_stop();
  thread_.join();
}

Result<void> EventRecorder::record(const InvolvedObject& obj, EventType type,
                                   const std::string& reason, const std::string& message) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= cfg_.queue_capacity) {
      auto n = dropped_.fetch_add(1) + 1;
      // Logged at powers of two: visible, but not a log line per event.
      if ((n & (n - 1)) == 0) spdlog::warn("k8s: event queue full; {} event(s) dropped so far", n);
      return {};
    }
    queue_.push_back(
        Pending{obj, type, reason, message, client_.clock().now(), client_.clock().wall_now()});
  }
  cv_.notify_one();
  return {};
}

bool EventRecorder::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

void EventRecorder::run(const std::stop_token& stop) {
  const CallContext ctx{stop, std::nullopt};
  std::unique_lock lock(mu_);
  for (;;) {
    if (!cv_.wait(lock, stop, [this] { return !queue_.empty(); }) || stop.stop_requested()) return;
    Pending ev = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    if (auto ok = deliver(ev, ctx); !ok && ok.error().kind != ErrorKind::Cancelled) {
      spdlog::warn("k8s: recording event {} about {}/{}: {}", ev.reason, ev.obj.namespace_,
                   ev.obj.name, ok.error().describe());
    }
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

Result<void> EventRecorder::deliver(const Pending& ev, const CallContext& ctx) {
  std::string key = fold_key(ev.obj, ev.type, ev.reason, ev.message);
  auto it = folded_.find(key);
  if (it != folded_.end() && ev.at - it->second.last_seen < cfg_.fold_window) {
    auto bumped = bump(it->second, ev, ctx);
    if (bumped || bumped.error().kind != ErrorKind::NotFound) return bumped;
    // The Event expired on the server (default TTL 1 h): start a new one.
  }
  return create(key, ev, ctx);
}

Result<void> EventRecorder::create(const std::string& key, const Pending& ev,
                                   const CallContext& ctx) {
  const InvolvedObject& obj = ev.obj;
  std::string now = rfc3339_seconds(ev.wall);
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, ".%llx",
                static_cast<unsigned long long>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(ev.wall.time_since_epoch())
                        .count()));
  std::string ns = obj.namespace_.empty() ? "default" : obj.namespace_;
  nlohmann::json event = {{"apiVersion", "v1"},
                          {"kind", "Event"},
                          {"metadata", {{"name", obj.name + suffix}, {"namespace", ns}}},
                          {"involvedObject",
                           {{"apiVersion", obj.api_version},
                            {"kind", obj.kind},
                            {"namespace", obj.namespace_},
                            {"name", obj.name},
                            {"uid", obj.uid}}},
                          {"type", ev.type == EventType::Warning ? "Warning" : "Normal"},
                          {"reason", ev.reason},
                          {"message", ev.message},
                          {"count", 1},
                          {"firstTimestamp", now},
                          {"lastTimestamp", now},
                          {"source", {{"component", cfg_.component}}},
                          {"reportingComponent", cfg_.component},
                          {"reportingInstance", cfg_.instance}};
  auto created = client_.create({resources::events(), ns, "", ""}, event, {}, ctx);
  if (!created) return created.error();
  remember(key, Folded{obj.name + suffix, ns, 1, ev.at, now});
  return {};
}

Result<void> EventRecorder::bump(Folded& folded, const Pending& ev, const CallContext& ctx) {
  nlohmann::json patch = {{"count", folded.count + 1}, {"lastTimestamp", rfc3339_seconds(ev.wall)}};
  auto r = client_.patch({resources::events(), folded.event_namespace, folded.event_name, ""},
                         PatchType::Merge, patch, {}, ctx);
  if (!r) return r.error();
  folded.count++;
  folded.last_seen = ev.at;
  return {};
}

void EventRecorder::remember(const std::string& key, Folded folded) {
  if (folded_.find(key) == folded_.end()) order_.push_back(key);
  folded_[key] = std::move(folded);
  while (folded_.size() > cfg_.max_tracked && !order_.empty()) {
    folded_.erase(order_.front());
    order_.pop_front();
  }
}

}  // namespace k8s
