#pragma once
// The status of a Rightsizing (crds/rightsizings.yaml), the durable state of
// one workload's rightsizing, as plain data. Conversions to and from JSON
// follow the CRD's structural schema exactly: every field of the schema maps
// to a member; unknown fields are dropped as the apiserver prunes them; a
// value the schema would refuse is an error. Quantities and money are kept
// as the text written in status (canonical text from policies/quantity.h and
// money.h); absent optionals and empty lists are not written.
#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policies/heap_optional.h"
#include "policies/result.h"
#include "policies/status_conditions.h"

namespace policies {

enum class RightsizingPhase {
  Observing,
  Recommended,
  Waiting,
  Canary,
  Promoting,
  Verifying,
  Rightsized,
  RolledBack,
  Paused,
  Failed
};
const char* to_string(RightsizingPhase p);

struct ResourceList {
  std::optional<std::string> cpu;     // "2", "1500m"
  std::optional<std::string> memory;  // "16742Mi"
  friend bool operator==(const ResourceList&, const ResourceList&) = default;
};

struct StatusResources {
  std::optional<ResourceList> requests;
  std::optional<ResourceList> limits;
  friend bool operator==(const StatusResources&, const StatusResources&) = default;
};

struct UsageFigures {
  std::optional<std::string> cpu_p50, cpu_p95, cpu_peak, memory_peak;
  std::optional<std::int64_t> samples;
  std::optional<Timestamp> observed_since;
  friend bool operator==(const UsageFigures&, const UsageFigures&) = default;
};

struct ContainerStatus {
  std::string name;  // required; the list is keyed by it
  // The large parts, absent for much of a workload's life, are held on the
  // heap (heap_optional.h): the operator caches one status per workload.
  HeapOptional<StatusResources> current, recommended, step, last_good;
  // The size before Rightsizer's first change (realised savings count from it).
  HeapOptional<StatusResources> original;
  // After a rollback: the failed size, a floor (exclusive) until lastRollback.until.
  HeapOptional<ResourceList> floor;
  HeapOptional<UsageFigures> usage;
  std::optional<std::string> checkpoint;  // base64 usage checkpoint, ≤ 8192 chars
  std::optional<Timestamp> oom_killed_at;
  friend bool operator==(const ContainerStatus&, const ContainerStatus&) = default;
};

enum class CheckResult { Pass, Fail, Skip, Error };

struct CheckRecord {
  std::string name;  // required
  std::optional<std::string> value, min, max;
  std::optional<CheckResult> result;
  std::optional<std::string> message;
  friend bool operator==(const CheckRecord&, const CheckRecord&) = default;
};

struct CanaryStatus {
  std::vector<std::string> pods;
  std::vector<std::string> baseline_pods;
  std::optional<std::string> step;  // the step's hash (policies::step_hash), the idempotency marker
  std::optional<Timestamp> started_at;  // the stage's start (Canary, Promoting or Verifying)
  std::optional<Timestamp> effective_at;
  std::optional<Timestamp> not_effective_since;  // in effect once, then lost (progress deadline)
  std::optional<Timestamp> last_analysis_at;
  std::optional<std::int32_t> checks_passed, checks_failed;
  std::vector<CheckRecord> last_checks;
  friend bool operator==(const CanaryStatus&, const CanaryStatus&) = default;
};

struct RollbackFloor {
  std::optional<std::string> cpu, memory;
  friend bool operator==(const RollbackFloor&, const RollbackFloor&) = default;
};

struct LastRollback {
  std::optional<Timestamp> at;
  std::optional<std::string> check, observed, threshold, baseline, reason;
  std::optional<RollbackFloor> floor;  // summary of the containers' floors (printer, events)
  std::optional<Timestamp> until;
  friend bool operator==(const LastRollback&, const LastRollback&) = default;
};

struct MonthlyCostText {
  std::optional<std::string> current, target, savings, currency;  // "285.95"
  // What the running size saves against `original` (realised, not projected).
  std::optional<std::string> realized;
  friend bool operator==(const MonthlyCostText&, const MonthlyCostText&) = default;
};

struct Transition {
  Timestamp time{};  // required
  std::optional<std::string> from;
  std::string to;  // required
  std::optional<std::string> reason;
  friend bool operator==(const Transition&, const Transition&) = default;
};

struct RightsizingSummary {
  std::optional<std::string> cpu, memory, last_event;  // printer columns
  friend bool operator==(const RightsizingSummary&, const RightsizingSummary&) = default;
};

struct RightsizingStatus {
  static constexpr std::size_t kMaxHistory = 10;

  std::optional<std::int64_t> observed_generation;
  std::optional<RightsizingPhase> phase;
  std::optional<RightsizingSummary> summary;
  std::optional<std::int32_t> replicas;
  std::vector<ContainerStatus> containers;
  HeapOptional<CanaryStatus> canary;  // on the heap: absent but in a rollout
  HeapOptional<LastRollback> last_rollback;
  std::optional<MonthlyCostText> monthly_cost;
  std::vector<Transition> history;  // oldest first, at most kMaxHistory
  std::vector<Condition> conditions;
  friend bool operator==(const RightsizingStatus&, const RightsizingStatus&) = default;
};

// Appends a transition, dropping the oldest beyond kMaxHistory.
void record_transition(RightsizingStatus& status, Transition t);

// `status` is the object at .status (null or absent: an empty status).
Result<RightsizingStatus> rightsizing_status_from_json(const nlohmann::json& status);
nlohmann::json rightsizing_status_to_json(const RightsizingStatus& status);

}  // namespace policies
