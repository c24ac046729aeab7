// Auto mode's inputs to the state machine (rollout_inputs.h).
#include "controller/rollout_inputs.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "controller/rightsizing_builder.h"
#include "controller/status_bounds.h"
#include "policies/status_conditions.h"
#include "policies/step_planner.h"

namespace controller {
namespace {

// The API server's defaults for a RollingUpdate Deployment.
constexpr std::string_view kDefaultMaxUnavailable = "25%";
constexpr std::string_view kDefaultMaxSurge = "25%";

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0) return std::nullopt;
  return value;
}

// The bounds the value was judged against: absolute, and the baseline's.
std::string bound_text(const CheckVerdict& c) {
  std::string out;
  if (c.max && c.min) {
    out = "[" + format_value(*c.min) + ", " + format_value(*c.max) + "]";
  } else if (c.max) {
    out = "max " + format_value(*c.max);
  } else if (c.min) {
    out = "min " + format_value(*c.min);
  }
  const auto limit = c.min && !c.max ? c.baseline_low : c.baseline_high;
  if (c.baseline_used && limit) {
    if (!out.empty()) out += ", ";
    out += (c.min && !c.max ? "baseline min " : "baseline max ") + format_value(*limit);
  }
  return out;
}

bool allow_git_ops(const policies::RightsizePolicySpec& policy) {
  return policy.rollout.allow_git_ops;
}

std::optional<double> side_value(const Measurement& m, const CheckVerdict& c) {
  return c.min && !c.max ? m.low : m.high;
}

policies::CheckRecord record(const CheckVerdict& c) {
  policies::CheckRecord r;
  r.name = c.name;
  if (const auto v = side_value(c.canary, c)) r.value = format_value(*v);
  if (c.min) r.min = format_value(*c.min);
  if (c.max) r.max = format_value(*c.max);
  switch (c.outcome) {
    case policies::CheckOutcome::Pass:
      r.result = policies::CheckResult::Pass;
      break;
    case policies::CheckOutcome::Fail:
      r.result = policies::CheckResult::Fail;
      break;
    case policies::CheckOutcome::Skip:
      r.result = policies::CheckResult::Skip;
      break;
  }
  if (!c.reason.empty()) r.message = bounded_text(c.reason, kMaxMessage);
  return r;
}

}  // namespace

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : "?";
}

policies::ContainerSizes live_sizes(const Workload& workload) {
  policies::ContainerSizes sizes;
  for (const auto& c : workload.containers) sizes.emplace(c.name, c.resources);
  return sizes;
}

std::optional<policies::PlannedRolloutStep> plan_next_step(
    const policies::RightsizePolicySpec& policy, const Workload& workload,
    const Recommendations& recommendations) {
  policies::PlannedRolloutStep step;
  step.sizes = live_sizes(workload);
  bool changes = false;
  for (const auto& c : workload.containers) {
    const auto rec = recommendations.find(c.name);
    if (rec == recommendations.end() ||
        rec->second.status == policies::RecommendationStatus::NotEnoughData) {
      continue;
    }
    const auto current = policies::with_defaulted_requests(c.resources);
    const auto planned = policies::plan_step(policy, current, rec->second);
    if (!planned.changes()) continue;
    changes = true;
    step.sizes[c.name] = planned.resources;
    step.needs_canary = step.needs_canary || planned.needs_canary;
    step.decreases = step.decreases || planned.cpu == policies::StepDirection::Down ||
                     planned.memory == policies::StepDirection::Down;
    step.oom_bump =
        step.oom_bump || (rec->second.oom_bumped && planned.memory == policies::StepDirection::Up);
  }
  if (!changes) return std::nullopt;
  return step;
}

namespace {

// intstr.GetScaledValueFromIntOrPercent: an absolute count, or a percentage
// of replicas rounded down or up; `unparseable` for text that is neither.
std::int32_t scaled_int_or_percent(std::string_view text, std::int32_t replicas, bool round_up,
                                   std::int32_t unparseable) {
  if (text.ends_with('%')) {
    const auto percent = parse_int(text.substr(0, text.size() - 1));
    if (!percent) return unparseable;
    const std::int64_t scaled = std::int64_t{replicas} * *percent + (round_up ? 99 : 0);
    return static_cast<std::int32_t>(scaled / 100);
  }
  const auto absolute = parse_int(text);
  return absolute ? static_cast<std::int32_t>(std::min<std::int64_t>(*absolute, INT32_MAX))
                  : unparseable;
}

}  // namespace

