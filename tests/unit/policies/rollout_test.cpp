#include "policies/rollout.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policies/step_planner.h"

namespace {

using namespace std::chrono_literals;
using policies::ActionKind;
using policies::AnalysisOutcome;
using policies::ContainerResources;
using policies::ContainerSizes;
using policies::ManualAction;
using policies::PlannedRolloutStep;
using policies::RightsizingPhase;
using policies::RolloutInput;
using policies::RolloutResult;
using policies::RolloutState;
using policies::Timestamp;

constexpr std::int64_t kGi = 1LL << 30;
const Timestamp kT0{std::chrono::sys_days{std::chrono::year{2026} / 11 / 28}.time_since_epoch()};

ContainerResources size(std::int64_t millicores, std::int64_t bytes) {
  return {{millicores, bytes}, {millicores, bytes}};
}

// The workload runs 16 cores / 32Gi; the step tries 8 cores / 32Gi.
const ContainerSizes kLarge{{"app", size(16000, 32 * kGi)}};
const ContainerSizes kSmall{{"app", size(8000, 32 * kGi)}};

policies::RightsizePolicySpec test_policy() {
  policies::RightsizePolicySpec p;
  p.rollout.successful_checks = 3;
  p.rollout.failure_threshold = 2;
  p.rollout.post_promotion_checks = 2;
  p.rollout.analysis_interval = 60s;
  p.rollout.progress_deadline = 10min;
  p.rollout.cooldown = 6h;
  return p;
}
const policies::RightsizePolicySpec kPolicy = test_policy();

AnalysisOutcome passed() {
  AnalysisOutcome a;
  a.passed = true;
  a.checks = {{"trade-latency-p99", "0.1", std::nullopt, "0.25", policies::CheckResult::Pass, {}}};
  return a;
}

AnalysisOutcome failed() {
  AnalysisOutcome a;
  a.passed = false;
  a.checks = {{"trade-latency-p99", "0.31", std::nullopt, "0.25", policies::CheckResult::Fail, {}}};
  a.failed_check = "trade-latency-p99";
  a.observed = "0.31";
  a.threshold = "0.25";
  a.baseline = "0.12";
  return a;
}

// A step in flight: canary of kSmall against lastGood kLarge, started at kT0.
RolloutState in_flight_state(RightsizingPhase phase) {
  RolloutState s;
  s.phase = phase;
  s.step = kSmall;
  s.step_hash = policies::step_hash(kSmall);
  s.last_good = kLarge;
  s.started_at = kT0;
  s.pods = {"web-rightsizer-canary-abc"};
  if (phase == RightsizingPhase::RolledBack) {
    // The stage's own rollback, recorded at its start (no floor here).
    policies::RollbackRecord rec;
    rec.at = kT0;
    rec.reason = "SLOBreach";
    s.last_rollback = rec;
  }
  return s;
}

// Two minutes in; the stage's mutation is visible and in effect.
RolloutInput base_input() {
  RolloutInput in;
  in.policy = &kPolicy;
  in.now = kT0 + 2min;
  in.live = kLarge;
  in.stage.applied = true;
  in.stage.effective = true;
  in.stage.pods = {"web-rightsizer-canary-abc"};
  in.stage.baseline_pods = {"web-1", "web-2"};
  return in;
}

PlannedRolloutStep planned(const ContainerSizes& sizes, bool canary) {
  PlannedRolloutStep p;
  p.sizes = sizes;
  p.needs_canary = canary;
  p.decreases = canary;
  return p;
}

// ------------------------------------------------------------ the table

struct Row {
  const char* name;  // the row of the table in rollout.h
  RightsizingPhase from;
  void (*arrange)(RolloutState&, RolloutInput&);
  RightsizingPhase to;
  std::vector<ActionKind> actions;
  bool floor = false;            // a rollback that sets a floor
  int passed = -1, failed = -1;  // -1: not checked
  bool silent = false;        // a move to Idle whose phase the caller picks (no transition reason)
  bool keeps_action = false;  // a row acting on something else: the action is not consumed
};

class Transitions : public testing::TestWithParam<Row> {};

TEST_P(Transitions, Row) {
  const Row& row = GetParam();
  RolloutState state = policies::in_flight(row.from) ? in_flight_state(row.from) : RolloutState{};
  state.phase = row.from;
  RolloutInput in = base_input();
  row.arrange(state, in);
  const RolloutResult r = policies::advance(state, in);

  EXPECT_EQ(r.next.phase, row.to);
  std::vector<ActionKind> kinds;
  for (const auto& a : r.actions) {
    kinds.push_back(a.kind);
    EXPECT_EQ(a.hash, policies::step_hash(a.sizes));
    if (a.kind == ActionKind::StartCanary || a.kind == ActionKind::Promote) {
      EXPECT_EQ(a.sizes, in.next ? in.next->sizes : state.step);
    }
    if (a.kind == ActionKind::AbortCanary || a.kind == ActionKind::Restore) {
      EXPECT_EQ(a.sizes, state.last_good);
    }
  }
  EXPECT_EQ(kinds, row.actions);
  const bool has_floor = r.next.last_rollback && !r.next.last_rollback->floor.empty() &&
                         r.next.last_rollback->until.has_value();
  EXPECT_EQ(has_floor, row.floor);
  if (row.passed >= 0) {
    EXPECT_EQ(r.next.passed, row.passed);
  }
  if (row.failed >= 0) {
    EXPECT_EQ(r.next.failed, row.failed);
  }
  EXPECT_EQ(r.transition_reason.has_value(), row.from != row.to && !row.silent);
  EXPECT_EQ(r.action_consumed, in.action.has_value() && !row.keeps_action);
}

constexpr auto kIdle = RightsizingPhase::Recommended;
constexpr auto kCanary = RightsizingPhase::Canary;
constexpr auto kPromoting = RightsizingPhase::Promoting;
constexpr auto kVerifying = RightsizingPhase::Verifying;
constexpr auto kRolledBack = RightsizingPhase::RolledBack;
constexpr auto kRightsized = RightsizingPhase::Rightsized;
constexpr auto kPaused = RightsizingPhase::Paused;
constexpr auto kWaiting = RightsizingPhase::Waiting;
constexpr auto kObserving = RightsizingPhase::Observing;
using AK = ActionKind;

// Arrangements: each sets up one condition of the table on the base state
// (a step in flight started at kT0) and input (two minutes in, applied and
// in effect).
void nothing(RolloutState&, RolloutInput&) {}
void stray_canary(RolloutState&, RolloutInput& in) {
  in.canary_exists = true;
  in.next = planned(kSmall, true);
}
void blocked_step(RolloutState&, RolloutInput& in) {
  in.next = planned(kSmall, true);
  in.block = policies::RolloutBlock{"BlackoutWindow", "window open"};
}
void step_without_canary(RolloutState&, RolloutInput& in) {
  in.next = planned(kSmall, false);
}
void step_with_canary(RolloutState&, RolloutInput& in) {
  in.next = planned(kSmall, true);
}
void paused(RolloutState&, RolloutInput& in) {
  in.paused = true;
}
void blackout(RolloutState&, RolloutInput& in) {
  in.blackout = true;
}
void abort_action(RolloutState&, RolloutInput& in) {
  in.action = ManualAction::Abort;
}
void promote_action(RolloutState&, RolloutInput& in) {
  in.action = ManualAction::Promote;
}
void retry_action(RolloutState&, RolloutInput& in) {
  in.action = ManualAction::Retry;
}
void not_applied(RolloutState&, RolloutInput& in) {
  in.stage = {};
}
void not_applied_late(RolloutState& s, RolloutInput& in) {
  in.now = kT0 + 11min;  // the progress deadline is 10 minutes
  s.started_at = kT0;
  in.stage = {};
  in.stage.detail = "admission webhook denied the request";
}
void not_effective(RolloutState&, RolloutInput& in) {
  in.stage.effective = false;
}
void not_effective_late(RolloutState& s, RolloutInput& in) {
  in.now = kT0 + 11min;  // the progress deadline is 10 minutes
  s.started_at = kT0;
  in.stage.effective = false;
}
void not_effective_failed(RolloutState&, RolloutInput& in) {
  in.stage.effective = false;
  in.analysis = failed();  // not counted: nothing in effect to judge
}
void failed_at_threshold(RolloutState& s, RolloutInput& in) {
  s.failed = 1;  // threshold 2
  in.analysis = failed();
}
void failed_after_passes(RolloutState& s, RolloutInput& in) {
  s.passed = 1;
  in.analysis = failed();
}
void passed_enough_canary(RolloutState& s, RolloutInput& in) {
  s.passed = 2;  // successfulChecks 3
  s.failed = 1;  // the promotion counts afresh
  in.analysis = passed();
}
void passed_once_more(RolloutState& s, RolloutInput& in) {
  s.passed = 1;
  s.failed = 1;
  in.analysis = passed();
}
void increase_only(RolloutState& s, RolloutInput&) {
  s.step = kLarge;
  s.last_good = kSmall;
}
void memory_increase_only(RolloutState& s, RolloutInput&) {
  s.last_good = kSmall;
  s.step = {{"app", size(8000, 40 * kGi)}};  // same cpu, more memory
}
void passed_enough_verifying(RolloutState& s, RolloutInput& in) {
  s.passed = 1;  // postPromotionChecks 2
  in.analysis = passed();
}
void passed_first(RolloutState&, RolloutInput& in) {
  in.analysis = passed();
}
void live_not_last_good(RolloutState&, RolloutInput& in) {
  in.live = kSmall;
  in.action = ManualAction::Retry;  // waits: the restore comes first
}
void earlier_floor(RolloutState& s, RolloutInput&) {
  policies::RollbackRecord rec;
  rec.at = kT0;
  rec.reason = "SLOBreach";
  rec.floor = {{"app", size(8000, 0)}};
  rec.until = kT0 + 6h;
  s.last_rollback = rec;
}
void retry_with_floor(RolloutState& s, RolloutInput& in) {
  earlier_floor(s, in);
  in.action = ManualAction::Retry;
}
void restore_not_effective(RolloutState& s, RolloutInput& in) {
  earlier_floor(s, in);
  in.stage.effective = false;
}
void changed_by_someone_else(RolloutState& s, RolloutInput& in) {
  earlier_floor(s, in);
  in.live = {{"app", size(16000, 48 * kGi)}};  // e.g. `kubectl set resources`
}
void paused_before_restore(RolloutState&, RolloutInput& in) {
  in.live = kSmall;
  in.paused = true;
}
void stray_canary_last_good_known(RolloutState& s, RolloutInput& in) {
  s.last_good = kLarge;
  in.live = kSmall;  // a StatefulSet's template still carries the step
  in.canary_exists = true;
}
void abort_not_landed_paused(RolloutState& s, RolloutInput& in) {
  s.last_rollback.reset();  // an unfailed abort: no rollback of this stage
  in.live = kSmall;
  in.paused = true;
}
void abort_landed_in_blackout(RolloutState& s, RolloutInput& in) {
  s.last_rollback.reset();
  in.blackout = true;
}
void canary_left_retry(RolloutState&, RolloutInput& in) {
  in.canary_exists = true;
  in.action = ManualAction::Retry;
}
void stray_canary_with_action(RolloutState&, RolloutInput& in) {
  in.canary_exists = true;
  in.action = ManualAction::Retry;
}
void lost_effect_recently(RolloutState& s, RolloutInput& in) {
  in.now = kT0 + 11min;  // started more than the 10-minute deadline ago
  s.effective_at = kT0 + 1min;
  s.not_effective_since = kT0 + 10min + 30s;  // a canary pod rescheduled
  in.stage.effective = false;
}
void lost_effect_long_ago(RolloutState& s, RolloutInput& in) {
  in.now = kT0 + 11min;
  s.effective_at = kT0 + 30s;
  s.not_effective_since = kT0 + 1min;
  in.stage.effective = false;
}
void verifying_not_applied_pass(RolloutState& s, RolloutInput& in) {
  s.passed = 1;  // postPromotionChecks 2: a counted pass would settle
  in.analysis = passed();
  in.stage = {};
}
void verifying_not_effective_pass(RolloutState& s, RolloutInput& in) {
  s.passed = 1;
  in.analysis = passed();
  in.stage.effective = false;
}
void verifying_changed_outside(RolloutState&, RolloutInput& in) {
  in.now = kT0 + 11min;
  in.stage = {};
  in.live = {{"app", size(16000, 48 * kGi)}};
}
void retry_without_floor(RolloutState& s, RolloutInput& in) {
  s.last_rollback = policies::RollbackRecord{};  // an increase's rollback: no floor to lift
  in.action = ManualAction::Retry;
}
void verifying_not_effective_late(RolloutState&, RolloutInput& in) {
  in.now = kT0 + 11min;
  in.stage.effective = false;  // the template carries the step: not someone else's change
}
void abort_not_landed_earlier_record(RolloutState& s, RolloutInput& in) {
  s.last_rollback->at = kT0 - 1h;  // an earlier stage's rollback, not this one's
  in.live = kSmall;
  in.paused = true;
}
void canary_left(RolloutState&, RolloutInput& in) {
  in.canary_exists = true;
}
void new_step_above_floor(RolloutState&, RolloutInput& in) {
  in.next = planned(ContainerSizes{{"app", size(12000, 32 * kGi)}}, true);
}

// A PodDisruptionBudget at disruptionsAllowed 0 after a node drain, seen
// while the canary runs.
const policies::RolloutBlock kPdbBlock{"PDBViolation", "a PodDisruptionBudget allows 0"};
void passes_pdb_violation_now(RolloutState& s, RolloutInput& in) {
  passed_enough_canary(s, in);
  in.block = kPdbBlock;
}
// The canary passed at kT0 + 5min and has been held since.
void held(RolloutState& s, RolloutInput& in) {
  s.passed = 3;
  s.effective_at = kT0 + 1min;
  s.last_analysis_at = kT0 + 5min;
  in.now = kT0 + 6min;
  in.block = kPdbBlock;
}
void held_block_lifted(RolloutState& s, RolloutInput& in) {
  held(s, in);
  in.now = kT0 + 5min + 59s;  // the pass is less than analysisInterval old
  in.block.reset();
}
// The block lifted after analysisInterval: the stale pass promotes nothing...
void held_lifted_stale(RolloutState& s, RolloutInput& in) {
  held(s, in);
  in.now = kT0 + 9min;
  in.block.reset();
}
// ... the canary is judged again: a pass promotes, a failure starts over.
void held_lifted_passes(RolloutState& s, RolloutInput& in) {
  held_lifted_stale(s, in);
  in.analysis = passed();
}
void held_lifted_fails(RolloutState& s, RolloutInput& in) {
  held_lifted_stale(s, in);
  in.analysis = failed();
}
void held_past_deadline(RolloutState& s, RolloutInput& in) {
  held(s, in);
  in.now = kT0 + 15min;  // 10 minutes since it passed
}
void held_within_deadline(RolloutState& s, RolloutInput& in) {
  held(s, in);
  in.now = kT0 + 14min + 59s;
}
void promote_action_blocked(RolloutState&, RolloutInput& in) {
  in.action = ManualAction::Promote;
  in.block = kPdbBlock;
}
void held_not_effective(RolloutState& s, RolloutInput& in) {
  held(s, in);
  in.stage.effective = false;  // a canary pod evicted by the drain
}
// Evicted by the drain and not running again for progressDeadline: a
// capacity problem, not the step's; no floor.
void held_not_effective_past_deadline(RolloutState& s, RolloutInput& in) {
  held_not_effective(s, in);
  s.not_effective_since = kT0 + 6min;
  in.now = kT0 + 16min;
}

// The canary ran 11 minutes, passed twice, then went stale (CI changed the
// workload's template) or was deleted: past the deadline from the stage's
// start, but a replacement starts afresh.
void not_applied_after_effect(RolloutState& s, RolloutInput& in) {
  s.effective_at = kT0 + 1min;
  s.last_analysis_at = kT0 + 10min;
  s.passed = 2;
  s.failed = 1;
  in.now = kT0 + 11min;
  in.stage = {};
}

// A promote waiting for the block, then the canary it saw was replaced
// (the workload's template changed): the promote is dropped.
void promote_waiting_canary_replaced(RolloutState& s, RolloutInput& in) {
  not_applied_after_effect(s, in);
  in.action = ManualAction::Promote;
  in.block = kPdbBlock;
}

constexpr bool kFloor = true;
constexpr bool kNoFloor = false;

// clang-format off
INSTANTIATE_TEST_SUITE_P(Table, Transitions, testing::Values(
  // name                                 from         condition                to           actions            floor     passed failed
  Row{"IdleStrayCanary",                  kIdle,       stray_canary,            kIdle,       {AK::FinishCanary}},
  Row{"IdleStrayCanaryActionWaits",       kIdle,       stray_canary_with_action, kIdle,      {AK::FinishCanary}, kNoFloor, -1, -1, false, true},
  Row{"IdleStrayCanaryLastGoodKnown",     kIdle,       stray_canary_last_good_known, kIdle,  {AK::AbortCanary}},
  Row{"IdleNoNextStep",                   kIdle,       nothing,                 kIdle,       {}},
  Row{"IdleBlocked",                      kIdle,       blocked_step,            kIdle,       {}},
  Row{"IdleStepWithoutCanary",            kIdle,       step_without_canary,     kPromoting,  {AK::Promote}},
  Row{"IdleStepWithCanary",               kIdle,       step_with_canary,        kCanary,     {AK::StartCanary}},
  Row{"IdleActionNotApplicable",          kIdle,       promote_action,          kIdle,       {}},
  Row{"IdleRetryWithoutFloor",            kIdle,       retry_without_floor,     kIdle,       {}},
  Row{"IdleRetryClearsTheFloor",          kIdle,       retry_with_floor,        kObserving,  {},                kNoFloor},
  Row{"CanaryPaused",                     kCanary,     paused,                  kRolledBack, {AK::AbortCanary}, kNoFloor},
  Row{"CanaryBlackout",                   kCanary,     blackout,                kRolledBack, {AK::AbortCanary}, kNoFloor},
  Row{"CanaryActionAbort",                kCanary,     abort_action,            kRolledBack, {AK::AbortCanary}, kFloor},
  Row{"CanaryActionPromote",              kCanary,     promote_action,          kPromoting,  {AK::Promote}},
  Row{"CanaryActionPromoteBlockedWaits",  kCanary,     promote_action_blocked,  kCanary,     {},                kNoFloor, -1, -1, false, true},
  Row{"CanaryRetryNotApplicable",         kCanary,     retry_action,            kCanary,     {}},
  Row{"CanaryNotApplied",                 kCanary,     not_applied,             kCanary,     {AK::StartCanary}},
  Row{"CanaryNotAppliedAfterEffectRestarts", kCanary,  not_applied_after_effect, kCanary,    {AK::StartCanary}, kNoFloor, 0, 0},
  Row{"CanaryNotAppliedDeadlinePassed",   kCanary,     not_applied_late,        kRolledBack, {AK::AbortCanary}, kFloor},
  Row{"CanaryNotEffectiveDeadlinePassed", kCanary,     not_effective_late,      kRolledBack, {AK::AbortCanary}, kFloor},
  Row{"CanaryNotEffective",               kCanary,     not_effective_failed,    kCanary,     {},                kNoFloor, 0, 0},
  Row{"CanaryLostEffectWithinDeadline",   kCanary,     lost_effect_recently,    kCanary,     {}},
  Row{"CanaryLostEffectPastDeadline",     kCanary,     lost_effect_long_ago,    kRolledBack, {AK::AbortCanary}, kFloor},
  Row{"CanaryFailedAtThreshold",          kCanary,     failed_at_threshold,     kRolledBack, {AK::AbortCanary}, kFloor},
  Row{"CanaryFailed",                     kCanary,     failed_after_passes,     kCanary,     {},                kNoFloor, 0, 1},
  Row{"CanaryPassedEnough",               kCanary,     passed_enough_canary,    kPromoting,  {AK::Promote},     kNoFloor, 0, 0},
  Row{"CanaryPassesPDBViolationNowNoPromote", kCanary, passes_pdb_violation_now, kCanary,    {},                kNoFloor, 3, 1},
  Row{"CanaryHeldWithinDeadline",         kCanary,     held_within_deadline,    kCanary,     {},                kNoFloor, 3, 0},
  Row{"CanaryHeldNotEffective",           kCanary,     held_not_effective,      kCanary,     {},                kNoFloor, 3, 0},
  Row{"CanaryPassedNotEffectiveDeadlineNoFloor", kCanary, held_not_effective_past_deadline, kRolledBack, {AK::AbortCanary}, kNoFloor},
  Row{"CanaryPromoteWaitingCanaryReplaced", kCanary,   promote_waiting_canary_replaced, kCanary, {AK::StartCanary}, kNoFloor, 0, 0},
  Row{"CanaryHeldBlockLiftedPromotes",    kCanary,     held_block_lifted,       kPromoting,  {AK::Promote},     kNoFloor, 0, 0},
  Row{"CanaryHeldLiftedStalePassWaits",   kCanary,     held_lifted_stale,       kCanary,     {},                kNoFloor, 3, 0},
  Row{"CanaryHeldLiftedFreshPassPromotes", kCanary,    held_lifted_passes,      kPromoting,  {AK::Promote},     kNoFloor, 0, 0},
  Row{"CanaryHeldLiftedFailStartsOver",   kCanary,     held_lifted_fails,       kCanary,     {},                kNoFloor, 0, 1},
  Row{"CanaryHeldPastDeadlineNoFloor",    kCanary,     held_past_deadline,      kRolledBack, {AK::AbortCanary}, kNoFloor},
  Row{"CanaryPassed",                     kCanary,     passed_once_more,        kCanary,     {},                kNoFloor, 2, 1},
  Row{"PromotingActionAbort",             kPromoting,  abort_action,            kRolledBack, {AK::Restore},     kFloor},
  Row{"PromotingNotApplied",              kPromoting,  not_applied,             kPromoting,  {AK::Promote}},
  Row{"PromotingNotAppliedDeadline",      kPromoting,  not_applied_late,        kRolledBack, {AK::Restore},     kFloor},
  Row{"PromotingNotEffectiveDeadline",    kPromoting,  not_effective_late,      kRolledBack, {AK::Restore},     kFloor},
  Row{"PromotingNotEffective",            kPromoting,  not_effective,           kPromoting,  {}},
  Row{"PromotingEffectiveDecrease",       kPromoting,  nothing,                 kVerifying,  {AK::FinishCanary}},
  Row{"PromotingEffectiveIncreaseOnly",   kPromoting,  increase_only,           kRightsized, {AK::FinishCanary}},
  Row{"PromotingEffectiveMemoryUpOnly",   kPromoting,  memory_increase_only,    kRightsized, {AK::FinishCanary}},
  Row{"VerifyingActionAbort",             kVerifying,  abort_action,            kRolledBack, {AK::Restore},     kFloor},
  Row{"VerifyingFailedAtThreshold",       kVerifying,  failed_at_threshold,     kRolledBack, {AK::Restore},     kFloor},
  Row{"VerifyingFailed",                  kVerifying,  failed_after_passes,     kVerifying,  {},                kNoFloor, 0, 1},
  Row{"VerifyingNotAppliedNoPassCounted", kVerifying, verifying_not_applied_pass, kVerifying, {},               kNoFloor, 1, 0},
  Row{"VerifyingNotEffectiveNoPass",      kVerifying,  verifying_not_effective_pass, kVerifying, {},              kNoFloor, 1, 0},
  Row{"VerifyingChangedOutsideRightsizer", kVerifying, verifying_changed_outside, kIdle,       {}},
  Row{"VerifyingNotEffectiveLateWaits",   kVerifying,  verifying_not_effective_late, kVerifying, {}},
  Row{"VerifyingPassedEnough",            kVerifying,  passed_enough_verifying, kRightsized, {}},
  Row{"VerifyingPassed",                  kVerifying,  passed_first,            kVerifying,  {},                kNoFloor, 1, 0},
  Row{"RolledBackLiveNotLastGood",        kRolledBack, live_not_last_good,      kRolledBack, {AK::Restore},     kNoFloor, -1, -1, false, true},
  Row{"RolledBackPausedNoRestore",        kRolledBack, paused_before_restore,   kRolledBack, {}},
  Row{"RolledBackChangedBySomeoneElse",   kRolledBack, changed_by_someone_else, kObserving,  {},                kFloor,   -1, -1, true},
  Row{"RolledBackCanaryExists",           kRolledBack, canary_left,             kRolledBack, {AK::AbortCanary}},
  Row{"RolledBackCanaryExistsRetryWaits", kRolledBack, canary_left_retry,       kRolledBack, {AK::AbortCanary}, kNoFloor, -1, -1, false, true},
  Row{"UnfailedAbortReissuedWhilePaused", kRolledBack, abort_not_landed_paused, kRolledBack, {AK::AbortCanary}},
  Row{"UnfailedAbortEarlierRecord",       kRolledBack, abort_not_landed_earlier_record, kRolledBack, {AK::AbortCanary}},
  Row{"UnfailedAbortLandedGoesIdle",      kRolledBack, abort_landed_in_blackout, kObserving, {},                kNoFloor, -1, -1, true},
  Row{"RolledBackRestoreNotEffective",    kRolledBack, restore_not_effective,   kRolledBack, {},                kFloor},
  Row{"RolledBackPromoteNotApplicable",   kRolledBack, promote_action,          kObserving,  {},                kNoFloor, -1, -1, true},
  Row{"RolledBackRetry",                  kRolledBack, retry_action,            kObserving,  {}},
  Row{"RolledBackOtherwiseStartsStep",    kRolledBack, new_step_above_floor,    kCanary,     {AK::StartCanary}},
  Row{"RolledBackSettlesKeepingTheFloor", kRolledBack, earlier_floor,           kObserving,  {},                kFloor,   -1, -1, true}),
  [](const auto& info) { return std::string(info.param.name); });
// clang-format on

// ------------------------------------------------------------ targeted tests

policies::Recommendation recommend_cpu(std::int64_t millicores, std::int64_t bytes) {
  policies::Recommendation rec;
  rec.status = policies::RecommendationStatus::Ready;
  rec.target = size(millicores, bytes);
  return rec;
}

// Drives one planned step through every stage with passing analyses and
// observations that follow the actions; returns the phases seen.
std::vector<RightsizingPhase> run_step(RolloutState& s, RolloutInput& in) {
  std::vector<RightsizingPhase> seen;
  for (int tick = 0; tick < 50 && (seen.empty() || policies::in_flight(s.phase)); ++tick) {
    in.now += 30s;
    in.analysis.reset();
    if (policies::analysis_due(s, in.policy->rollout, in.now)) in.analysis = passed();
    const RolloutResult r = policies::advance(s, in);
    s = r.next;
    for (const auto& a : r.actions)
      if (a.kind == ActionKind::Promote) in.live = a.sizes;
    in.next.reset();  // the planner offers one step at a time
    seen.push_back(s.phase);
  }
  return seen;
}

TEST(Rollout, LadderSixteenToTwoCoresOneCanaryPerStep) {
  policies::RightsizePolicySpec policy = test_policy();
  policy.rollout.max_step_down = 0.5;
  policy.cpu.round_to_millicores = 1000;
  RolloutState s;
  RolloutInput in = base_input();
  in.policy = &policy;
  in.live = kLarge;
  std::vector<std::int64_t> ladder{in.live.at("app").requests.cpu_millicores};
  for (int i = 0; i < 5; ++i) {
    const auto step = policies::plan_step(policy, in.live.at("app"), recommend_cpu(2000, 32 * kGi));
    if (!step.changes()) break;
    in.next = planned({{"app", step.resources}}, step.needs_canary);
    const auto phases = run_step(s, in);
    ASSERT_FALSE(phases.empty());
    EXPECT_EQ(phases.front(), RightsizingPhase::Canary);
    EXPECT_EQ(s.phase, RightsizingPhase::Rightsized);
    EXPECT_EQ(s.last_good, in.live);
    ladder.push_back(in.live.at("app").requests.cpu_millicores);
  }
  EXPECT_EQ(ladder, (std::vector<std::int64_t>{16000, 8000, 4000, 2000}));
}

TEST(Rollout, FloorOnlyForDecreasedResources) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  s.last_good = {{"app", size(16000, 32 * kGi)}, {"sidecar", size(500, 1 * kGi)}};
  // app: cpu down, memory up; sidecar unchanged.
  s.step = {{"app", size(8000, 40 * kGi)}, {"sidecar", size(500, 1 * kGi)}};
  RolloutInput in = base_input();
  in.action = ManualAction::Abort;
  const RolloutResult r = policies::advance(s, in);
  ASSERT_TRUE(r.next.last_rollback);
  const auto& rb = *r.next.last_rollback;
  EXPECT_EQ(rb.reason, "Aborted");
  ASSERT_EQ(rb.floor.size(), 1u);
  EXPECT_EQ(rb.floor.at("app").requests, (policies::Resources{8000, 0}));
  EXPECT_EQ(rb.until, in.now + 6h);

