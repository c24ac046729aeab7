#pragma once
// What Auto mode feeds the rollout state machine (policies/rollout.h), as
// pure functions of the caches' objects, the recommendations and the time:
// the live sizes, the planned next step, why a new step may not start, the
// manual action, and the SLO gate's verdict reduced to an AnalysisOutcome.
//
//   block (first wins): Paused, BlackoutWindow, HPAConflict (unless
//     rollout.allowHpaConflict), ManagedByGitOps (a GitOps applier owns the
//     containers' fields, unless rollout.allowGitOps), PDBViolation (a PDB
//     selecting the template's labels allows fewer disruptions than the
//     rollout takes pods down at once: pods_taken_down), MetricsUnavailable (the namespace's
//     sampling fails: no new step without fresh usage); before PDBViolation, what the update
//     strategy rules out: UnsupportedUpdateStrategy (StatefulSet OnDelete),
//     PartitionInUse (a StatefulSet partition > 0 with no step of ours in
//     flight), NoCanaryPossible (a StatefulSet with replicas ≤ canaryReplicas
//     when the step needs a canary), DeploymentPaused (spec.paused)
//   promotion block (a canary in flight; first wins): HPAConflict,
//     ManagedByGitOps, UnsupportedUpdateStrategy, DeploymentPaused,
//     PDBViolation: what the promotion's rollout would fight, break, or never
//     run; not what only a new step needs (fresh usage, a canary possible)
//   next step: per container policies::plan_step(policy, current, its
//     recommendation) when the recommendation is Ready (or an OOM bump);
//     the step carries every container, changed or not
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "controller/cluster_objects.h"
#include "controller/slo_analysis.h"
#include "controller/usage_store.h"
#include "policies/recommender.h"
#include "policies/rollout.h"

namespace controller {

// The workload template's requests and limits as written, per container.
policies::ContainerSizes live_sizes(const Workload& workload);

using Recommendations = std::map<std::string, policies::Recommendation, std::less<>>;

// nullopt when no container changes.
std::optional<policies::PlannedRolloutStep> plan_next_step(
    const policies::RightsizePolicySpec& policy, const Workload& workload,
    const Recommendations& recommendations);

struct BlockInput {
  const Workload* workload = nullptr;                     // required
  const policies::RightsizePolicySpec* policy = nullptr;  // required
  std::span<const std::shared_ptr<const HpaInfo>> hpas;
  std::span<const std::shared_ptr<const PdbInfo>> pdbs;
  SamplingHealth health;
  // The end of the blackout window open now (policies::blocked_until).
  std::optional<policies::Timestamp> blackout_until;
  bool step_in_flight = false;  // a stage of ours is in flight (policies::in_flight)
  bool needs_canary = false;    // the next step goes through a canary
};

std::optional<policies::RolloutBlock> find_rollout_block(const BlockInput& in);
std::optional<policies::RolloutBlock> find_promotion_block(const BlockInput& in);

// Whether a PodDisruptionBudget selecting the workload's pods allows fewer
// disruptions than its rollout takes pods down at once.
bool pdb_blocks(const Workload& workload, std::span<const std::shared_ptr<const PdbInfo>> pdbs);

// How many pods a rollout of the workload's template takes down at once: 1
// for a StatefulSet (RollingUpdate), every replica for a Recreate
// Deployment, else the resolved maxUnavailable, 1 when maxSurge and
// maxUnavailable both resolve to 0 (the Deployment controller's
// ResolveFenceposts); never more than the replicas.
std::int32_t pods_taken_down(const Workload& workload);

// A Deployment's maxUnavailable ("25%" when unset) resolved against its
// replicas, rounded down as the Deployment controller does.
std::int32_t resolve_max_unavailable(std::string_view text, std::int32_t replicas);
// Its maxSurge ("25%" when unset), rounded up as the controller does.
std::int32_t resolve_max_surge(std::string_view text, std::int32_t replicas);

// "promote" | "abort" | "retry"; nullopt for anything else.
std::optional<policies::ManualAction> parse_manual_action(std::string_view text);

// The SLO gate's verdict for the state machine and status: an inconclusive
// verdict is a failure (fail closed); the first failing check names the
// rollback.
policies::AnalysisOutcome to_outcome(const Verdict& verdict);

// A number as status text: shortest round-trip form, "NaN", "+Inf", "-Inf".
std::string format_value(double value);

}  // namespace controller
