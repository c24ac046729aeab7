#pragma once
// The rollout state machine (DESIGN §5, §6): one explicit transition function
//   advance(state, input) → (next state, actions, events)
// with no I/O and no clock (`input.now` is a parameter). The reconciler
// observes the cluster into a RolloutInput, writes `next` into the
// Rightsizing status FIRST (write ahead), and only then executes `actions`
// through an actuator; so a crash at any point leaves a status that says what
// was intended, and the next advance() re-issues an action whose effect it
// does not observe (every action is idempotent: a repeat is a no-op).
//
// Stages in flight (RolloutState::phase):
//   Canary     the step runs on canary pods; the workload's own size is lastGood
//   Promoting  the step is being written to the workload's own template
//   Verifying  the step is the workload's size; post-promotion checks run
//   RolledBack the workload is being (or has been) put back to lastGood
// Any other phase means "no step in flight" (Idle).
//
// Transition table (first matching row wins; "floor" = a rollback that sets
// the failed step's decreased resources as the cooldown floor until
// now + cooldown; "no floor" = a rollback without one):
//
//  from        condition                                   → to, actions
//  ----------  ------------------------------------------  ---------------------------------
//  Idle        a canary object exists (stray)              → Idle, AbortCanary(lastGood), or
//                                                             FinishCanary without lastGood
//  Idle        action retry, a rollback floor is set       → Idle (rollback floor cleared)
//  Idle        no next step, or blocked                    → Idle (phase left to the caller)
//  Idle        next step needs no canary                   → Promoting, Promote
//  Idle        next step needs a canary                    → Canary, StartCanary
//  Canary      paused                                      → RolledBack, AbortCanary (no
//  Canary      blackout window open                           floor, record unchanged; Idle
//                                                             as Paused / Waiting once back
//                                                             at lastGood without a canary)
//  Canary      action abort                                → RolledBack, AbortCanary, floor
//  Canary      action promote, not blocked                 → Promoting, Promote
//                (blocked: the promote waits, not consumed, and the rows below run)
//  Canary      not applied, was in effect (canary deleted, → Canary, StartCanary; the stage
//                or of an older template of the workload)     restarts: started, effective,
//                                                             passed, failed afresh
//  Canary      not applied, deadline passed                → RolledBack, AbortCanary, floor
//  Canary      not applied (no canary object for the step) → Canary, StartCanary (again);
//                                                             a waiting promote is dropped
//                                                             when the canary it saw is gone
//  Canary      not effective, deadline passed, it had      → RolledBack, AbortCanary (no
//                passed already (its pods lost after)         floor: the step proved fine)
//  Canary      not effective, deadline passed              → RolledBack, AbortCanary, floor
//  Canary      not effective                               → Canary (wait)
//  Canary      analysis failed, failures ≥ threshold       → RolledBack, AbortCanary, floor
//  Canary      analysis failed                             → Canary, failed+1, passed=0
//  Canary      passes ≥ successfulChecks, blocked since    → RolledBack, AbortCanary (no
//                the last (passing) analysis for              floor, record unchanged; Idle
//                progressDeadline                             then shows the block)
//  Canary      passes ≥ successfulChecks, blocked          → Canary (held: the canary only
//                                                             adds pods; no more analyses)
//  Canary      passes ≥ successfulChecks, the last pass    → Canary (wait: a held canary is
//                older than analysisInterval, no analysis     promoted only on a fresh pass,
//                this tick                                    analysed again once unblocked)
//  Canary      passes ≥ successfulChecks                   → Promoting, Promote
//  Canary      analysis passed                             → Canary, passed+1
//  Promoting   action abort                                → RolledBack, Restore, floor
//  Promoting   not applied, deadline passed                → RolledBack, Restore, floor
//  Promoting   not applied (template lacks the step)       → Promoting, Promote (again)
//  Promoting   not effective, deadline passed              → RolledBack, Restore, floor
//  Promoting   not effective                               → Promoting (wait)
//  Promoting   effective, the step decreased something     → Verifying, FinishCanary
//  Promoting   effective, increases only                   → Rightsized, FinishCanary
//  Verifying   action abort                                → RolledBack, Restore, floor
//  Verifying   not applied, deadline passed                → Idle at live (the step is not
//                                                             lastGood), ChangedOutsideRightsizer
//  Verifying   not applied or not effective                → Verifying (wait, nothing counted)
//  Verifying   analysis failed, failures ≥ threshold       → RolledBack, Restore, floor
//  Verifying   analysis failed                             → Verifying, failed+1, passed=0
//  Verifying   analysis passed, passes ≥ postPromotion     → Rightsized (lastGood = step)
//  Verifying   analysis passed                             → Verifying, passed+1
//  RolledBack  live is neither lastGood nor the step       → Idle at live (someone else
//                                                             changed it: not restored)
//  RolledBack  live size ≠ lastGood, unfailed abort      → RolledBack, AbortCanary (again)
//  RolledBack  live size ≠ lastGood, paused              → RolledBack (no Restore)
//  RolledBack  live size ≠ lastGood                      → RolledBack, Restore (again)
//  RolledBack  a canary object exists                    → RolledBack, AbortCanary
//  RolledBack  restore not applied or not yet effective  → RolledBack (wait)
//  RolledBack  action retry                              → Idle (rollback floor cleared)
//  RolledBack  otherwise (restore in effect)             → Idle, floor kept, then as Idle
//                                                             (a step above the floor may
//                                                             start); the phase is the caller's
//
// A manual action is consumed by the row that executes it, or by the row a
// phase falls through to when it has none for it; rows that act on
// something else (a stray canary, a pending restore) leave it for later.
//
// Analyses are counted only when `input.analysis` is set; the caller runs
// one when analysis_due() says so. An inconclusive analysis counts as failed
// (fail closed). A canary's analysis clock starts when the step is first
// seen in effect; the progress deadline counts from the stage's start, or,
// once the stage has been in effect, from when it stopped being in effect.
// Verifying counts an analysis only while the step is applied and in effect.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policies/policy.h"
#include "policies/recommender.h"
#include "policies/rightsizing_status.h"
#include "policies/status_conditions.h"

