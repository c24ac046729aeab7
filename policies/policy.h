#pragma once
// The RightsizePolicy model (API group rightsizer.io/v1alpha1): plain data
// with the same defaults as the CRD (crds/rightsizepolicies.yaml). Parsing
// lives in policy_json.h, validation in policy_validation.h.
#include <cstdint>
#include <string>
#include <vector>

#include "policies/blackout_window.h"
#include "policies/cost.h"
#include "policies/duration.h"
#include "policies/slo_check.h"

namespace policies {

enum class Mode { Recommend, Auto };
enum class LimitsPolicy { KeepRatio, EqualToRequests, Unset, Unchanged };
enum class Increases { Immediate, Canary };

inline constexpr std::int64_t kMiB = std::int64_t{1} << 20;
inline constexpr std::int64_t kGiB = std::int64_t{1} << 30;
inline constexpr std::int64_t kTiB = std::int64_t{1} << 40;

struct CpuPolicy {
  double percentile = 95;
  double target_utilization = 0.60;
  std::int64_t min_millicores = 100;
  std::int64_t max_millicores = 32'000;
  std::int64_t round_to_millicores = 50;  // 1000 = whole cores
};

struct MemoryPolicy {
  double percentile = 99;
  double target_utilization = 0.80;
  std::int64_t min_bytes = 128 * kMiB;
  std::int64_t max_bytes = 64 * kGiB;
  std::int64_t round_to_bytes = 64 * kMiB;
  double oom_bump_ratio = 1.2;
};

struct HistoryPolicy {
  Duration half_life = std::chrono::hours(24);
  Duration min_observation = std::chrono::hours(1);
  Duration bootstrap_from_prometheus{0};
};

struct RolloutPolicy {
  double max_step_down = 0.5;
  double min_change = 0.10;
  std::int32_t canary_replicas = 1;
  Duration analysis_interval = std::chrono::minutes(1);
  std::int32_t successful_checks = 5;
  std::int32_t failure_threshold = 2;
  std::int32_t post_promotion_checks = 5;
  Duration progress_deadline = std::chrono::minutes(10);
  Duration cooldown = std::chrono::hours(6);
  Increases increases = Increases::Immediate;
  bool allow_hpa_conflict = false;
  // Act on a workload whose resources a GitOps applier (Argo CD, Flux) owns;
  // by default it is Blocked: ManagedByGitOps (the applier would revert us).
  bool allow_git_ops = false;
  std::vector<BlackoutWindow> blackout_windows;
};

struct SloPolicy {
  PrometheusEndpoint prometheus;
  std::vector<SloCheck> checks;
};

struct Pricing {
  Prices prices;
  std::string currency = "USD";
};

struct RightsizePolicySpec {
  Mode mode = Mode::Auto;
  CpuPolicy cpu;
  MemoryPolicy memory;
  LimitsPolicy limits = LimitsPolicy::KeepRatio;
  HistoryPolicy history;
  RolloutPolicy rollout;
  SloPolicy slos;
  Pricing pricing;
};

// Bounds shared by the CRD schema and the validator.
inline constexpr std::int64_t kMaxCpuMillicores = 1024 * 1000;  // 1024 cores
inline constexpr std::int64_t kMaxMemoryBytes = 64 * kTiB;
inline constexpr std::int32_t kMaxCount = 1000;
inline constexpr std::size_t kMaxChecks = 16;
inline constexpr std::size_t kMaxWindows = 32;
inline constexpr std::size_t kMaxQueryLength = 4096;    // characters (code points)
inline constexpr std::size_t kMaxAddressLength = 2048;  // characters (code points)

}  // namespace policies