  const auto app = policies::active_floor(r.next, "app", in.now + 6h - 1s);
  ASSERT_TRUE(app);
  EXPECT_EQ(app->floor.cpu_millicores, 8000);
  EXPECT_EQ(app->until, in.now + 6h);
  EXPECT_FALSE(policies::active_floor(r.next, "app", in.now + 6h));
  EXPECT_FALSE(policies::active_floor(r.next, "sidecar", in.now));
}

TEST(Rollout, IncreaseOnlyRollbackSetsNoFloor) {
  RolloutState s = in_flight_state(RightsizingPhase::Promoting);
  s.step = kLarge;
  s.last_good = kSmall;
  RolloutInput in = base_input();
  in.action = ManualAction::Abort;
  const RolloutResult r = policies::advance(s, in);
  ASSERT_TRUE(r.next.last_rollback);
  EXPECT_TRUE(r.next.last_rollback->floor.empty());
  EXPECT_FALSE(r.next.last_rollback->until);
  EXPECT_NE(r.events.at(0).message.find("no floor"), std::string::npos);
}

TEST(Rollout, DeadlineCountsFromTheStageStart) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  RolloutInput in = base_input();
  in.stage.effective = false;
  in.now = kT0 + 10min - 1s;
  EXPECT_EQ(policies::advance(s, in).next.phase, RightsizingPhase::Canary);
  in.now = kT0 + 10min;
  in.stage.detail = "0 of 1 canary pods Ready";
  const auto r = policies::advance(s, in);
  EXPECT_EQ(r.events.at(0).message,
            "step not in effect within progressDeadline 10m (0 of 1 canary pods Ready); "
            "restoring app cpu 16 memory 32Gi; floor app cpu 8 until 2026-11-28T06:10:00Z");
  EXPECT_EQ(r.next.phase, RightsizingPhase::RolledBack);
  EXPECT_EQ(r.transition_reason, "ProgressDeadlineExceeded");
  EXPECT_EQ(r.next.last_rollback->reason, "ProgressDeadlineExceeded");

  // Promoted nine minutes into the canary: the promotion has its own ten.
  in.stage.effective = true;
  in.now = kT0 + 9min;
  in.action = ManualAction::Promote;
  s = policies::advance(s, in).next;
  ASSERT_EQ(s.phase, RightsizingPhase::Promoting);
  EXPECT_EQ(s.started_at, kT0 + 9min);
  in.action.reset();
  in.stage.effective = false;
  in.now = kT0 + 19min - 1s;
  EXPECT_EQ(policies::advance(s, in).next.phase, RightsizingPhase::Promoting);
  in.now = kT0 + 19min;
  EXPECT_EQ(policies::advance(s, in).next.phase, RightsizingPhase::RolledBack);
}