namespace policies {

// Requests and limits per container name.
using ContainerSizes = std::map<std::string, ContainerResources, std::less<>>;

// A short, stable hash of a step's sizes ("rs-" + 16 hex digits), written as
// the idempotency marker on the workload (or the canary object).
std::string step_hash(const ContainerSizes& sizes);

struct PlannedRolloutStep {
  ContainerSizes sizes;       // every container of the workload, changed or not
  bool needs_canary = false;  // any decrease, or an increase under increases: Canary
  bool decreases = false;     // some resource goes down (post-promotion checks run)
  bool oom_bump = false;      // an OOMKill is being answered (event RightsizeOOMBump)
};

// Why a new step may not start now (Idle), or why a canary may not be
// promoted now (Canary: what a rollout of the workload would break or fight,
// rollout_inputs.h); a step in flight reacts to paused and blackout itself,
// see the table.
struct RolloutBlock {
  std::string reason;  // BlackoutWindow, Paused, HPAConflict, PDBViolation, ManagedByGitOps,
                       // MetricsUnavailable, InvalidPolicy, PolicyNotFound, Cooldown
  std::string message;
};

enum class ManualAction { Promote, Abort, Retry };

// What the actuator sees of the stage in flight (from the caches).
struct StageObservation {
  bool applied = false;           // the mutation is visible: canary object for this step (and
                                  // the workload's current template) / template carries the
                                  // step (Promoting, Verifying) / lastGood (RolledBack)
  bool effective = false;         // its pods are Ready and carry the stage's resources
  std::vector<std::string> pods;  // under analysis (canary pods, or all pods after
                                  // promotion)
  std::vector<std::string> baseline_pods;  // stable pods (empty after promotion)
  std::string detail;                      // why not effective yet, for status
};

// One SLO analysis, reduced to what the state machine and the status need.
struct AnalysisOutcome {
  bool passed = false;  // false also for an inconclusive analysis (fail closed)
  std::vector<CheckRecord> checks;
  // The first failing check, for the rollback record and its Event.
  std::string failed_check;  // "" when passed
  std::string observed, threshold, baseline, message;
};

struct RolloutInput {
  const RightsizePolicySpec* policy = nullptr;  // required, valid
  Timestamp now{};
  ContainerSizes live;                     // the workload template's resources now
  bool canary_exists = false;              // a canary object of any step exists
  std::optional<PlannedRolloutStep> next;  // the planner's next step; nullopt: none wanted
  std::optional<RolloutBlock> block;       // Idle: why a next step may not start;
                                           // Canary: why it may not be promoted
  bool paused = false;
  bool blackout = false;                    // a blackout window is open now
  StageObservation stage;                   // for the stage in flight
  std::optional<AnalysisOutcome> analysis;  // run this tick (see analysis_due)
  std::optional<ManualAction> action;       // from the Rightsizing's annotation
};

struct RollbackRecord {
  Timestamp at{};
  std::string check, observed, threshold, baseline, reason;  // reason: SLOBreach,
                                                             // ProgressDeadlineExceeded, Aborted
  ContainerSizes floor;            // the failed sizes (decreased resources only); empty: no floor
  std::optional<Timestamp> until;  // cooldown end; nullopt: no floor
  friend bool operator==(const RollbackRecord&, const RollbackRecord&) = default;
};

struct RolloutState {
  RightsizingPhase phase = RightsizingPhase::Observing;
  std::string step_hash;                   // "" when Idle
  ContainerSizes step;                     // the size being tried (Canary, Promoting, Verifying)
  ContainerSizes last_good;                // what a rollback restores (set when a step starts)
  std::vector<std::string> pods;           // recorded pods under analysis
  std::vector<std::string> baseline_pods;  // recorded stable pods (canary baseline)
  std::optional<Timestamp> started_at;     // the stage's start (progress deadline)
  std::optional<Timestamp> effective_at;   // first seen in effect
  // Since when a stage that had been in effect is no longer (a canary pod
  // rescheduled, the template changed): its progress deadline counts from
  // here, not from the stage's start.
  std::optional<Timestamp> not_effective_since;
  std::optional<Timestamp> last_analysis_at;
  std::int32_t passed = 0;  // consecutive passing analyses in this stage
  std::int32_t failed = 0;  // failed analyses in this stage
  std::vector<CheckRecord> last_checks;
  std::optional<RollbackRecord> last_rollback;
  friend bool operator==(const RolloutState&, const RolloutState&) = default;
};

bool in_flight(RightsizingPhase phase);  // Canary, Promoting, Verifying, RolledBack
// A RolledBack stage that ends a canary which did not fail (paused, a
// blackout window opened, a passed canary lost its pods): no floor, and no
// new rollback record.
bool ended_without_failure(const RolloutState& state);

enum class ActionKind {
  StartCanary,   // create the canary for `sizes` (Deployment) / template + partition (StatefulSet)
  AbortCanary,   // end a canary that did not promote; the workload keeps `sizes` (lastGood)
  Promote,       // the workload's own template gets `sizes`
  FinishCanary,  // remove what remains of a canary after promotion (or a stray one)
  Restore,       // the workload's own template gets `sizes` (lastGood) back
};
const char* to_string(ActionKind kind);

struct RolloutAction {
  ActionKind kind = ActionKind::StartCanary;
  ContainerSizes sizes;
  std::string hash;  // step_hash(sizes)
  friend bool operator==(const RolloutAction&, const RolloutAction&) = default;
};

struct RolloutEvent {
  bool warning = false;
  std::string reason;  // RightsizeCanaryStarted, RightsizePromoted, RightsizeRolledBack,
                       // RightsizeOOMBump, RightsizeVerified, RightsizeBlocked
  std::string message;
  friend bool operator==(const RolloutEvent&, const RolloutEvent&) = default;
};

struct RolloutResult {
  RolloutState next;
  std::vector<RolloutAction> actions;
  std::vector<RolloutEvent> events;
  // Set when the phase changed: the reason for the history entry.
  std::optional<std::string> transition_reason;
  // When to look again at the latest (next analysis, deadline, or a short
  // poll while waiting for an effect); nullopt: the caller's resync.
  std::optional<std::chrono::seconds> requeue_after;
  bool action_consumed = false;  // input.action was executed: remove the annotation
};

// Whether an analysis should run now: in Canary (once effective, until it
// has passed) and in Verifying, every analysisInterval since the last one (or
// since the stage became effective).
// `held`: a block holds the promotion of a canary in flight (a passed canary
// held is not analysed again until the block lifts).
bool analysis_due(const RolloutState& state, const RolloutPolicy& rollout, Timestamp now,
                  bool held = false);

RolloutResult advance(const RolloutState& state, const RolloutInput& input);

// The cooldown floor the recommender must respect for a container, if a
// rollback's floor is still active at `now`.
std::optional<CooldownFloor> active_floor(const RolloutState& state, const std::string& container,
                                          Timestamp now);

}  // namespace policies

namespace policies {

// The rollout's part of a Rightsizing status, both ways (quantities as
// canonical text, policies/quantity.h): phase, containers[].step, lastGood
// and floor, canary (pods, baseline pods, step hash, times, counts, last
// checks) and lastRollback. write_rollout_state leaves every other field of
// `status` as it is; an Idle state clears step and canary.
// A status in phase Failed (its state did not parse when last read) reads
// as the phase it stood in then, from the history's last move into Failed,
// so that once corrected the rollout goes on where it was; an error when
// a step is stored and the history does not say.
Result<RolloutState> rollout_state_from_status(const RightsizingStatus& status);
void write_rollout_state(const RolloutState& state, RightsizingStatus& status);

}  // namespace policies
