#include "k8s/event_recorder.h"

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
    : client_(client), cfg_(std::move(cfg)) {}

Result<void> EventRecorder::record(const InvolvedObject& obj, EventType type,
                                   const std::string& reason, const std::string& message) {
  std::string key = fold_key(obj, type, reason, message);
  std::lock_guard lock(mu_);
  auto it = folded_.find(key);
  if (it != folded_.end() && client_.clock().now() - it->second.last_seen < cfg_.fold_window) {
    auto bumped = bump(it->second);
    if (bumped || bumped.error().kind != ErrorKind::NotFound) return bumped;
    // The Event expired on the server (default TTL 1 h): start a new one.
  }
  return create(key, obj, type, reason, message);
}

Result<void> EventRecorder::create(const std::string& key, const InvolvedObject& obj,
                                   EventType type, const std::string& reason,
                                   const std::string& message) {
  auto wall = client_.clock().wall_now();
  std::string now = rfc3339_seconds(wall);
  char suffix[24];
  std::snprintf(
      suffix, sizeof suffix, ".%llx",
      static_cast<unsigned long long>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(wall.time_since_epoch()).count()));
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
                          {"type", type == EventType::Warning ? "Warning" : "Normal"},
                          {"reason", reason},
                          {"message", message},
                          {"count", 1},
                          {"firstTimestamp", now},
                          {"lastTimestamp", now},
                          {"source", {{"component", cfg_.component}}},
                          {"reportingComponent", cfg_.component},
                          {"reportingInstance", cfg_.instance}};
  auto created = client_.create({resources::events(), ns, "", ""}, event);
  if (!created) return created.error();
  remember(key, Folded{obj.name + suffix, ns, 1, client_.clock().now(), now});
  return {};
}

Result<void> EventRecorder::bump(Folded& folded) {
  nlohmann::json patch = {{"count", folded.count + 1},
                          {"lastTimestamp", rfc3339_seconds(client_.clock().wall_now())}};
  auto r = client_.patch({resources::events(), folded.event_namespace, folded.event_name, ""},
                         PatchType::Merge, patch);
  if (!r) return r.error();
  folded.count++;
  folded.last_seen = client_.clock().now();
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