TEST(Rollout, ARejectedMutationRollsBackAtTheDeadlineWithTheDetail) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  RolloutInput in = base_input();
  in.stage = {};
  in.stage.detail = "StartCanary: 422 Invalid";
  in.now = kT0 + 10min - 1s;
  const auto before = policies::advance(s, in);
  EXPECT_EQ(before.next.phase, RightsizingPhase::Canary);
  EXPECT_EQ(before.actions.at(0).kind, ActionKind::StartCanary);
  in.now = kT0 + 10min;
  const auto r = policies::advance(s, in);
  EXPECT_EQ(r.transition_reason, "ProgressDeadlineExceeded");
  EXPECT_NE(r.events.at(0).message.find("(StartCanary: 422 Invalid)"), std::string::npos);
}

TEST(Rollout, DeadlineOfAStageOnceInEffectCountsFromTheLossOfEffect) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  RolloutInput in = base_input();
  in.now = kT0 + 1min;
  s = policies::advance(s, in).next;
  ASSERT_EQ(s.effective_at, kT0 + 1min);
  in.now = kT0 + 10min + 30s;  // past the deadline from the start
  in.stage.effective = false;
  s = policies::advance(s, in).next;
  EXPECT_EQ(s.phase, RightsizingPhase::Canary);
  EXPECT_EQ(s.not_effective_since, kT0 + 10min + 30s);
  in.now = kT0 + 15min;  // the first loss is what counts
  s = policies::advance(s, in).next;
  EXPECT_EQ(s.not_effective_since, kT0 + 10min + 30s);
  in.now = kT0 + 16min;  // back in effect: the clock is cleared
  in.stage.effective = true;
  s = policies::advance(s, in).next;
  EXPECT_FALSE(s.not_effective_since);
  in.now = kT0 + 20min;
  in.stage.effective = false;
  s = policies::advance(s, in).next;
  in.now = kT0 + 30min - 1s;
  EXPECT_EQ(policies::advance(s, in).next.phase, RightsizingPhase::Canary);
  in.now = kT0 + 30min;
  const auto r = policies::advance(s, in);
  EXPECT_EQ(r.transition_reason, "ProgressDeadlineExceeded");
  EXPECT_FALSE(r.next.not_effective_since);
}

