// MetricsServerUsageSource (usage_source.h): metrics.k8s.io PodMetrics, as
// metrics-server serves them:
//   {"items":[{"metadata":{"name","namespace"},"timestamp":"RFC 3339",
//              "window":"15.021s","containers":[{"name","usage":{"cpu":"123456789n",
//              "memory":"1234Ki"}}]}]}
// A figure that does not parse leaves its container out (a pod without any
// container left is left out too): a zero would read as idle and pull the
// recommendation down.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>

#include "controller/usage_source.h"
#include "k8s/field_mask.h"
#include "k8s/resource.h"
#include "policies/duration.h"
#include "policies/quantity.h"
#include "policies/status_conditions.h"

namespace controller {
namespace {

using nlohmann::json;

const json* field(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::optional<std::string_view> text(const json& obj, const char* key) {
  const json* v = field(obj, key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_ref<const std::string&>());
}

std::optional<ContainerSample> container_sample(const json& c) {
  auto name = text(c, "name");
  const json* usage = field(c, "usage");
  if (!name || name->empty() || !usage) return std::nullopt;
  auto cpu = text(*usage, "cpu");
  auto memory = text(*usage, "memory");
  if (!cpu || !memory) return std::nullopt;
  // CPU rounds up to a millicore, as Quantity.MilliValue() does: 1n is 1m.
  auto millis = policies::parse_millis(*cpu);
  auto bytes = policies::parse_units(*memory);
  if (!millis || !bytes || *millis < 0 || *bytes < 0) return std::nullopt;
  return ContainerSample{std::string(*name), *millis, *bytes};
}

std::chrono::seconds window_of(const json& item) {
  auto w = text(item, "window");
  if (!w) return std::chrono::seconds(0);
  auto d = policies::parse_duration(*w);
  if (!d) return std::chrono::seconds(0);
  return std::chrono::round<std::chrono::seconds>(*d);
}

// The pod's name, timestamp and window; nullopt when the name or the time is unreadable.
std::optional<PodSample> pod_header(const json& item, std::string_view namespace_name) {
  const json* meta = field(item, "metadata");
  const json* name = meta ? field(*meta, "name") : nullptr;
  const json* at = field(item, "timestamp");
  if (!name || !name->is_string() || name->get_ref<const std::string&>().empty() || !at ||
      !at->is_string()) {
    return std::nullopt;
  }
  auto timestamp = policies::parse_timestamp(at->get_ref<const std::string&>());
  if (!timestamp) return std::nullopt;
  PodSample pod;
  pod.namespace_name = std::string(namespace_name);
  pod.pod = name->get<std::string>();
  pod.timestamp = *timestamp;
  pod.window = window_of(item);
  return pod;
}

}  // namespace

const k8s::FieldMask& pod_metrics_list_mask() {
  static const k8s::FieldMask mask =
      k8s::FieldMask({"metadata.name", "timestamp", "window", "containers[].name",
                      "containers[].usage.cpu", "containers[].usage.memory"})
          .for_list();
  return mask;
}

k8s::Result<std::vector<PodSample>> MetricsServerUsageSource::list(std::string_view namespace_name,
                                                                   const k8s::CallContext& ctx) {
  k8s::ListOptions opts;
  opts.limit = std::nullopt;  // metrics-server answers in one page
  auto page = client_.list_page(
      {k8s::resources::pod_metrics(), std::string(namespace_name), "", ""}, opts, ctx);
  if (!page) return page.error();
  // Only what a sample needs is decoded: a namespace's list is the largest
  // document the operator reads each interval (labels, timestamps left out).
  auto doc = pod_metrics_list_mask().decode(page->body);
  page->body = std::string();
  if (!doc) {
    return k8s::make_error(k8s::ErrorKind::Decode, "metrics.k8s.io PodMetrics in namespace " +
                                                       std::string(namespace_name) + ": " +
                                                       doc.error().message);
  }
  // A 200 that is not a list (a Status, `{}`, a proxy's page) is an outage,
  // as ApiClient::list would have said, never an empty namespace.
  static const json kNoItems = json::array();
  const json* listed = field(*doc, "items");
  if (!listed || !(listed->is_array() || listed->is_null())) {
    return k8s::make_error(k8s::ErrorKind::Decode, "metrics.k8s.io PodMetrics in namespace " +
                                                       std::string(namespace_name) +
                                                       ": the answer has no items array");
  }
  const json& items = listed->is_array() ? *listed : kNoItems;
  std::vector<PodSample> out;
  out.reserve(items.size());
  std::uint64_t skipped = 0;
  for (const auto& item : items) {
    auto pod = pod_header(item, namespace_name);
    const json* containers = field(item, "containers");
    if (!pod || !containers || !containers->is_array()) {
      ++skipped;
      continue;
    }
    for (const auto& c : *containers) {
      auto sample = container_sample(c);
      if (!sample) {
        ++skipped;
        continue;
      }
      pod->containers.push_back(std::move(*sample));
    }
    if (!pod->containers.empty()) out.push_back(std::move(*pod));
  }
  malformed_ += skipped;
  // Pods listed but none readable: the API is answering with something else,
  // which must show as an outage rather than as "no pods".
  if (out.empty() && skipped > 0) {
    return k8s::make_error(k8s::ErrorKind::Decode, "metrics.k8s.io: no PodMetrics in namespace " +
                                                       std::string(namespace_name) +
                                                       " could be read");
  }
  return out;
}

}  // namespace controller
