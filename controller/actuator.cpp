// What every actuator shares: whether a pod carries a step, and the JSON of
// the resources they write.
#include "controller/actuator.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iterator>

#include "controller/actuator_patches.h"
#include "policies/quantity.h"
#include "policies/recommender.h"

namespace controller {

using nlohmann::json;

bool pod_carries(const PodInfo& pod, const policies::ContainerSizes& sizes) {
  return std::all_of(sizes.begin(), sizes.end(), [&](const auto& entry) {
    const auto it = std::find_if(pod.containers.begin(), pod.containers.end(),
                                 [&](const PodContainer& c) { return c.name == entry.first; });
    // A request the pod does not set is projected as 0, as a step writes it;
    // a request the step leaves unset under a limit is the limit in the pod
    // (the API server defaults it so), which carries the step just as well.
    return it != pod.containers.end() &&
           (it->resources == entry.second ||
            it->resources == policies::with_defaulted_requests(entry.second));
  });
}

namespace {

json cpu_value(std::int64_t millicores) {
  return millicores > 0 ? json(policies::format_millicores(millicores)) : json(nullptr);
}
json memory_value(std::int64_t bytes) {
  return bytes > 0 ? json(policies::format_bytes(bytes)) : json(nullptr);
}
json cpu_limit(const std::optional<std::int64_t>& millicores) {
  return millicores ? json(policies::format_millicores(*millicores)) : json(nullptr);
}
json memory_limit(const std::optional<std::int64_t>& bytes) {
  return bytes ? json(policies::format_bytes(*bytes)) : json(nullptr);
}

// Sets `key` of `list` to `value`, or erases it when `value` is null.
void set_or_erase(json& list, const char* key, json value) {
  if (value.is_null()) {
    list.erase(key);
  } else {
    list[key] = std::move(value);
  }
}

}  // namespace

json resources_patch(const policies::ContainerResources& resources) {
  return {{"requests",
           {{"cpu", cpu_value(resources.requests.cpu_millicores)},
            {"memory", memory_value(resources.requests.memory_bytes)}}},
          {"limits",
           {{"cpu", cpu_limit(resources.limits.cpu_millicores)},
            {"memory", memory_limit(resources.limits.memory_bytes)}}}};
}

void set_resources(json& container, const policies::ContainerResources& resources) {
  json& res = container["resources"];
  if (!res.is_object()) res = json::object();
  const json patch = resources_patch(resources);
  for (const char* list : {"requests", "limits"}) {
    json& target = res[list];
    if (!target.is_object()) target = json::object();
    for (const char* key : {"cpu", "memory"}) set_or_erase(target, key, patch[list][key]);
    if (target.empty()) res.erase(list);
  }
}

json template_resources_patch(const policies::ContainerSizes& sizes, const std::string& hash) {
  json containers = json::array();
  for (const auto& [name, resources] : sizes) {
    containers.push_back({{"name", name}, {"resources", resources_patch(resources)}});
  }
  return {{"metadata", {{"annotations", {{std::string(kStepAnnotation), hash}}}}},
          {"spec", {{"template", {{"spec", {{"containers", std::move(containers)}}}}}}}};
}

}  // namespace controller
