#include "policies/rollout.h"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <utility>

#include "policies/quantity.h"

namespace policies {
namespace {

using std::chrono::seconds;

// While a mutation is not yet visible or not yet in effect, look again soon.
constexpr seconds kEffectPoll{5};
constexpr seconds kMinRequeue{1};
// Names listed in an Event before "and N more" (Verifying analyses all pods).
constexpr std::size_t kMaxPodsInMessage = 5;

// ---------------------------------------------------------------- texts

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string requests_text(const ContainerResources& r) {
  return "cpu " + format_millicores(r.requests.cpu_millicores) + " memory " +
         format_bytes(r.requests.memory_bytes);
}

std::string sizes_text(const ContainerSizes& sizes) {
  std::vector<std::string> parts;
  for (const auto& [name, r] : sizes) parts.push_back(name + " " + requests_text(r));
  return join(parts, ", ");
}

// "app cpu 16→8" for the requests a step changes.
std::string change_text(const ContainerSizes& from, const ContainerSizes& to) {
  std::vector<std::string> parts;
  for (const auto& [name, r] : to) {
    const auto it = from.find(name);
    const Resources before =
        it == from.end() ? Resources{} : with_defaulted_requests(it->second).requests;
    std::string p;
    if (before.cpu_millicores != r.requests.cpu_millicores)
      p += " cpu " + format_millicores(before.cpu_millicores) + "→" +
           format_millicores(r.requests.cpu_millicores);
    if (before.memory_bytes != r.requests.memory_bytes)
      p += " memory " + format_bytes(before.memory_bytes) + "→" +
           format_bytes(r.requests.memory_bytes);
    if (!p.empty()) parts.push_back(name + p);
  }
  return parts.empty() ? "limits only" : join(parts, ", ");
}

std::string pods_text(const std::vector<std::string>& pods) {
  if (pods.empty()) return "(none recorded)";
  if (pods.size() <= kMaxPodsInMessage) return join(pods, ", ");
  const std::vector<std::string> first(pods.begin(), pods.begin() + kMaxPodsInMessage);
  return join(first, ", ") + " and " + std::to_string(pods.size() - kMaxPodsInMessage) + " more";
}

std::string floor_text(const RollbackRecord& r) {
  if (!r.until) return "no floor";  // set only with a floor
  std::vector<std::string> parts;
  for (const auto& [name, f] : r.floor) {
    std::string p = name;
    if (f.requests.cpu_millicores > 0) p += " cpu " + format_millicores(f.requests.cpu_millicores);
    if (f.requests.memory_bytes > 0) p += " memory " + format_bytes(f.requests.memory_bytes);
    parts.push_back(p);
  }
  return "floor " + join(parts, ", ") + " until " + format_timestamp(*r.until);
}

// ---------------------------------------------------------------- state changes

RolloutAction make_action(ActionKind kind, const ContainerSizes& sizes) {
  return {kind, sizes, step_hash(sizes)};
}

// Whether the step lowers any request below what lastGood runs with.
bool step_decreases(const ContainerSizes& step, const ContainerSizes& last_good) {
  for (const auto& [name, r] : step) {
    const auto it = last_good.find(name);
    if (it == last_good.end()) continue;
    const Resources before = with_defaulted_requests(it->second).requests;
    if (r.requests.cpu_millicores < before.cpu_millicores ||
        r.requests.memory_bytes < before.memory_bytes)
      return true;
  }
  return false;
}

// The failed step's decreased requests (others 0); containers without a
// decrease have no floor.
ContainerSizes floor_of(const ContainerSizes& step, const ContainerSizes& last_good) {
  ContainerSizes floor;
  for (const auto& [name, r] : step) {
    const auto it = last_good.find(name);
    if (it == last_good.end()) continue;
    const Resources before = with_defaulted_requests(it->second).requests;
    ContainerResources f;
    if (r.requests.cpu_millicores < before.cpu_millicores)
      f.requests.cpu_millicores = r.requests.cpu_millicores;
    if (r.requests.memory_bytes < before.memory_bytes)
      f.requests.memory_bytes = r.requests.memory_bytes;
    if (f.requests != Resources{}) floor.emplace(name, f);
  }
  return floor;
}

// A new stage (Canary, Promoting, Verifying, RolledBack) starts its clocks
// and counts afresh.
void start_stage(RolloutState& s, Timestamp now) {
  s.started_at = now;
  s.effective_at.reset();
  s.not_effective_since.reset();
  s.last_analysis_at.reset();
  s.passed = 0;
  s.failed = 0;
}

// No step in flight: what an Idle phase keeps is lastGood and the last
// rollback (its floor may still hold).
void clear_step(RolloutState& s) {
  s.step_hash.clear();
  s.step.clear();
  s.pods.clear();
  s.baseline_pods.clear();
  s.started_at.reset();
  s.effective_at.reset();
  s.not_effective_since.reset();
  s.last_analysis_at.reset();
  s.passed = 0;
  s.failed = 0;
  s.last_checks.clear();
}

RolloutResult unchanged(const RolloutState& state, const RolloutInput& in) {
  RolloutResult r;
  r.next = state;
  // An annotation is executed once: where the table has no row for it, it is
  // removed without effect.
  r.action_consumed = in.action.has_value();
  return r;
}

// A row that acts on something other than the manual action (a stray
// canary, a restore still pending): the annotation stays for a later tick.
RolloutResult pending(const RolloutState& state, const RolloutInput& in) {
  RolloutResult r = unchanged(state, in);
  r.action_consumed = false;
  r.requeue_after = kEffectPoll;
  return r;
}

void go_to(RolloutResult& r, RightsizingPhase to, std::string reason) {
  r.transition_reason = std::move(reason);
  r.next.phase = to;
}

void act(RolloutResult& r, ActionKind kind, const ContainerSizes& sizes) {
  r.actions.push_back(make_action(kind, sizes));
}

void emit(RolloutResult& r, bool warning, std::string reason, std::string message) {
  r.events.push_back({warning, std::move(reason), std::move(message)});
}

// Once a stage has been in effect, a pod that loses readiness late in a long
// analysis is not a step that failed to roll out: the deadline counts from
// the loss of effect.
bool deadline_passed(const RolloutState& s, const RolloutPolicy& p, Timestamp now) {
  const Timestamp start =
      s.effective_at ? s.not_effective_since.value_or(now) : s.started_at.value_or(now);
  return now - start >= p.progress_deadline;
}

void note_no_effect(RolloutState& s, Timestamp now) {
  if (s.effective_at && !s.not_effective_since) s.not_effective_since = now;
}

// Records the stage's first observed effect (the analysis clock starts) and
// the pods it runs on.
void note_effect(RolloutState& s, const StageObservation& stage, Timestamp now) {
  if (!s.effective_at) s.effective_at = now;
  s.not_effective_since.reset();
  s.pods = stage.pods;
  s.baseline_pods = stage.baseline_pods;
}

enum class Judgement { Undecided, Breached, Passed };

// Counts one analysis of the stage: Breached at failureThreshold failures,
// Passed at `passes_needed` consecutive passes.
Judgement count_analysis(RolloutState& s, const AnalysisOutcome& a, Timestamp now,
                         const RolloutPolicy& p, std::int32_t passes_needed) {
  s.last_analysis_at = now;
  s.last_checks = a.checks;
  if (a.passed) {
    ++s.passed;
    return s.passed >= passes_needed ? Judgement::Passed : Judgement::Undecided;
  }
  ++s.failed;
  s.passed = 0;  // passes count consecutively
  return s.failed >= p.failure_threshold ? Judgement::Breached : Judgement::Undecided;
}

// The step is good: it becomes lastGood and nothing is in flight.
void settle(RolloutState& s) {
  s.last_good = s.step;
  clear_step(s);
}

std::optional<seconds> until_next_analysis(const RolloutState& s, const RolloutPolicy& p,
                                           Timestamp now) {
  if (!s.effective_at) return kEffectPoll;
  const auto due = s.last_analysis_at.value_or(*s.effective_at) + p.analysis_interval;
  const auto left = std::chrono::ceil<seconds>(due - now);
  return std::max(left, kMinRequeue);
}

// ---------------------------------------------------------------- rows

enum class RollbackCause { SloBreach, ProgressDeadline, Aborted };

struct RollbackContext {
  RollbackCause cause;
  const AnalysisOutcome* analysis = nullptr;  // SloBreach only
  ActionKind action;                          // AbortCanary (Canary) or Restore
};

std::string rollback_message(const RolloutState& s, const RollbackRecord& rec,
                             const RollbackContext& c, const RolloutInput& in) {
  const bool canary = c.action == ActionKind::AbortCanary;
  std::string why;
  switch (c.cause) {
    case RollbackCause::SloBreach:
      why = rec.check + " " + rec.observed + " > " + rec.threshold;
      if (!rec.baseline.empty()) why += " (baseline " + rec.baseline + ")";
      why += std::string(canary ? " on canary pods " : " after promotion on pods ") +
             pods_text(s.pods);
      if (!c.analysis->message.empty()) why += " (" + c.analysis->message + ")";
      break;
    case RollbackCause::ProgressDeadline:
      why = "step not in effect within progressDeadline " +
            format_duration(in.policy->rollout.progress_deadline);
      if (!in.stage.detail.empty()) why += " (" + in.stage.detail + ")";
      break;
    case RollbackCause::Aborted:
      why = "aborted by the rightsizer.io/action annotation";
      break;
  }
  return why + "; restoring " + sizes_text(s.last_good) + "; " + floor_text(rec);
}

RolloutResult roll_back(const RolloutState& state, const RolloutInput& in,
                        const RollbackContext& c) {
  RolloutResult r = unchanged(state, in);
  RolloutState& s = r.next;
  RollbackRecord rec;
  rec.at = in.now;
  std::string reason;
  switch (c.cause) {
    case RollbackCause::SloBreach:
      rec.reason = "SLOBreach";
      rec.check = c.analysis->failed_check;
      rec.observed = c.analysis->observed;
      rec.threshold = c.analysis->threshold;
      rec.baseline = c.analysis->baseline;
      reason = "SLOBreach: " + rec.check;
      break;
    case RollbackCause::ProgressDeadline:
      rec.reason = reason = "ProgressDeadlineExceeded";
      break;
    case RollbackCause::Aborted:
      rec.reason = reason = "Aborted";
      break;
  }
  rec.floor = floor_of(s.step, s.last_good);
  if (!rec.floor.empty())
    rec.until = in.now + std::chrono::ceil<seconds>(in.policy->rollout.cooldown);
  s.last_rollback = rec;
  emit(r, true, "RightsizeRolledBack", rollback_message(s, rec, c, in));
  // The failed stage's pods and counts stay in status for `kubectl describe`;
  // the restore's deadline counts from now.
  s.started_at = in.now;
  s.not_effective_since.reset();
  act(r, c.action, s.last_good);
  go_to(r, RightsizingPhase::RolledBack, reason);
  r.requeue_after = kEffectPoll;
  return r;
}

// Paused, or a blackout window opened: the canary ends without a floor (the
// step did not fail). Until the workload is back at lastGood with no canary
// left, this is a stage in flight (RolledBack, step and lastGood kept, the
// last rollback record unchanged): a StatefulSet's template carries the step
// until AbortCanary lands, and a crash before it must not lose that.
RolloutResult abort_canary_unfailed(const RolloutState& state, const RolloutInput& in,
                                    const std::string& reason, const std::string& why) {
  RolloutResult r = unchanged(state, in);
  act(r, ActionKind::AbortCanary, state.last_good);
  emit(r, false, "RightsizeBlocked",
       "canary of step " + state.step_hash + " aborted: " + why + "; keeping " +
           sizes_text(state.last_good));
  r.next.started_at = in.now;
  r.next.not_effective_since.reset();
  go_to(r, RightsizingPhase::RolledBack, reason);
  r.requeue_after = kEffectPoll;
  return r;
}

// A RolledBack stage that came from an unfailed abort: roll_back() records
// the rollback at the stage's start, an unfailed abort leaves the record
// (if any) at an earlier time.
bool aborted_unfailed(const RolloutState& s) {
  return !s.last_rollback || !s.started_at || s.last_rollback->at != *s.started_at;
}

RolloutResult promote(const RolloutState& state, const RolloutInput& in, const char* reason) {
  RolloutResult r = unchanged(state, in);
  start_stage(r.next, in.now);
  act(r, ActionKind::Promote, state.step);
  go_to(r, RightsizingPhase::Promoting, reason);
  r.requeue_after = kEffectPoll;
  return r;
}

// A canary that passed while a block holds its promotion (the rollout of
// the workload would break a PDB, fight an HPA or a GitOps applier, or not
// run at all): the canary only adds pods, so it stays, no longer analysed,
// until the block lifts. Its pass is the last analysis; held for
// progressDeadline since then, it ends without a floor (the step did not
// fail), and Idle shows the block.
RolloutResult hold_promotion(RolloutResult r, const RolloutInput& in) {
  const RolloutState& s = r.next;
  const RolloutBlock& block = *in.block;
  const Timestamp passed_at = s.last_analysis_at.value_or(in.now);
  if (in.now - passed_at >= in.policy->rollout.progress_deadline) {
    return abort_canary_unfailed(s, in, block.reason,
                                 "its promotion was blocked for progressDeadline " +
                                     format_duration(in.policy->rollout.progress_deadline) + " (" +
                                     block.reason + ": " + block.message + ")");
  }
  if (in.analysis) {
    emit(r, true, "RightsizeBlocked",
         "canary of step " + s.step_hash + " passed; its promotion waits: " + block.reason + ": " +
             block.message);
  }
  r.requeue_after = kEffectPoll;
  return r;
}

RolloutResult start_step(const RolloutState& state, const RolloutInput& in,
                         const PlannedRolloutStep& next) {
  RolloutResult r = unchanged(state, in);
  RolloutState& s = r.next;
  clear_step(s);
  s.step = next.sizes;
  s.step_hash = step_hash(next.sizes);
  s.last_good = in.live;
  start_stage(s, in.now);
  r.requeue_after = kEffectPoll;
  const std::string change = change_text(in.live, next.sizes);
  if (next.needs_canary) {
    act(r, ActionKind::StartCanary, next.sizes);
    emit(r, false, "RightsizeCanaryStarted",
         "step " + s.step_hash + " on " + std::to_string(in.policy->rollout.canary_replicas) +
             " canary replica(s): " + change);
    go_to(r, RightsizingPhase::Canary, "CanaryStarted");
    return r;
  }
  act(r, ActionKind::Promote, next.sizes);
  if (next.oom_bump)
    emit(r, false, "RightsizeOOMBump", "memory raised after an OOMKill, no canary: " + change);
  go_to(r, RightsizingPhase::Promoting, next.oom_bump ? "OOMBump" : "Increase");
  return r;
}

// ---------------------------------------------------------------- phases

// The rollback is over: no step in flight, the record and its floor stay.
// The phase is the caller's, as for any Idle state (no transition reason).
RolloutState settled(const RolloutState& state, const ContainerSizes& at) {
  RolloutState s = state;
  clear_step(s);
  s.last_good = at;
  s.phase = RightsizingPhase::Observing;
  return s;
}

// A manual retry lifts the last rollback's floor (the record stays).
RolloutResult retry(const RolloutState& state, const RolloutInput& in) {
  RolloutResult r = unchanged(state, in);
  clear_step(r.next);
  if (r.next.last_rollback) {
    r.next.last_rollback->floor.clear();
    r.next.last_rollback->until.reset();
  }
  go_to(r, RightsizingPhase::Observing, "Retry");
  return r;
}

RolloutResult advance_idle(const RolloutState& state, const RolloutInput& in) {
  if (in.canary_exists) {
    // A canary nobody tracks (e.g. left by an opt-out or a crash): remove it.
    // With lastGood known, AbortCanary also puts a StatefulSet's template
    // back; otherwise the workload keeps what it runs.
    RolloutResult r = pending(state, in);
    if (state.last_good.empty())
      act(r, ActionKind::FinishCanary, in.live);
    else
      act(r, ActionKind::AbortCanary, state.last_good);
    return r;
  }
  // A settled rollback keeps its floor; retry still lifts it.
  if (in.action == ManualAction::Retry && state.last_rollback && state.last_rollback->until)
    return retry(state, in);
  if (!in.next || in.block) return unchanged(state, in);
  return start_step(state, in, *in.next);
}

RolloutResult advance_canary(const RolloutState& state, const RolloutInput& in) {
  const RolloutPolicy& p = in.policy->rollout;
  if (in.paused) return abort_canary_unfailed(state, in, "Paused", "paused");
  if (in.blackout)
    return abort_canary_unfailed(state, in, "BlackoutWindow", "a blackout window opened");
  if (in.action == ManualAction::Abort)
    return roll_back(state, in, {RollbackCause::Aborted, nullptr, ActionKind::AbortCanary});
  if (in.action == ManualAction::Promote && !in.block)
    return promote(state, in, "PromoteRequested");
  RolloutResult r = unchanged(state, in);
  // A manual promote waits for the block to lift (a rollback still ends it).
  if (in.action == ManualAction::Promote) r.action_consumed = false;
  RolloutState& s = r.next;
  r.requeue_after = kEffectPoll;
  // The deadline holds whatever keeps the step from taking effect, also a
  // mutation the API server rejects on every attempt (webhook, RBAC, 422).
  if (!in.stage.applied || !in.stage.effective) {
    // The canary once in effect is gone or stale (deleted, or made from an
    // older template of the workload): its replacement is a new canary,
    // judged anew, with the clocks of a new stage.
    if (!in.stage.applied && s.effective_at) {
      start_stage(s, in.now);
      // A promote waiting for a block approved the canary that is gone.
      r.action_consumed = in.action.has_value();
    }
    note_no_effect(s, in.now);
    // A canary that passed and then lost its pods (a drain, no capacity)
    // proved nothing wrong with the step: it ends without a floor.
    if (deadline_passed(s, p, in.now)) {
      if (s.passed >= p.successful_checks)
        return abort_canary_unfailed(state, in, "ProgressDeadlineExceeded",
                                     "its pods stopped running after it passed");
      return roll_back(state, in,
                       {RollbackCause::ProgressDeadline, nullptr, ActionKind::AbortCanary});
    }
    if (!in.stage.applied) act(r, ActionKind::StartCanary, s.step);
    return r;
  }
  note_effect(s, in.stage, in.now);
  // A canary held by a block has passed already (no analysis is due while it
  // is held). Once the block lifts, a pass older than analysisInterval does
  // not promote: the canary is judged again first (it may have degraded
  // while it waited).
  const bool fresh_pass = s.last_analysis_at && in.now < *s.last_analysis_at + p.analysis_interval;
  const Judgement j = in.analysis ? count_analysis(s, *in.analysis, in.now, p, p.successful_checks)
                      : s.passed >= p.successful_checks && (in.block || fresh_pass)
                          ? Judgement::Passed
                          : Judgement::Undecided;
  if (j == Judgement::Breached)
    return roll_back(s, in, {RollbackCause::SloBreach, &*in.analysis, ActionKind::AbortCanary});
  if (j == Judgement::Passed) {
    if (in.block) return hold_promotion(std::move(r), in);
    return promote(s, in, "CanaryPassed");
  }
  r.requeue_after = until_next_analysis(s, p, in.now);
  return r;
}

RolloutResult advance_promoting(const RolloutState& state, const RolloutInput& in) {
  if (in.action == ManualAction::Abort)
    return roll_back(state, in, {RollbackCause::Aborted, nullptr, ActionKind::Restore});
  RolloutResult r = unchanged(state, in);
  RolloutState& s = r.next;
  r.requeue_after = kEffectPoll;
  if (!in.stage.applied) {
    if (deadline_passed(s, in.policy->rollout, in.now))
      return roll_back(state, in, {RollbackCause::ProgressDeadline, nullptr, ActionKind::Restore});
    act(r, ActionKind::Promote, s.step);
    return r;
  }
  if (!in.stage.effective) {
    if (deadline_passed(s, in.policy->rollout, in.now))
      return roll_back(state, in, {RollbackCause::ProgressDeadline, nullptr, ActionKind::Restore});
    return r;
  }
  act(r, ActionKind::FinishCanary, s.step);
  emit(r, false, "RightsizePromoted",
       "step " + s.step_hash + " in effect on the workload: " + change_text(s.last_good, s.step));
  if (step_decreases(s.step, s.last_good)) {
    start_stage(s, in.now);
    go_to(r, RightsizingPhase::Verifying, "Promoted");
    return r;
  }
  // Increases only: nothing to verify against the SLOs; the new size is good.
  settle(s);
  r.requeue_after.reset();
  go_to(r, RightsizingPhase::Rightsized, "Promoted");
  return r;
}

RolloutResult advance_verifying(const RolloutState& state, const RolloutInput& in) {
  const RolloutPolicy& p = in.policy->rollout;
  if (in.action == ManualAction::Abort)
    return roll_back(state, in, {RollbackCause::Aborted, nullptr, ActionKind::Restore});
  RolloutResult r = unchanged(state, in);
  RolloutState& s = r.next;
  if (!in.stage.applied || !in.stage.effective) {
    // Nothing to judge: analyses of pods without the step are not counted.
    note_no_effect(s, in.now);
    r.requeue_after = kEffectPoll;
    if (in.stage.applied || !deadline_passed(s, p, in.now)) return r;
    // The template no longer carries the step (someone else changed it):
    // stop here, without making the step lastGood.
    r.next = settled(state, in.live);
    go_to(r, RightsizingPhase::Recommended, "ChangedOutsideRightsizer");
    r.requeue_after.reset();
    return r;
  }
  note_effect(s, in.stage, in.now);
  const Judgement j = in.analysis
                          ? count_analysis(s, *in.analysis, in.now, p, p.post_promotion_checks)
                          : Judgement::Undecided;
  if (j == Judgement::Breached)
    return roll_back(s, in, {RollbackCause::SloBreach, &*in.analysis, ActionKind::Restore});
  if (j == Judgement::Passed) {
    emit(r, false, "RightsizeVerified",
         "step " + s.step_hash + " verified after " + std::to_string(s.passed) +
             " passing analyses: " + sizes_text(s.step));
    settle(s);
    go_to(r, RightsizingPhase::Rightsized, "Verified");
    return r;
  }
  r.requeue_after = until_next_analysis(s, p, in.now);
  return r;
}

RolloutResult advance_rolled_back(const RolloutState& state, const RolloutInput& in) {
  // Neither lastGood nor the step: someone else changed the template since;
  // their change stands and nothing is restored over it.
  if (in.live != state.last_good && in.live != state.step)
    return advance_idle(settled(state, in.live), in);
  // Until the restore has landed, a manual action waits (not consumed).
  if (in.live != state.last_good) {
    RolloutResult r = pending(state, in);
    if (aborted_unfailed(state))
      act(r, ActionKind::AbortCanary, state.last_good);  // the abort itself is not paused
    else if (!in.paused)
      act(r, ActionKind::Restore, state.last_good);
    return r;
  }
  if (in.canary_exists) {
    RolloutResult r = pending(state, in);
    act(r, ActionKind::AbortCanary, state.last_good);
    return r;
  }
  if (!in.stage.applied || !in.stage.effective) return pending(state, in);  // rolling out
  if (in.action == ManualAction::Retry) return retry(state, in);
  return advance_idle(settled(state, state.last_good), in);
}

}  // namespace

bool ended_without_failure(const RolloutState& state) {
  return state.phase == RightsizingPhase::RolledBack && aborted_unfailed(state);
}

std::string step_hash(const ContainerSizes& sizes) {
  // Canonical text: containers in name order (the map's), every request and
  // limit as canonical quantity text, "-" for no limit. Container names are
  // DNS labels, so the separators cannot occur in them.
  std::string text;
  const auto limit = [](const std::optional<std::int64_t>& v, auto format) {
    return v ? format(*v) : std::string("-");
  };
  for (const auto& [name, r] : sizes) {
    text += name + ":" + format_millicores(r.requests.cpu_millicores) + "," +
            format_bytes(r.requests.memory_bytes) + "," +
            limit(r.limits.cpu_millicores, format_millicores) + "," +
            limit(r.limits.memory_bytes, format_bytes) + ";";
  }
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;  // FNV-1a 64 prime
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return std::string("rs-") + hex;
}

bool in_flight(RightsizingPhase phase) {
  switch (phase) {
    case RightsizingPhase::Canary:
    case RightsizingPhase::Promoting:
    case RightsizingPhase::Verifying:
    case RightsizingPhase::RolledBack:
      return true;
    default:
      return false;
  }
}

const char* to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::StartCanary:
      return "StartCanary";
    case ActionKind::AbortCanary:
      return "AbortCanary";
    case ActionKind::Promote:
      return "Promote";
    case ActionKind::FinishCanary:
      return "FinishCanary";
    case ActionKind::Restore:
      return "Restore";
  }
  return "Unknown";
}

