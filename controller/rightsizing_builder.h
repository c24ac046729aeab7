#pragma once
// The status a Rightsizing should have in Recommend mode (DESIGN §3–4): a
// pure function of the caches' workload, pods and HPAs, copies of the usage
// learnt, the policy, the status as stored, the namespace's sampling health
// and the time. No I/O: the reconciler compares the answer with the stored
// status (models, not text) and writes only a difference.
//
//   phase    Paused     when the workload is annotated rightsizer.io/paused
//            Recommended when policies::recommend is Ready for every container
//            Observing  otherwise; unchanged (with the recommendations) while
//                       the policy is missing or invalid: no action then
//   Blocked  True, by precedence: PolicyNotFound, InvalidPolicy, Paused,
//            HPAConflict (an HPA on this workload scaling on cpu or memory,
//            unless rollout.allowHpaConflict); else False
//   Ready    True exactly when the phase is Recommended and nothing blocks
//   MetricsAvailable  False (MetricsUnavailable, the sampler's last error)
//            while the namespace's sampling fails; Unknown before any
//   monthlyCost  current × replicas always; target and savings with a
//            recommendation for every container
//   events   RightsizeRecommended when a recommendation appears or changes,
//            RightsizeBlocked when Blocked turns True or changes reason
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "controller/cluster_objects.h"
#include "controller/usage_store.h"
#include "k8s/event_recorder.h"
#include "policies/container_usage.h"
#include "policies/recommender.h"
#include "policies/rightsizing_status.h"

namespace controller {

inline constexpr std::string_view kReadyCondition = "Ready";
inline constexpr std::string_view kBlockedCondition = "Blocked";
inline constexpr std::string_view kMetricsCondition = "MetricsAvailable";

// Longest checkpoint the CRD accepts; a longer one is not written.
inline constexpr std::size_t kMaxCheckpointChars = 8192;

struct RightsizingInput {
  const Workload* workload = nullptr;  // required
  std::span<const std::shared_ptr<const PodInfo>> pods;
  std::span<const std::shared_ptr<const HpaInfo>> hpas;
  // What was learnt per container name (canaries excluded); absent: nothing yet.
  std::map<std::string, policies::ContainerUsage, std::less<>> usage;
  const PolicyObject* policy = nullptr;              // nullptr: not found
  const policies::RightsizingStatus* old = nullptr;  // nullptr: none stored
  SamplingHealth health;
  policies::Timestamp now{};
  // false: usage figures and checkpoints are kept as stored for containers
  // that have them, so that growing histograms alone cause no write.
  bool refresh_learning = true;
  // Auto mode: a rollback's cooldown floor per container name
  // (policies::active_floor), which the recommendations stay above.
  std::map<std::string, policies::CooldownFloor, std::less<>> floors;
};

struct PlannedEvent {
  k8s::EventType type = k8s::EventType::Normal;
  std::string reason, message;
  friend bool operator==(const PlannedEvent&, const PlannedEvent&) = default;
};

struct RightsizingPlan {
  policies::RightsizingStatus status;
  std::vector<PlannedEvent> events;  // to record once the status is written
  // The recommender's answers per container name (Auto mode plans its next
  // step from them); absent while the policy is missing or invalid.
  std::map<std::string, policies::Recommendation, std::less<>> recommendations;
};

RightsizingPlan build_rightsizing_status(const RightsizingInput& in);
// Puts fresh usage figures and checkpoints from `in.usage` into the
// containers of `status` (a container with nothing learnt keeps what it
// has), as build_rightsizing_status does with refresh_learning: a status
// written anyway carries the learning too.
void refresh_learning(policies::RightsizingStatus& status, const RightsizingInput& in);

// The latest OOMKill of a container among the pods (its request and limit at
// the time), for the recommender's bump; nullopt when none is visible.
std::optional<policies::OomKill> latest_oom_kill(
    std::span<const std::shared_ptr<const PodInfo>> pods, std::string_view container);

// Whether an HPA scales the workload on a resource the policy sizes.
bool hpa_conflicts(const Workload& workload, std::span<const std::shared_ptr<const HpaInfo>> hpas);

// The Blocked condition: True with the reason and message when `reason` is
// non-empty, else False (NotBlocked). Recommend mode and Auto mode share it.
policies::Condition blocked_condition(std::int64_t generation, std::string_view reason = {},
                                      std::string_view message = {});

// Requests and limits as status text (canonical quantities; zero = not set).
policies::StatusResources to_status_resources(const policies::ContainerResources& r);

}  // namespace controller