std::int32_t resolve_max_unavailable(std::string_view text, std::int32_t replicas) {
  // Rounded down; unparseable: assume pods may go down (the blocking side).
  return scaled_int_or_percent(text.empty() ? kDefaultMaxUnavailable : text, replicas,
                               /*round_up=*/false, /*unparseable=*/1);
}

std::int32_t resolve_max_surge(std::string_view text, std::int32_t replicas) {
  // Rounded up; unparseable: assume no surge (the fencepost then takes a pod down).
  return scaled_int_or_percent(text.empty() ? kDefaultMaxSurge : text, replicas,
                               /*round_up=*/true, /*unparseable=*/0);
}

std::int32_t pods_taken_down(const Workload& workload) {
  // A StatefulSet's RollingUpdate replaces one pod at a time.
  if (workload.ref.kind == WorkloadKind::StatefulSet) return 1;
  const std::int32_t replicas = std::max(workload.replicas, 0);
  // Recreate stops every old pod before it starts a new one.
  if (workload.update_strategy == "Recreate") return replicas;
  auto unavailable = resolve_max_unavailable(workload.max_unavailable, replicas);
  // The Deployment controller's ResolveFenceposts: when both resolve to 0
  // (maxUnavailable rounded down), it takes one pod down anyway.
  if (unavailable == 0 && resolve_max_surge(workload.max_surge, replicas) == 0) unavailable = 1;
  return std::min(unavailable, replicas);
}

bool pdb_blocks(const Workload& workload, std::span<const std::shared_ptr<const PdbInfo>> pdbs) {
  const std::int32_t takes_down = pods_taken_down(workload);
  if (takes_down == 0) return false;
  return std::ranges::any_of(pdbs, [&](const auto& pdb) {
    return pdb && pdb->namespace_name == workload.ref.namespace_name &&
           takes_down > pdb->disruptions_allowed && pdb_selects(*pdb, workload.template_labels);
  });
}

namespace {

using Block = std::optional<policies::RolloutBlock>;

// What the workload's own update strategy makes impossible or unsafe for a
// new step.
Block strategy_block(const BlockInput& in) {
  const Workload& w = *in.workload;
  const bool stateful = w.ref.kind == WorkloadKind::StatefulSet;
  if (stateful && w.update_strategy == "OnDelete") {
    return policies::RolloutBlock{
        "UnsupportedUpdateStrategy",
        "the StatefulSet's updateStrategy is OnDelete: a template change reaches no pod until "
        "someone deletes it, so a step could be neither canaried nor verified"};
  }
  if (stateful && !in.step_in_flight && w.partition.value_or(0) > 0) {
    return policies::RolloutBlock{"PartitionInUse",
                                  "the StatefulSet's partition is " + std::to_string(*w.partition) +
                                      " while no step of Rightsizer's is in flight: a partitioned "
                                      "rollout of someone else's is in progress"};
  }
  if (stateful && in.needs_canary &&
      w.replicas <= std::max(1, in.policy->rollout.canary_replicas)) {
    return policies::RolloutBlock{
        "NoCanaryPossible", "the StatefulSet has " + std::to_string(w.replicas) +
                                " replica(s), no more than canaryReplicas: its canary would be "
                                "the whole workload, with no baseline"};
  }
  if (!stateful && w.spec_paused) {
    return policies::RolloutBlock{
        "DeploymentPaused",
        "the Deployment's spec.paused is true: its controller rolls nothing out, so a "
        "promotion could never take effect"};
  }
  return std::nullopt;
}

// What a rollout of the workload's own template would fight or break: an
// HPA, a GitOps applier, a PodDisruptionBudget.
Block conflict_block(const BlockInput& in) {
  const Workload& w = *in.workload;
  if (!in.policy->rollout.allow_hpa_conflict && hpa_conflicts(w, in.hpas)) {
    return policies::RolloutBlock{
        "HPAConflict",
        "a HorizontalPodAutoscaler scales this workload on the cpu or memory it sizes"};
  }
  if (!w.gitops_manager.empty() && !allow_git_ops(*in.policy)) {
    return policies::RolloutBlock{
        "ManagedByGitOps", w.gitops_manager +
                               " manages the containers' resources; apply the recommendation "
                               "through it (rightsizer recommend -o patch)"};
  }
  return std::nullopt;
}

Block pdb_block(const BlockInput& in) {
  if (!pdb_blocks(*in.workload, in.pdbs)) return std::nullopt;
  return policies::RolloutBlock{"PDBViolation",
                                "a PodDisruptionBudget allows fewer disruptions than the " +
                                    std::to_string(pods_taken_down(*in.workload)) +
                                    " pod(s) the rollout would take down at once"};
}

}  // namespace

