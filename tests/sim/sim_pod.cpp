#include "sim_pod.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "policies/quantity.h"

namespace sim {
namespace {

using json = nlohmann::json;

std::optional<std::int64_t> quantity(const json& resources, const char* kind, const char* name,
                                     bool millis) {
  if (!resources.contains(kind) || !resources[kind].contains(name)) return std::nullopt;
  const auto& v = resources[kind][name];
  if (!v.is_string()) return std::nullopt;
  auto q = policies::parse_quantity(v.get<std::string>());
  if (!q) return std::nullopt;
  auto n = millis ? policies::to_millis(*q) : policies::to_units(*q);
  if (!n) return std::nullopt;
  return *n;
}

std::string annotation(const json& pod, const char* key) {
  const auto& meta = pod.contains("metadata") ? pod["metadata"] : json();
  if (!meta.contains("annotations") || !meta["annotations"].contains(key)) return "";
  const auto& v = meta["annotations"][key];
  return v.is_string() ? v.get<std::string>() : "";
}

std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

SimPod project_pod(const json& pod) {
  SimPod p;
  const auto& meta = pod.value("metadata", json::object());
  p.ns = meta.value("namespace", "");
  p.name = meta.value("name", "");
  p.uid = meta.value("uid", "");
  const auto& status = pod.value("status", json::object());
  p.running = status.value("phase", "") == "Running" && !meta.contains("deletionTimestamp");
  const auto& containers = pod.value("spec", json::object()).value("containers", json::array());
  if (!containers.empty()) {
    const auto& c = containers[0];
    p.container = c.value("name", "");
    const auto& res = c.value("resources", json::object());
    p.cpu_request_millicores = quantity(res, "requests", "cpu", true).value_or(0);
    p.cpu_limit_millicores = quantity(res, "limits", "cpu", true);
    p.memory_limit_bytes = quantity(res, "limits", "memory", false);
  }
  const auto text = annotation(pod, kProfileAnnotation);
  p.profile = text.empty() ? std::nullopt : parse_profile(text, p.profile_error);
  if (text.empty()) p.profile_error = std::string("no ") + kProfileAnnotation + " annotation";
  p.usage_cpu = annotation(pod, kUsageCpuAnnotation);
  p.usage_memory = annotation(pod, kUsageMemoryAnnotation);
  for (const auto& cs : status.value("containerStatuses", json::array())) {
    const auto& last = cs.value("lastState", json::object()).value("terminated", json::object());
    if (cs.value("name", "") == p.container && last.value("reason", "") == "OOMKilled")
      p.oom_reported = true;
  }
  return p;
}

PodState pod_state(const SimPod& pod, double unix_seconds) {
  PodState s;
  const DemandProfile profile = pod.profile.value_or(DemandProfile{});
  s.demand_cores = demand_cores(profile, unix_seconds);
  s.allotted_cores = allotted_cores(pod.cpu_request_millicores, pod.cpu_limit_millicores);
  s.utilization = s.demand_cores / s.allotted_cores;
  const auto used_m =
      static_cast<std::int64_t>(std::llround(std::min(s.demand_cores, s.allotted_cores) * 1000.0));
  s.usage_cpu = std::to_string(std::max<std::int64_t>(used_m, 1)) + "m";
  std::int64_t mem = profile.memory_bytes;
  if (pod.memory_limit_bytes && mem > *pod.memory_limit_bytes) {
    s.oom = true;
    mem = *pod.memory_limit_bytes;
  }
  s.usage_memory = std::to_string(mem);
  return s;
}

void PodMetrics::advance(double utilization_now, double trades_per_second, double seconds) {
  const auto& bounds = latency_buckets();
  if (buckets.size() != bounds.size()) buckets.assign(bounds.size(), 0);
  const double trades = trades_per_second * seconds;
  for (std::size_t i = 0; i < bounds.size(); ++i)
    buckets[i] += trades * latency_cdf(utilization_now, bounds[i]);
  count += trades;
  sum += trades * latency_mean(utilization_now);
  scan_seconds = guardian_scan_seconds(utilization_now);
  utilization = utilization_now;
}

std::string render_metrics(const std::map<std::string, std::pair<SimPod, PodMetrics>>& pods) {
  std::string out =
      "# HELP trade_latency_seconds Latency of a simulated trade.\n"
      "# TYPE trade_latency_seconds histogram\n";
  const auto& bounds = latency_buckets();
  for (const auto& [key, entry] : pods) {
    const auto& [pod, m] = entry;
    const std::string labels =
        "namespace=\"" + label_value(pod.ns) + "\",pod=\"" + label_value(pod.name) + "\"";
    for (std::size_t i = 0; i < m.buckets.size() && i < bounds.size(); ++i)
      out += "trade_latency_seconds_bucket{" + labels + ",le=\"" + number(bounds[i]) + "\"} " +
             number(m.buckets[i]) + "\n";
    out += "trade_latency_seconds_bucket{" + labels + ",le=\"+Inf\"} " + number(m.count) + "\n";
    out += "trade_latency_seconds_sum{" + labels + "} " + number(m.sum) + "\n";
    out += "trade_latency_seconds_count{" + labels + "} " + number(m.count) + "\n";
  }
  out +=
      "# HELP guardian_scan_duration_seconds Duration of the last simulated guardian scan.\n"
      "# TYPE guardian_scan_duration_seconds gauge\n";
  for (const auto& [key, entry] : pods) {
    const auto& [pod, m] = entry;
    out += "guardian_scan_duration_seconds{namespace=\"" + label_value(pod.ns) + "\",pod=\"" +
           label_value(pod.name) + "\"} " + number(m.scan_seconds) + "\n";
  }
  out +=
      "# HELP sim_cpu_utilization Simulated CPU demand / allotted CPU.\n"
      "# TYPE sim_cpu_utilization gauge\n";
  for (const auto& [key, entry] : pods) {
    const auto& [pod, m] = entry;
    out += "sim_cpu_utilization{namespace=\"" + label_value(pod.ns) + "\",pod=\"" +
           label_value(pod.name) + "\"} " + number(m.utilization) + "\n";
  }
  return out;
}

json oom_status_patch(const json& pod, const std::string& now_rfc3339) {
  json statuses = pod.value("status", json::object()).value("containerStatuses", json::array());
  const auto& containers = pod.value("spec", json::object()).value("containers", json::array());
  const std::string name = containers.empty() ? "" : containers[0].value("name", "");
  for (auto& cs : statuses) {
    if (cs.value("name", "") != name) continue;
    cs["restartCount"] = cs.value("restartCount", 0) + 1;
    cs["lastState"] = {{"terminated",
                        {{"exitCode", 137},
                         {"reason", "OOMKilled"},
                         {"startedAt", now_rfc3339},
                         {"finishedAt", now_rfc3339}}}};
  }
  return {{"status", {{"containerStatuses", statuses}}}};
}

}  // namespace sim