TEST(Rollout, ATemplateChangedDuringVerifyingIsNotMadeLastGood) {
  RolloutState s = in_flight_state(RightsizingPhase::Verifying);
  RolloutInput in = base_input();
  in.stage = {};
  in.live = {{"app", size(16000, 48 * kGi)}};
  in.now = kT0 + 10min - 1s;
  EXPECT_EQ(policies::advance(s, in).next.phase, RightsizingPhase::Verifying);
  in.now = kT0 + 10min;
  const auto r = policies::advance(s, in);
  EXPECT_EQ(r.transition_reason, "ChangedOutsideRightsizer");
  EXPECT_EQ(r.next.last_good, in.live);
  EXPECT_TRUE(r.next.step.empty());
  EXPECT_TRUE(r.actions.empty());
}

TEST(Rollout, AnalysisClockStartsWhenTheStepIsInEffect) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  const auto& rollout = kPolicy.rollout;
  RolloutInput in = base_input();
  in.stage.effective = false;
  in.now = kT0 + 3min;
  s = policies::advance(s, in).next;
  EXPECT_FALSE(s.effective_at);
  EXPECT_FALSE(policies::analysis_due(s, rollout, kT0 + 20min));

  in.stage.effective = true;
  const auto r = policies::advance(s, in);
  s = r.next;
  EXPECT_EQ(s.effective_at, kT0 + 3min);
  EXPECT_EQ(s.pods, in.stage.pods);
  EXPECT_EQ(s.baseline_pods, in.stage.baseline_pods);
  EXPECT_EQ(r.requeue_after, 60s);
  EXPECT_FALSE(policies::analysis_due(s, rollout, kT0 + 4min - 1s));
  EXPECT_TRUE(policies::analysis_due(s, rollout, kT0 + 4min));

  // Seen again later: the clock does not restart.
  in.now = kT0 + 3min + 20s;
  const auto again = policies::advance(s, in);
  EXPECT_EQ(again.next.effective_at, kT0 + 3min);
  EXPECT_EQ(again.requeue_after, 40s);

  // After an analysis, the next one is an interval after it.
  in.now = kT0 + 4min + 10s;
  in.analysis = passed();
  s = policies::advance(s, in).next;
  EXPECT_EQ(s.last_analysis_at, kT0 + 4min + 10s);
  EXPECT_EQ(s.last_checks, passed().checks);
  EXPECT_FALSE(policies::analysis_due(s, rollout, kT0 + 5min + 9s));
  EXPECT_TRUE(policies::analysis_due(s, rollout, kT0 + 5min + 10s));

  // Not in an analysed stage: never due.
  s.phase = RightsizingPhase::Promoting;
  EXPECT_FALSE(policies::analysis_due(s, rollout, kT0 + 1h));
}

