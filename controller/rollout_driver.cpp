// Auto mode's reconcile (rollout_driver.h): observe, analyse, advance, write
// ahead, act.
#include "controller/rollout_driver.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

#include "controller/api_resources.h"
#include "controller/auto_status.h"
#include "controller/rollout_inputs.h"
#include "controller/slo_analysis.h"
#include "controller/status_bounds.h"
#include "policies/blackout_window.h"

namespace controller {

using nlohmann::json;
using policies::RightsizingPhase;

// Everything one drive() reads, gathered once.
struct RolloutDriver::Tick {
  const Workload* workload = nullptr;
  const RightsizingObject* rsz = nullptr;
  const policies::RightsizePolicySpec* policy = nullptr;
  RightsizingInput in;
  std::vector<std::shared_ptr<const PdbInfo>> pdbs;
  RightsizingPlan plan;
};

namespace {

k8s::ObjectRef rightsizing_ref(const RightsizingObject& rsz, std::string subresource = "") {
  return {rightsizings(), rsz.namespace_name, rsz.name, std::move(subresource)};
}

std::string endpoint_key(const policies::PrometheusEndpoint& e) {
  return e.address + "|" + std::to_string(std::chrono::milliseconds(e.timeout).count());
}

// The sizes a stage in flight is about: what a rollback restores while
// RolledBack, the step otherwise.
const policies::ContainerSizes& stage_sizes(const policies::RolloutState& state) {
  return state.phase == RightsizingPhase::RolledBack ? state.last_good : state.step;
}

// Prometheus could not even be asked: every check errs, the analysis fails.
policies::AnalysisOutcome unreachable(const policies::RightsizePolicySpec& policy,
                                      const std::string& why) {
  policies::AnalysisOutcome out;
  for (const auto& check : policy.slos.checks) {
    out.checks.push_back(
        {check.name, std::nullopt, std::nullopt, std::nullopt, policies::CheckResult::Error, why});
  }
  out.failed_check = "prometheus";
  out.message = why;
  return out;
}

const char* check_result_label(std::optional<policies::CheckResult> r) {
  switch (r.value_or(policies::CheckResult::Error)) {
    case policies::CheckResult::Pass:
      return "pass";
    case policies::CheckResult::Fail:
      return "fail";
    case policies::CheckResult::Skip:
      return "skip";
    case policies::CheckResult::Error:
      break;
  }
  return "error";
}

// What abort_canary ends: a Deployment's canary; any stage of a StatefulSet
// (its template may carry an unverified step) that has a lastGood to restore.
bool must_end(const policies::RolloutState& state, WorkloadKind kind) {
  if (kind == WorkloadKind::StatefulSet) {
    return policies::in_flight(state.phase) && !state.last_good.empty();
  }
  return state.phase == RightsizingPhase::Canary;
}

bool blocked_event_due(const policies::RightsizingStatus& old,
                       const std::optional<policies::RolloutBlock>& block) {
  if (!block) return false;
  const auto* was = policies::find_condition(old.conditions, kBlockedCondition);
  return was == nullptr || was->status != policies::ConditionStatus::True ||
         was->reason != block->reason;
}

}  // namespace

RolloutDriver::RolloutDriver(const ClusterView& view, k8s::ApiClient& client,
                             PrometheusFactory prometheus, Actuators actuators, EventSink events,
                             k8s::Clock& clock, RolloutMetrics metrics)
    : view_(view),
      client_(client),
      prometheus_(std::move(prometheus)),
      actuators_(std::move(actuators)),
      events_(std::move(events)),
      clock_(clock),
      metrics_(std::move(metrics)) {}

Actuator& RolloutDriver::actuator_for(WorkloadKind kind) const {
  return kind == WorkloadKind::StatefulSet ? *actuators_.stateful_set : *actuators_.deployment;
}

k8s::Result<bool> RolloutDriver::drive(RightsizingInput in, const RightsizingObject& rsz,
                                       ReconcileOutcome& outcome, const k8s::CallContext& ctx) {
  const policies::RightsizingStatus old =
      in.old != nullptr ? *in.old : policies::RightsizingStatus{};
  auto parsed = policies::rollout_state_from_status(old);
  if (!parsed) return write_failed(std::move(in), rsz, parsed.error(), outcome, ctx);
  policies::RolloutState state = *std::move(parsed);
  // Corrected after Failed: the state reads as the phase it stood in then
  // (rollout_state_from_status), and the rollout goes on from there; from
  // idle, a step in flight would be neither verified nor rolled back. Its
  // stage's clocks ran while nothing could act: progressDeadline from now.
  const bool corrected = old.phase == RightsizingPhase::Failed;
  if (corrected &&
      (state.phase == RightsizingPhase::Canary || state.phase == RightsizingPhase::Promoting ||
       state.phase == RightsizingPhase::Verifying)) {
    if (!state.effective_at && state.started_at) state.started_at = in.now;
    if (state.not_effective_since) state.not_effective_since = in.now;
  }
  Tick tick;
  tick.workload = in.workload;
  tick.rsz = &rsz;
  tick.policy = &in.policy->parsed.spec;
  for (const auto& c : in.workload->containers) {
    if (auto floor = policies::active_floor(state, c.name, in.now))
      in.floors.emplace(c.name, *floor);
  }
  tick.plan = build_rightsizing_status(in);
  tick.pdbs = view_.pdbs_in(in.workload->ref.namespace_name);
  tick.in = std::move(in);
  tick.in.old = &old;
  const auto input = observe(tick, state);
  auto result = policies::advance(state, input);
  // A step in flight resumes under this reason; an idle phase is decided
  // afresh (paused, blackout, a new recommendation).
  if (corrected && !result.transition_reason && policies::in_flight(result.next.phase)) {
    result.transition_reason = "StatusCorrected";
  }
  auto status = tick.plan.status;
  compose_auto_status({&old, &state, &result, &input, tick.workload, tick.policy, tick.in.now},
                      status);
  bound_to_schema(status);
  const bool invalid_action = rsz.action && !input.action;
  // A valid action with nothing in flight to act on is spent too.
  const bool idle_action = input.action && !result.action_consumed &&
                           !policies::in_flight(state.phase) &&
                           !policies::in_flight(result.next.phase);
  if (result.requeue_after) {
    const std::chrono::nanoseconds wanted = *result.requeue_after;
    outcome.requeue_after =
        outcome.requeue_after ? std::min(*outcome.requeue_after, wanted) : wanted;
  }
  bool written = false;
  if (status != old || !result.actions.empty()) {
    // A status written anyway carries fresh learning (as in Recommend mode):
    // only figures and checkpoints that merely grew wait for the interval.
    // Without it, a step started minutes after the first samples left a
    // checkpoint of those first samples, and a restart then lost the
    // confidence the step was taken on.
    if (!tick.in.refresh_learning) {
      refresh_learning(status, tick.in);
      bound_to_schema(status);
    }
    auto put = put_status(rsz, status, outcome, ctx);
    if (!put) return put.error();
    written = true;
  }
  auto acted = execute(tick, result, outcome, ctx);
  // From the phase the machine stood in (a corrected Failed's is the one it resumed).
  count_transition(state.phase, *status.phase, result.next);
  // The builder's Recommended event only while Auto mode shows that phase;
  // its Blocked event gives way to Auto mode's blocks.
  for (const auto& e : tick.plan.events) {
    if (e.reason == "RightsizeRecommended" && status.phase == RightsizingPhase::Recommended) {
      emit(*tick.workload, false, e.reason, e.message);
    }
  }
  for (const auto& e : result.events) emit(*tick.workload, e.warning, e.reason, e.message);
  if (blocked_event_due(old, input.block) && !policies::in_flight(result.next.phase)) {
    emit(*tick.workload, true, "RightsizeBlocked",
         input.block->reason + ": " + input.block->message);
  }
  if (!acted) return acted.error();
  if (invalid_action) {
    emit(*tick.workload, true, "RightsizeActionRejected",
         "rightsizer.io/action \"" + *rsz.action +
             "\" is not one of promote, abort, retry; removed");
  } else if (idle_action) {
    emit(*tick.workload, true, "RightsizeActionIgnored",
         "rightsizer.io/action \"" + *rsz.action + "\": no step is in flight; removed");
  }
  if (result.action_consumed || invalid_action || idle_action) {
    auto removed = remove_action(rsz, outcome, ctx);
    if (!removed) return removed.error();
  }
  return written;
}

policies::RolloutInput RolloutDriver::observe(const Tick& tick,
                                              const policies::RolloutState& state) {
  const Workload& w = *tick.workload;
  const auto& spec = *tick.policy;
  policies::RolloutInput input;
  input.policy = &spec;
  input.now = tick.in.now;
  input.live = live_sizes(w);
  const auto& actuator = actuator_for(w.ref.kind);
  input.canary_exists = actuator.canary_exists(view_, w);
  input.next = plan_next_step(spec, w, tick.plan.recommendations);
  const auto until = policies::blocked_until(spec.rollout.blackout_windows, input.now);
  input.paused = w.paused;
  input.blackout = until.has_value();
  const BlockInput blocks{&w,
                          &spec,
                          tick.in.hpas,
                          tick.pdbs,
                          tick.in.health,
                          until,
                          policies::in_flight(state.phase),
                          input.next && input.next->needs_canary};
  // A canary in flight is held only by what its promotion would break.
  input.block = state.phase == RightsizingPhase::Canary ? find_promotion_block(blocks)
                                                        : find_rollout_block(blocks);
  if (tick.rsz->action) input.action = parse_manual_action(*tick.rsz->action);
  if (policies::in_flight(state.phase)) {
    const auto& sizes = stage_sizes(state);
    const StageContext stage{&w, tick.rsz, &spec, state.phase, sizes, policies::step_hash(sizes)};
    input.stage = actuator.observe(view_, stage);
    input.analysis = analyse(tick, state, input.stage, input.block.has_value());
  }
  return input;
}

std::optional<policies::AnalysisOutcome> RolloutDriver::analyse(
    const Tick& tick, const policies::RolloutState& state, const policies::StageObservation& stage,
    bool held) {
  const auto& spec = *tick.policy;
  if (!policies::analysis_due(state, spec.rollout, tick.in.now, held)) return std::nullopt;
  auto querier = prometheus_for(spec.slos.prometheus);
  policies::AnalysisOutcome outcome;
  if (!querier) {
    outcome = unreachable(spec, querier.error().describe());
  } else {
    const AnalysisTarget target{tick.workload->ref.namespace_name, tick.workload->ref.name,
                                stage.pods, stage.baseline_pods};
    // The analysis' time is taken after the reads, as the queries run now.
    outcome = to_outcome(run_analysis(**querier, spec.slos.checks, target, clock_.wall_now()));
  }
  if (metrics_.slo_check) {
    for (const auto& c : outcome.checks) metrics_.slo_check(check_result_label(c.result));
  }
  return outcome;
}

PromResult<std::shared_ptr<PrometheusQuerier>> RolloutDriver::prometheus_for(
    const policies::PrometheusEndpoint& endpoint) {
  const auto key = endpoint_key(endpoint);
  {
    std::lock_guard lock(mu_);
    if (auto it = queriers_.find(key); it != queriers_.end()) return it->second;
  }
  if (!prometheus_)
    return PromError{PromErrorKind::Config, "no Prometheus client configured", 0, ""};
  auto made = prometheus_(endpoint);
  if (!made) return made.error();  // not kept: a later analysis asks again
  std::lock_guard lock(mu_);
  return queriers_.emplace(key, *made).first->second;
}

k8s::Result<bool> RolloutDriver::write_failed(RightsizingInput in, const RightsizingObject& rsz,
                                              const std::string& error, ReconcileOutcome& outcome,
                                              const k8s::CallContext& ctx) {
  const policies::RightsizingStatus old =
      in.old != nullptr ? *in.old : policies::RightsizingStatus{};
  auto status = build_rightsizing_status(in).status;
  // The builder's conditions go on (MetricsAvailable); Ready and Blocked are
  // set below, from the stored ones.
  auto conditions = status.conditions;
  // The builder's own phase change (and its LAST-EVENT) is not this one:
  // keep_rollout_fields puts back the stored history and LAST-EVENT.
  keep_rollout_fields(old, status);
  status.conditions = std::move(conditions);
  const std::string why = "the rollout state in the Rightsizing status does not parse (" + error +
                          "); no action until it is corrected";
  const bool failing_now = old.phase != RightsizingPhase::Failed;
  if (failing_now) {
    std::optional<std::string> from;
    if (old.phase) from = policies::to_string(*old.phase);
    policies::record_transition(
        status, {in.now, std::move(from), "Failed", std::string(kStatusUnreadable)});
    if (status.summary) status.summary->last_event = "Failed";
  }
  status.phase = RightsizingPhase::Failed;
  set_failed_conditions(old, status, in.workload->generation, why, in.now);
  bound_to_schema(status);
  if (status == old) return false;
  if (!in.refresh_learning) {  // written anyway: with fresh learning (drive())
    refresh_learning(status, in);
    bound_to_schema(status);
  }
  auto put = put_status(rsz, status, outcome, ctx);
  // As drive(): the Event after the write that records the transition, so a
  // refused write (409) is not announced twice.
  if (put && failing_now) emit(*in.workload, true, "RightsizeFailed", why);
  return put;
}

k8s::Result<bool> RolloutDriver::put_status(const RightsizingObject& rsz,
                                            const policies::RightsizingStatus& s,
                                            ReconcileOutcome& outcome,
                                            const k8s::CallContext& ctx) {
  const json body = {{"apiVersion", kApiVersion},
                     {"kind", "Rightsizing"},
                     {"metadata",
                      {{"name", rsz.name},
                       {"namespace", rsz.namespace_name},
                       {"resourceVersion", rsz.resource_version}}},
                     {"status", policies::rightsizing_status_to_json(s)}};
  auto put = client_.replace(rightsizing_ref(rsz, "status"), body, {}, ctx);
  ++outcome.writes;
  // A conflict is not retried here: the actions were decided on the cached
  // state, so the next reconcile decides again from fresher caches.
  if (!put) return put.error();
  return true;
}

k8s::Result<bool> RolloutDriver::execute(const Tick& tick, const policies::RolloutResult& result,
                                         ReconcileOutcome& outcome, const k8s::CallContext& ctx) {
  auto& actuator = actuator_for(tick.workload->ref.kind);
  for (const auto& action : result.actions) {
    const StageContext stage{tick.workload,     tick.rsz,     tick.policy,
                             result.next.phase, action.sizes, action.hash};
    auto done = actuator.execute(action, stage, ctx);
    if (!done) return done.error();
    outcome.writes += *done;
  }
  return true;
}

k8s::Result<bool> RolloutDriver::remove_action(const RightsizingObject& rsz,
                                               ReconcileOutcome& outcome,
                                               const k8s::CallContext& ctx) {
  const json patch = {{"metadata", {{"annotations", {{std::string(kActionAnnotation), nullptr}}}}}};
  auto patched = client_.patch(rightsizing_ref(rsz), k8s::PatchType::Merge, patch, {}, ctx);
  ++outcome.writes;
  if (!patched) return patched.error();
  return true;
}

k8s::Result<RolloutDriver::Aborted> RolloutDriver::abort_canary(const Workload& workload,
                                                                const RightsizingObject& rsz,
                                                                const k8s::CallContext& ctx) {
  if (!rsz.status_error.empty()) return Aborted{};
  const auto state = policies::rollout_state_from_status(rsz.status);
  if (!state || !must_end(*state, workload.ref.kind)) return Aborted{};
  // The actuator reads the policy's canary settings; a policy gone meanwhile
  // leaves the defaults, which is enough to end the canary.
  static const policies::RightsizePolicySpec kDefaults;
  const auto policy = view_.policy(rsz.namespace_name, rsz.policy_ref);
  const auto* spec = policy && policy->parsed.valid() ? &policy->parsed.spec : &kDefaults;
  const policies::RolloutAction action{policies::ActionKind::AbortCanary, state->last_good,
                                       policies::step_hash(state->last_good)};
  const StageContext stage{&workload, &rsz, spec, state->phase, action.sizes, action.hash};
  auto done = actuator_for(workload.ref.kind).execute(action, stage, ctx);
  if (!done) return done.error();
  // Nothing written: the canary was gone already (deleted by hand, or this
  // ran before after a status write that failed). Ended all the same, or
  // the stage would be ended again, and announced, on every reconcile.
  if (*done > 0) {
    emit(workload, false, "RightsizeCanaryAborted",
         "Auto mode no longer drives the workload: the canary of step " + state->step_hash +
             " ended, the workload keeps its last good size");
  }
  return Aborted{true, *done};
}

void RolloutDriver::emit(const Workload& w, bool warning, const std::string& reason,
                         const std::string& message) const {
  if (!events_) return;
  events_(k8s::InvolvedObject{"apps/v1", to_string(w.ref.kind), w.ref.namespace_name, w.ref.name,
                              w.uid},
          warning ? k8s::EventType::Warning : k8s::EventType::Normal, reason, message);
}

void RolloutDriver::count_transition(RightsizingPhase from, RightsizingPhase to,
                                     const policies::RolloutState& next) const {
  if (!metrics_.canary || from == to) return;
  if (to == RightsizingPhase::Canary) metrics_.canary("started");
  if (from == RightsizingPhase::Canary && to == RightsizingPhase::Promoting) {
    metrics_.canary("promoted");
  }
  // A canary ended by a pause or a blackout window did not fail.
  if (to == RightsizingPhase::RolledBack) {
    metrics_.canary(policies::ended_without_failure(next) ? "aborted" : "rolled_back");
  }
}

}  // namespace controller
