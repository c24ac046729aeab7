#pragma once
// The recommender (DESIGN §4): per container, the requests and limits the
// policy asks for, from the usage learnt so far. Pure functions of their
// arguments; `now` is a parameter.
//
//   no recommendation while confidence(usage) < minObservation, where
//   confidence = min(span of the samples, samples × 1 minute) (as VPA)
//   cpu    = ceil(P_cpu.percentile(cpu histogram) / cpu.targetUtilization)
//   memory = ceil(P_memory.percentile(peak histogram) / memory.targetUtilization)
//   memory = max(memory, ceil(oom_need_bytes(...) / memory.targetUtilization))
//            after an OOMKill, even without enough history; the kill is also
//            learnt into the peak histogram (ContainerUsage::record_oom), so
//            it outlives the pod that reported it
//   x      = size(x): clamp to [min, max], round up to roundTo (max wins)
//   while a cooldown runs, x > floor (exclusive): if x ≤ floor, x = size(floor + 1),
//   and if no allowed size lies above the floor, x = the current request
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "policies/container_usage.h"
#include "policies/cost.h"
#include "policies/policy.h"

namespace policies {

struct Limits {
  std::optional<std::int64_t> cpu_millicores;  // nullopt = no limit
  std::optional<std::int64_t> memory_bytes;
  friend bool operator==(const Limits&, const Limits&) = default;
};

struct ContainerResources {
  Resources requests;
  Limits limits;
  friend bool operator==(const ContainerResources&, const ContainerResources&) = default;
};

// An OOMKill of the container, with its memory settings at the time.
struct OomKill {
  std::int64_t request_bytes = 0;           // memory request at the kill
  std::optional<std::int64_t> limit_bytes;  // memory limit at the kill, if any
  Time at{};
};

// How much history the usage amounts to, as VPA's confidence: the smaller of
// the span the samples cover and one minute per sample (two samples an hour
// apart are two minutes, not an hour). A recommendation needs
// confidence ≥ history.minObservation.
std::chrono::seconds confidence(const ContainerUsage& usage);

// VPA's minimum OOM bump (recommender/model, OOMMinBumpUp).
inline constexpr std::int64_t kOomMinBumpBytes = std::int64_t{100} << 20;

// The memory an OOMKill asks for, as VPA's RecordOOM computes it: memory at
// the kill = the limit, or with no limit max(request, the peak of the
// aggregation interval holding the kill); then
// max(at kill + 100Mi, ceil(at kill × oomBumpRatio)).
std::int64_t oom_floor_bytes(const OomKill& oom, std::int64_t observed_peak_bytes, double ratio);
// The same before rounding up to a whole byte (what is divided by the
// target utilization, so that 2Gi × 1.2 / 0.8 is exactly 3Gi).
double oom_need_bytes(const OomKill& oom, std::int64_t observed_peak_bytes, double ratio);

// After a rollback: until `until`, targets stay strictly above these sizes
// (the failed ones). A floor holds only for a resource the failed step
// stepped down, i.e. a floor below the current request; a zero size, or one
// at or above the current request, means no floor for that resource.
struct CooldownFloor {
  Resources floor;
  Time until{};
};

// Clamp to [min, max] and round up to a multiple of round_to; if rounding
// passes max, round down instead; if no multiple fits, max.
std::int64_t size_to_policy(std::int64_t raw, std::int64_t min, std::int64_t max,
                            std::int64_t round_to);

// Limits for new requests under the policy's limits mode.
//   KeepRatio:       limit = ceil(new request × current limit / current request),
//                    rounded up to roundTo; no current limit stays no limit.
//   EqualToRequests: limits = requests.   Unset: no limits.
//   Unchanged:       current limits, raised to the new request if below it.
// KeepRatio and Unchanged never change the QoS class: a request that does not
// change keeps its limit byte for byte; a limit equal to its request becomes
// the new request (Guaranteed stays Guaranteed); a limit above its request
// stays above the new one. Only EqualToRequests and Unset may change the class.
// A missing request (0) with a limit counts as equal to the limit, as the API
// server defaults it on pods: a template with limits only makes Guaranteed pods.
Limits plan_limits(LimitsPolicy mode, const ContainerResources& current,
                   const Resources& new_requests, const RightsizePolicySpec& policy);

// current with each missing request set to its limit (Kubernetes defaults a
// pod's missing request to its limit; templates keep the request missing).
ContainerResources with_defaulted_requests(const ContainerResources& current);

// OomOnly: not enough history for a recommendation, but an OOMKill raises
// memory now (CPU stays as it is).
enum class RecommendationStatus { Ready, NotEnoughData, OomOnly };

struct Recommendation {
  RecommendationStatus status = RecommendationStatus::NotEnoughData;
  std::string reason;  // why not ready, for status and events
  ContainerResources target;
  double cpu_percentile_millicores = 0;  // the histogram figures used
  double memory_percentile_bytes = 0;
  // An OOMKill is being answered: a memory increase is urgent (no hysteresis).
  bool oom_bumped = false;
  bool cooldown_floor_applied = false;
};

struct RecommendationInput {
  const ContainerUsage* usage = nullptr;
  ContainerResources current;
  std::optional<OomKill> oom;
  std::optional<CooldownFloor> cooldown;
  Time now{};
};

Recommendation recommend(const RightsizePolicySpec& policy, const RecommendationInput& in);

}  // namespace policies
