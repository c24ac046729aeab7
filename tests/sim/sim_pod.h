#pragma once
// A simulated pod: what the simulator keeps of a Pod object, and the metrics
// it accumulates for it (trade_latency_seconds histogram, guardian scan
// gauge). Pure: the program feeds time and writes the results.
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim_model.h"

namespace sim {

inline constexpr const char* kProfileAnnotation = "sim.rightsizer.io/profile";
inline constexpr const char* kUsageCpuAnnotation = "kwok.x-k8s.io/usage-cpu";
inline constexpr const char* kUsageMemoryAnnotation = "kwok.x-k8s.io/usage-memory";

struct SimPod {
  std::string ns;
  std::string name;
  std::string uid;
  bool running = false;
  std::string container;  // the first container: the one simulated
  std::int64_t cpu_request_millicores = 0;
  std::optional<std::int64_t> cpu_limit_millicores;
  std::optional<std::int64_t> memory_limit_bytes;
  std::optional<DemandProfile> profile;  // nullopt: missing or invalid annotation
  std::string profile_error;
  std::string usage_cpu;  // the kwok annotations as the pod has them now
  std::string usage_memory;
  bool oom_reported = false;  // lastState.terminated.reason == OOMKilled
};

SimPod project_pod(const nlohmann::json& pod);

// What one tick computes for a pod.
struct PodState {
  double demand_cores = 0;
  double allotted_cores = 0;
  double utilization = 0;    // demand / allotted
  std::string usage_cpu;     // "123m": min(demand, allotted)
  std::string usage_memory;  // bytes: min(memory in use, limit)
  bool oom = false;          // memory in use above the limit
};

PodState pod_state(const SimPod& pod, double unix_seconds);

// Cumulative metrics of one pod.
struct PodMetrics {
  std::vector<double> buckets;  // cumulative counts per latency_buckets() bound
  double count = 0;
  double sum = 0;
  double scan_seconds = 0;
  double utilization = 0;

  // Adds `seconds` of trading at `utilization`: trades * P(latency <= le) per bucket.
  void advance(double utilization_now, double trades_per_second, double seconds);
};

// The Prometheus text exposition of every pod's metrics, labelled
// namespace and pod. Keys are "namespace/name".
std::string render_metrics(const std::map<std::string, std::pair<SimPod, PodMetrics>>& pods);

// The strategic-merge patch of the pod's status reporting an OOMKill of its
// container, as a kubelet would (restartCount + 1, lastState.terminated).
nlohmann::json oom_status_patch(const nlohmann::json& pod, const std::string& now_rfc3339);

}  // namespace sim