TEST(Rollout, AnalysisDueIsFromTheLaterOfEffectAndLastAnalysis) {
  RolloutState s = in_flight_state(RightsizingPhase::Verifying);
  s.effective_at = kT0;
  EXPECT_TRUE(policies::analysis_due(s, kPolicy.rollout, kT0 + 60s));
  s.last_analysis_at = kT0 + 50s;
  EXPECT_FALSE(policies::analysis_due(s, kPolicy.rollout, kT0 + 60s));
  EXPECT_TRUE(policies::analysis_due(s, kPolicy.rollout, kT0 + 110s));
}

TEST(Rollout, APassedCanaryHeldByABlockIsNotAnalysedAgain) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  s.effective_at = kT0;
  s.last_analysis_at = kT0 + 3min;
  s.passed = 2;  // successfulChecks 3
  EXPECT_TRUE(policies::analysis_due(s, kPolicy.rollout, kT0 + 4min));
  s.passed = 3;
  EXPECT_FALSE(policies::analysis_due(s, kPolicy.rollout, kT0 + 4min, /*held=*/true));
  // Unblocked, a pass older than analysisInterval is judged again.
  EXPECT_FALSE(policies::analysis_due(s, kPolicy.rollout, kT0 + 3min + 59s));
  EXPECT_TRUE(policies::analysis_due(s, kPolicy.rollout, kT0 + 4min));
  // Verifying counts its own passes against postPromotionChecks.
  s.phase = RightsizingPhase::Verifying;
  EXPECT_TRUE(policies::analysis_due(s, kPolicy.rollout, kT0 + 4min));
}