std::optional<policies::RolloutBlock> find_rollout_block(const BlockInput& in) {
  const Workload& w = *in.workload;
  if (w.paused) {
    return policies::RolloutBlock{"Paused",
                                  "the workload is annotated rightsizer.io/paused: \"true\""};
  }
  if (in.blackout_until) {
    return policies::RolloutBlock{
        "BlackoutWindow",
        "a blackout window is open until " + policies::format_timestamp(*in.blackout_until)};
  }
  if (auto block = conflict_block(in)) return block;
  if (auto block = strategy_block(in)) return block;
  if (auto block = pdb_block(in)) return block;
  if (in.health.failing()) {
    // The error itself is in the MetricsAvailable condition, which keeps the
    // first text of an outage: a text that varies from pass to pass (503,
    // timeout) here would rewrite every workload's status on each pass.
    return policies::RolloutBlock{
        "MetricsUnavailable",
        "no new step without fresh usage: the namespace's pod metrics cannot be listed "
        "(the MetricsAvailable condition says why)"};
  }
  return std::nullopt;
}

std::optional<policies::RolloutBlock> find_promotion_block(const BlockInput& in) {
  const Workload& w = *in.workload;
  if (auto block = conflict_block(in)) return block;
  if (w.ref.kind == WorkloadKind::StatefulSet && w.update_strategy == "OnDelete") {
    return policies::RolloutBlock{
        "UnsupportedUpdateStrategy",
        "the StatefulSet's updateStrategy is OnDelete: a promotion would reach no pod"};
  }
  if (w.ref.kind == WorkloadKind::Deployment && w.spec_paused) {
    return policies::RolloutBlock{
        "DeploymentPaused",
        "the Deployment's spec.paused is true: its controller rolls nothing out, so a "
        "promotion could never take effect"};
  }
  return pdb_block(in);
}

std::optional<policies::ManualAction> parse_manual_action(std::string_view text) {
  if (text == "promote") return policies::ManualAction::Promote;
  if (text == "abort") return policies::ManualAction::Abort;
  if (text == "retry") return policies::ManualAction::Retry;
  return std::nullopt;
}

policies::AnalysisOutcome to_outcome(const Verdict& verdict) {
  policies::AnalysisOutcome out;
  out.passed = verdict.passed && !verdict.inconclusive;
  for (const auto& c : verdict.checks) out.checks.push_back(record(c));
  if (out.passed) return out;
  const auto failing = std::ranges::find_if(verdict.checks, [](const CheckVerdict& c) {
    return c.outcome == policies::CheckOutcome::Fail;
  });
  if (failing == verdict.checks.end()) {
    out.failed_check = "inconclusive";
    out.message = "no check could be judged (all skipped, or none): not a pass";
    return out;
  }
  const auto& c = *failing;
  out.failed_check = c.name;
  if (const auto v = side_value(c.canary, c)) out.observed = format_value(*v);
  out.threshold = bound_text(c);
  if (c.baseline_used) {
    if (const auto b = side_value(c.baseline, c)) out.baseline = format_value(*b);
  }
  out.message = bounded_text(c.reason, kMaxMessage);
  return out;
}

}  // namespace controller