bool analysis_due(const RolloutState& state, const RolloutPolicy& rollout, Timestamp now,
                  bool held) {
  if (state.phase != RightsizingPhase::Canary && state.phase != RightsizingPhase::Verifying)
    return false;
  if (!state.effective_at) return false;
  // A passed canary waits for a block to lift (hold_promotion); unblocked,
  // a stale pass is judged again before the promotion (advance_canary).
  if (state.phase == RightsizingPhase::Canary && state.passed >= rollout.successful_checks && held)
    return false;
  return now >= state.last_analysis_at.value_or(*state.effective_at) + rollout.analysis_interval;
}

RolloutResult advance(const RolloutState& state, const RolloutInput& input) {
  switch (state.phase) {
    case RightsizingPhase::Canary:
      return advance_canary(state, input);
    case RightsizingPhase::Promoting:
      return advance_promoting(state, input);
    case RightsizingPhase::Verifying:
      return advance_verifying(state, input);
    case RightsizingPhase::RolledBack:
      return advance_rolled_back(state, input);
    default:
      return advance_idle(state, input);
  }
}

std::optional<CooldownFloor> active_floor(const RolloutState& state, const std::string& container,
                                          Timestamp now) {
  const auto& rb = state.last_rollback;
  if (!rb || !rb->until || now >= *rb->until) return std::nullopt;
  const auto it = rb->floor.find(container);
  if (it == rb->floor.end()) return std::nullopt;
  return CooldownFloor{it->second.requests, *rb->until};
}

}  // namespace policies