TEST(Rollout, ABlockDuringTheCanaryHoldsThePromotionThenEndsItWithoutAFloor) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  s.effective_at = kT0 + 1min;
  s.passed = 2;
  RolloutInput in = base_input();
  in.now = kT0 + 5min;
  in.analysis = passed();
  in.block = policies::RolloutBlock{"HPAConflict", "an HPA scales on cpu"};
  auto r = policies::advance(s, in);
  EXPECT_EQ(r.next.phase, RightsizingPhase::Canary);
  EXPECT_TRUE(r.actions.empty());
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].reason, "RightsizeBlocked");
  EXPECT_NE(r.events[0].message.find("HPAConflict: an HPA scales on cpu"), std::string::npos);
  ASSERT_TRUE(r.requeue_after);
  EXPECT_LE(*r.requeue_after, 5s);
  // Still held a tick later: no new Event.
  s = r.next;
  in.analysis.reset();
  in.now = kT0 + 6min;
  r = policies::advance(s, in);
  EXPECT_EQ(r.next.phase, RightsizingPhase::Canary);
  EXPECT_TRUE(r.events.empty());
  // Held for progressDeadline since it passed: the canary ends, no floor.
  in.now = kT0 + 15min;
  r = policies::advance(s, in);
  EXPECT_EQ(r.next.phase, RightsizingPhase::RolledBack);
  EXPECT_EQ(r.transition_reason, "HPAConflict");
  EXPECT_FALSE(r.next.last_rollback.has_value());
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_NE(r.events[0].message.find("blocked for progressDeadline 10m"), std::string::npos);
}

TEST(Rollout, AStaleCanaryIsReplacedAndItsAnalysisRestarts) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  RolloutInput in = base_input();
  s.effective_at = kT0 + 1min;
  s.last_analysis_at = kT0 + 4min;
  s.passed = 2;  // successfulChecks 3: one more pass would promote
  s.failed = 1;
  in.now = kT0 + 5min;
  in.stage = {};  // the canary is of an older template of the workload
  auto r = policies::advance(s, in);
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::StartCanary);
  s = r.next;
  EXPECT_EQ(s.phase, RightsizingPhase::Canary);
  EXPECT_EQ(s.started_at, kT0 + 5min);
  EXPECT_FALSE(s.effective_at);
  EXPECT_FALSE(s.last_analysis_at);
  EXPECT_EQ(s.passed, 0);
  EXPECT_EQ(s.failed, 0);
  EXPECT_FALSE(policies::analysis_due(s, kPolicy.rollout, kT0 + 1h));
  // The replacement comes up: its analysis clock starts now, and a pass is
  // the first of three again.
  in.stage = base_input().stage;
  in.now = kT0 + 6min;
  s = policies::advance(s, in).next;
  EXPECT_EQ(s.effective_at, kT0 + 6min);
  in.now = kT0 + 7min;
  ASSERT_TRUE(policies::analysis_due(s, kPolicy.rollout, in.now));
  in.analysis = passed();
  r = policies::advance(s, in);
  EXPECT_EQ(r.next.phase, RightsizingPhase::Canary);
  EXPECT_EQ(r.next.passed, 1);
  // Not in effect again within the deadline of its own start: no rollback.
  in.analysis.reset();
  in.stage = {};
  in.now = kT0 + 14min;
  s.effective_at.reset();
  EXPECT_EQ(policies::advance(s, in).next.phase, RightsizingPhase::Canary);
}

TEST(Rollout, FailedThenPassedResetsPassed) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  RolloutInput in = base_input();
  const auto step = [&](AnalysisOutcome a) {
    in.now += 60s;
    in.analysis = std::move(a);
    s = policies::advance(s, in).next;
  };
  step(passed());
  step(passed());
  EXPECT_EQ(s.passed, 2);
  step(failed());
  EXPECT_EQ(s.passed, 0);
  EXPECT_EQ(s.failed, 1);
  step(passed());
  step(passed());
  EXPECT_EQ(s.phase, RightsizingPhase::Canary);  // 2 consecutive passes, 3 needed
  step(passed());
  EXPECT_EQ(s.phase, RightsizingPhase::Promoting);
}

TEST(Rollout, InconclusiveAnalysisCountsAsFailed) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  s.failed = 1;
  RolloutInput in = base_input();
  AnalysisOutcome inconclusive;
  inconclusive.checks = {{"trade-latency-p99",
                          {},
                          {},
                          "0.25",
                          policies::CheckResult::Error,
                          "prometheus unreachable"}};
  inconclusive.failed_check = "trade-latency-p99";
  inconclusive.message = "prometheus unreachable";
  in.analysis = inconclusive;
  const auto r = policies::advance(s, in);
  EXPECT_EQ(r.next.phase, RightsizingPhase::RolledBack);
  EXPECT_EQ(r.next.last_rollback->reason, "SLOBreach");
  EXPECT_NE(r.events.at(0).message.find("(prometheus unreachable)"), std::string::npos);
}

// Replaying a tick after a crash (the status was written, the action may or
// may not have run, nothing observed yet) re-issues the same action and
// leaves the state as it was.
TEST(Rollout, RepeatedAdvanceWithoutEffectReissuesTheSameAction) {
  RolloutInput in = base_input();
  in.next = planned(kSmall, true);
  const auto started = policies::advance(RolloutState{}, in);
  ASSERT_EQ(started.actions.size(), 1u);

  in.stage = {};  // the canary is not visible yet
  in.now += 1s;
  const auto replay = policies::advance(started.next, in);
  EXPECT_EQ(replay.actions, started.actions);
  EXPECT_EQ(replay.next, started.next);
  EXPECT_FALSE(replay.transition_reason);

  in.action = ManualAction::Promote;
  const auto promoting = policies::advance(started.next, in);
  in.action.reset();
  const auto replay2 = policies::advance(promoting.next, in);
  EXPECT_EQ(replay2.actions, promoting.actions);
  EXPECT_EQ(replay2.next, promoting.next);

  in.action = ManualAction::Abort;
  const auto rolled = policies::advance(promoting.next, in);
  in.action.reset();
  in.live = kSmall;  // the restore is not visible yet
  const auto replay3 = policies::advance(rolled.next, in);
  EXPECT_EQ(replay3.actions, rolled.actions);
  EXPECT_EQ(replay3.next, rolled.next);
}

