#pragma once
// Objects as the caches project them, for the reconciler's unit tests.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "controller/cluster_objects.h"
#include "policies/container_usage.h"
#include "policies/policy_json.h"

namespace controller::testing {

inline constexpr std::int64_t kMi = std::int64_t{1} << 20;
inline constexpr std::int64_t kGi = std::int64_t{1} << 30;

// Deployment trading/engine: one container "engine" requesting 16 cores and
// 16Gi with equal limits, 2 replicas, annotated with policy "trading".
inline Workload engine() {
  Workload w;
  w.ref = {WorkloadKind::Deployment, "trading", "engine"};
  w.uid = "uid-engine";
  w.generation = 3;
  w.policy = "trading";
  w.replicas = 2;
  ContainerSpec c;
  c.name = "engine";
  c.resources.requests = {16'000, 16 * kGi};
  c.resources.limits = {16'000, 16 * kGi};
  w.containers.push_back(c);
  return w;
}

// RightsizePolicy trading/trading with every default (valid).
inline PolicyObject trading_policy() {
  PolicyObject p;
  p.namespace_name = "trading";
  p.name = "trading";
  p.uid = "uid-policy";
  p.resource_version = "500";
  p.generation = 7;
  p.parsed = policies::parse_policy_spec(nlohmann::json::object());
  p.parsed.name = "trading";
  return p;
}

inline PolicyObject invalid_policy() {
  auto p = trading_policy();
  p.parsed.problems.push_back({"spec.cpu.targetUtilization", "must be in (0, 1]"});
  p.parsed.problems.push_back({"spec.cpu.min", "must not exceed spec.cpu.max"});
  return p;
}

// Two hours of samples, one a minute, ending at `end`: enough for the default
// minObservation of 1h.
inline policies::ContainerUsage learned(policies::Time end, std::int64_t cpu_millicores = 300,
                                        std::int64_t memory_bytes = 200 * kMi, int minutes = 120) {
  policies::ContainerUsage u(std::chrono::hours(24));
  for (int i = minutes; i > 0; --i) {
    u.add_sample(end - std::chrono::minutes(i), cpu_millicores, memory_bytes);
  }
  return u;
}

// A running pod of the engine whose container "engine" was last
// OOMKilled at `at`, with `resources` at the time.
inline PodInfo oom_killed_pod(std::string name, const policies::ContainerResources& resources,
                              policies::Timestamp at) {
  PodInfo pod;
  pod.namespace_name = "trading";
  pod.name = std::move(name);
  pod.phase = "Running";
  PodContainer c;
  c.name = "engine";
  c.resources = resources;
  c.last_termination_reason = "OOMKilled";
  c.last_termination_at = at;
  pod.containers.push_back(c);
  return pod;
}

inline HpaInfo hpa_on(const WorkloadRef& ref, std::string metric) {
  HpaInfo h;
  h.namespace_name = ref.namespace_name;
  h.name = ref.name + "-hpa";
  h.target_kind = to_string(ref.kind);
  h.target_name = ref.name;
  h.resource_metrics = {std::move(metric)};
  return h;
}

}  // namespace controller::testing