TEST(Rollout, StrayCanaryIsRemovedBeforeAnyNewStep) {
  RolloutInput in = base_input();
  in.canary_exists = true;
  in.next = planned(kSmall, true);
  const RolloutState idle;
  const auto r = policies::advance(idle, in);
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::FinishCanary);
  EXPECT_EQ(r.actions[0].sizes, in.live);  // the workload keeps what it runs
  EXPECT_EQ(r.next, idle);
  EXPECT_EQ(r.requeue_after, 5s);
  in.canary_exists = false;
  EXPECT_EQ(policies::advance(r.next, in).next.phase, RightsizingPhase::Canary);
}

TEST(Rollout, RetryClearsTheFloor) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  RolloutInput in = base_input();
  in.action = ManualAction::Abort;
  s = policies::advance(s, in).next;
  ASSERT_TRUE(policies::active_floor(s, "app", in.now));
  in.action = ManualAction::Retry;
  const auto r = policies::advance(s, in);
  EXPECT_TRUE(r.action_consumed);
  EXPECT_EQ(r.transition_reason, "Retry");
  EXPECT_FALSE(policies::active_floor(r.next, "app", in.now));
  EXPECT_TRUE(r.next.last_rollback->floor.empty());
  EXPECT_FALSE(r.next.last_rollback->until);
  EXPECT_TRUE(r.next.step.empty());
  EXPECT_TRUE(r.next.step_hash.empty());
  EXPECT_EQ(r.next.last_rollback->reason, "Aborted");  // the record stays
}

TEST(Rollout, ASettledRollbackNeverRestoresAgain) {
  RolloutState s = in_flight_state(RightsizingPhase::RolledBack);
  RolloutInput in = base_input();
  in.live = kSmall;  // the step is still on the template: restore it
  auto r = policies::advance(s, in);
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::Restore);
  in.live = kLarge;  // restored and rolled out: settled
  r = policies::advance(r.next, in);
  EXPECT_FALSE(policies::in_flight(r.next.phase));
  EXPECT_TRUE(r.next.step.empty());
  EXPECT_EQ(r.next.last_good, kLarge);
  // An SRE's later edit stands.
  in.live = {{"app", size(16000, 48 * kGi)}};
  r = policies::advance(r.next, in);
  EXPECT_TRUE(r.actions.empty());
  EXPECT_FALSE(policies::in_flight(r.next.phase));
}

TEST(Rollout, AThirdSizeBecomesLastGood) {
  RolloutState s = in_flight_state(RightsizingPhase::RolledBack);
  RolloutInput in = base_input();
  in.live = {{"app", size(16000, 48 * kGi)}};
  const auto r = policies::advance(s, in);
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(r.next.last_good, in.live);
  EXPECT_TRUE(r.next.step_hash.empty());
}

TEST(Rollout, StartingAStepResetsTheStage) {
  RolloutState s;
  s.phase = RightsizingPhase::Rightsized;
  s.last_good = kLarge;
  s.pods = {"old"};
  s.baseline_pods = {"old-base"};
  s.passed = 3;
  s.failed = 2;
  s.effective_at = kT0 - 1h;
  s.last_analysis_at = kT0 - 1h;
  s.last_checks = passed().checks;
  RolloutInput in = base_input();
  in.live = {{"app", size(15000, 32 * kGi)}};
  in.next = planned(kSmall, true);
  const auto r = policies::advance(s, in);
  EXPECT_EQ(r.next.step, kSmall);
  EXPECT_EQ(r.next.step_hash, policies::step_hash(kSmall));
  EXPECT_EQ(r.next.last_good, in.live);
  EXPECT_EQ(r.next.started_at, in.now);
  EXPECT_TRUE(r.next.pods.empty());
  EXPECT_TRUE(r.next.baseline_pods.empty());
  EXPECT_EQ(r.next.passed, 0);
  EXPECT_EQ(r.next.failed, 0);
  EXPECT_FALSE(r.next.effective_at);
  EXPECT_FALSE(r.next.last_analysis_at);
  EXPECT_TRUE(r.next.last_checks.empty());
  EXPECT_EQ(r.transition_reason, "CanaryStarted");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].reason, "RightsizeCanaryStarted");
  EXPECT_NE(r.events[0].message.find("app cpu 15→8"), std::string::npos);
}

TEST(Rollout, IncreaseWithoutCanaryAnnouncesOnlyAnOomBump) {
  RolloutInput in = base_input();
  in.next = planned(kLarge, false);
  in.live = kSmall;
  auto r = policies::advance(RolloutState{}, in);
  EXPECT_EQ(r.next.phase, RightsizingPhase::Promoting);
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.transition_reason, "Increase");
  in.next->oom_bump = true;
  r = policies::advance(RolloutState{}, in);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].reason, "RightsizeOOMBump");
  EXPECT_EQ(r.transition_reason, "OOMBump");
}

TEST(Rollout, PromotionAndVerification) {
  RolloutState s = in_flight_state(RightsizingPhase::Promoting);
  s.passed = 3;
  s.last_analysis_at = kT0 + 1min;
  s.effective_at = kT0;
  RolloutInput in = base_input();
  in.stage.pods = {"web-1", "web-2"};
  in.stage.baseline_pods = {};
  auto r = policies::advance(s, in);
  ASSERT_EQ(r.next.phase, RightsizingPhase::Verifying);
  EXPECT_EQ(r.transition_reason, "Promoted");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].reason, "RightsizePromoted");
  EXPECT_EQ(r.next.started_at, in.now);
  EXPECT_EQ(r.next.passed, 0);
  EXPECT_FALSE(r.next.effective_at);
  EXPECT_FALSE(r.next.last_analysis_at);
  EXPECT_EQ(r.next.last_good, kLarge);  // not yet verified

  in.now += 5s;
  in.stage.effective = false;  // the rollout's pods are restarting
  s = policies::advance(r.next, in).next;
  EXPECT_FALSE(s.effective_at);
  EXPECT_EQ(s.pods, r.next.pods);
  in.stage.effective = true;
  in.now += 5s;
  s = policies::advance(s, in).next;
  EXPECT_EQ(s.effective_at, in.now);
  EXPECT_EQ(s.pods, in.stage.pods);
  in.analysis = passed();
  in.now += 60s;
  s = policies::advance(s, in).next;
  in.now += 60s;
  r = policies::advance(s, in);
  EXPECT_EQ(r.next.phase, RightsizingPhase::Rightsized);
  EXPECT_EQ(r.transition_reason, "Verified");
  EXPECT_EQ(r.next.last_good, kSmall);
  EXPECT_TRUE(r.next.step.empty());
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].reason, "RightsizeVerified");
  EXPECT_FALSE(r.requeue_after);
}

TEST(Rollout, IncreaseOnlyPromotionIsGoodAtOnce) {
  RolloutState s = in_flight_state(RightsizingPhase::Promoting);
  s.step = kLarge;
  s.last_good = kSmall;
  const auto r = policies::advance(s, base_input());
  EXPECT_EQ(r.next.phase, RightsizingPhase::Rightsized);
  EXPECT_EQ(r.next.last_good, kLarge);
  EXPECT_FALSE(r.requeue_after);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].reason, "RightsizePromoted");
}

TEST(Rollout, RollbackEventNamesCheckValuesBaselinePodsAndFloor) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  s.failed = 1;
  RolloutInput in = base_input();
  in.analysis = failed();
  const auto r = policies::advance(s, in);
  ASSERT_EQ(r.events.size(), 1u);
  const auto& e = r.events[0];
  EXPECT_TRUE(e.warning);
  EXPECT_EQ(e.reason, "RightsizeRolledBack");
  EXPECT_EQ(e.message,
            "trade-latency-p99 0.31 > 0.25 (baseline 0.12) on canary pods "
            "web-rightsizer-canary-abc; restoring app cpu 16 memory 32Gi; floor app cpu 8 until "
            "2026-11-28T06:02:00Z");
  EXPECT_EQ(r.transition_reason, "SLOBreach: trade-latency-p99");
  const auto& rb = *r.next.last_rollback;
  EXPECT_EQ(rb.at, in.now);
  EXPECT_EQ(rb.check, "trade-latency-p99");
  EXPECT_EQ(rb.observed, "0.31");
  EXPECT_EQ(rb.threshold, "0.25");
  EXPECT_EQ(rb.baseline, "0.12");
  EXPECT_EQ(r.next.last_checks, failed().checks);
  EXPECT_EQ(r.next.started_at, in.now);  // the restore's deadline
  EXPECT_EQ(r.next.pods, s.pods);        // kept for kubectl describe
  EXPECT_EQ(r.next.failed, 2);
  EXPECT_EQ(r.requeue_after, 5s);
}

TEST(Rollout, PausedAbortKeepsAnEarlierFloor) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  policies::RollbackRecord earlier;
  earlier.reason = "SLOBreach";
  earlier.floor = {{"app", size(4000, 0)}};
  earlier.until = kT0 + 1h;
  s.last_rollback = earlier;
  RolloutInput in = base_input();
  in.paused = true;
  const auto r = policies::advance(s, in);
  EXPECT_EQ(r.next.last_rollback, earlier);
  EXPECT_EQ(r.next.step, kSmall);  // in flight until the abort has landed
  EXPECT_EQ(r.next.phase, RightsizingPhase::RolledBack);
  EXPECT_EQ(r.transition_reason, "Paused");
  EXPECT_EQ(r.next.last_good, kLarge);
}

// A StatefulSet canary in a blackout: the abort is in flight until the
// template is back at lastGood (a crash before the PATCH must not lose it).
TEST(Rollout, BlackoutAbortStaysInFlightUntilTheTemplateIsBackAtLastGood) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  RolloutInput in = base_input();
  in.blackout = true;
  in.live = kSmall;  // the partition canary's step is on the template
  auto r = policies::advance(s, in);
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::AbortCanary);
  EXPECT_EQ(r.transition_reason, "BlackoutWindow");
  EXPECT_FALSE(r.next.last_rollback);
  ASSERT_TRUE(policies::in_flight(r.next.phase));
  in.now += 5s;  // the PATCH was lost: issued again
  r = policies::advance(r.next, in);
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::AbortCanary);
  EXPECT_EQ(r.actions[0].sizes, kLarge);
  EXPECT_TRUE(policies::in_flight(r.next.phase));
  in.now += 5s;
  in.live = kLarge;  // landed and rolled out: Idle (the caller shows Waiting)
  r = policies::advance(r.next, in);
  EXPECT_TRUE(r.actions.empty());
  EXPECT_FALSE(policies::in_flight(r.next.phase));
  EXPECT_FALSE(r.transition_reason);
  EXPECT_TRUE(r.next.step.empty());
  EXPECT_EQ(r.next.last_good, kLarge);
  EXPECT_FALSE(r.next.last_rollback);
}

TEST(Rollout, RequeueWhileWaitingAndAnalysing) {
  RolloutState s = in_flight_state(RightsizingPhase::Canary);
  RolloutInput in = base_input();
  in.stage.effective = false;
  EXPECT_EQ(policies::advance(s, in).requeue_after, 5s);
  s.effective_at = kT0;
  s.last_analysis_at = kT0 + 1min;
  in.stage.effective = true;
  in.now = kT0 + 2min + 30s;  // overdue: at least a second
  EXPECT_EQ(policies::advance(s, in).requeue_after, 1s);
  in.now = kT0 + 1min + 15s;
  EXPECT_EQ(policies::advance(s, in).requeue_after, 45s);
  EXPECT_FALSE(policies::advance(RolloutState{}, in).requeue_after);
}

TEST(Rollout, StepHashIsStableAndCoversRequestsAndLimits) {
  const std::string h = policies::step_hash(kSmall);
  ASSERT_EQ(h.size(), 19u);
  EXPECT_EQ(h.substr(0, 3), "rs-");
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef", 3), std::string::npos);
  EXPECT_EQ(h, policies::step_hash(ContainerSizes{{"app", size(8000, 32 * kGi)}}));
  EXPECT_NE(h, policies::step_hash(kLarge));
  ContainerSizes no_limit = kSmall;
  no_limit["app"].limits.cpu_millicores.reset();
  EXPECT_NE(h, policies::step_hash(no_limit));
  ContainerSizes renamed{{"api", size(8000, 32 * kGi)}};
  EXPECT_NE(h, policies::step_hash(renamed));
  ContainerSizes zero_limit = no_limit;
  zero_limit["app"].limits.cpu_millicores = 0;
  EXPECT_NE(policies::step_hash(zero_limit), policies::step_hash(no_limit));
  // The marker on workloads must not change between versions: FNV-1a 64 of
  // "app:8,32Gi,8,32Gi;", and of the empty text (the offset basis).
  EXPECT_EQ(h, "rs-bc8f1863afbe9fd9");
  EXPECT_EQ(policies::step_hash({}), "rs-cbf29ce484222325");
}

TEST(Rollout, NamesOfActionKindsAndStagesInFlight) {
  EXPECT_STREQ(policies::to_string(ActionKind::StartCanary), "StartCanary");
  EXPECT_STREQ(policies::to_string(ActionKind::AbortCanary), "AbortCanary");
  EXPECT_STREQ(policies::to_string(ActionKind::Promote), "Promote");
  EXPECT_STREQ(policies::to_string(ActionKind::FinishCanary), "FinishCanary");
  EXPECT_STREQ(policies::to_string(ActionKind::Restore), "Restore");
  EXPECT_TRUE(policies::in_flight(RightsizingPhase::Canary));
  EXPECT_TRUE(policies::in_flight(RightsizingPhase::Promoting));
  EXPECT_TRUE(policies::in_flight(RightsizingPhase::Verifying));
  EXPECT_TRUE(policies::in_flight(RightsizingPhase::RolledBack));
  EXPECT_FALSE(policies::in_flight(RightsizingPhase::Rightsized));
  EXPECT_FALSE(policies::in_flight(RightsizingPhase::Waiting));
  EXPECT_FALSE(policies::in_flight(RightsizingPhase::Paused));
}

TEST(Rollout, RollbackEventListsAtMostFivePods) {
  RolloutState s = in_flight_state(RightsizingPhase::Verifying);
  s.pods = {"web-0", "web-1", "web-2", "web-3", "web-4", "web-5", "web-6"};
  s.failed = 1;
  RolloutInput in = base_input();
  in.stage.pods = s.pods;
  in.analysis = failed();
  const auto r = policies::advance(s, in);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_NE(r.events[0].message.find(
                "after promotion on pods web-0, web-1, web-2, web-3, web-4 and 2 more;"),
            std::string::npos)
      << r.events[0].message;
  in.stage.pods.resize(5);
  EXPECT_NE(policies::advance(s, in).events[0].message.find("web-4;"), std::string::npos);
}

}  // namespace
