// Auto mode's status (auto_status.h).
#include "controller/auto_status.h"

#include <algorithm>
#include <iterator>

#include "controller/rollout_driver.h"
#include "policies/cost.h"
#include "policies/money.h"
#include "policies/quantity.h"

namespace controller {
namespace {

using policies::Condition;
using policies::ConditionStatus;
using policies::RightsizingPhase;

constexpr std::string_view kNotReadyMessage = "a step is in flight or the history is too short";

const policies::ContainerStatus* find(const policies::RightsizingStatus& s, std::string_view name) {
  const auto it = std::ranges::find_if(s.containers, [&](const auto& c) { return c.name == name; });
  return it == s.containers.end() ? nullptr : &*it;
}

bool starts_step(const policies::RolloutResult& r) {
  return std::ranges::any_of(r.actions, [](const policies::RolloutAction& a) {
    return a.kind == policies::ActionKind::StartCanary || a.kind == policies::ActionKind::Promote;
  });
}

// Requests as the API server defaults them on pods: a missing request is its limit.
std::optional<policies::Resources> requests_of(
    const policies::HeapOptional<policies::StatusResources>& r) {
  if (!r) return std::nullopt;
  const auto pick = [&](auto member) -> std::optional<std::string> {
    if (r->requests && (*r->requests).*member) return (*r->requests).*member;
    if (r->limits && (*r->limits).*member) return (*r->limits).*member;
    return std::nullopt;
  };
  policies::Resources out;
  if (const auto cpu = pick(&policies::ResourceList::cpu)) {
    auto m = policies::parse_millis(*cpu);
    if (!m) return std::nullopt;
    out.cpu_millicores = *m;
  }
  if (const auto memory = pick(&policies::ResourceList::memory)) {
    auto b = policies::parse_units(*memory);
    if (!b) return std::nullopt;
    out.memory_bytes = *b;
  }
  return out;
}

std::string idle_reason(RightsizingPhase phase, const policies::RolloutInput& input) {
  if (input.block) return input.block->reason;
  switch (phase) {
    case RightsizingPhase::Recommended:
      return "EveryContainerRecommended";
    case RightsizingPhase::Rightsized:
      return "NoFurtherStep";
    default:
      return "CollectingUsage";
  }
}

void set_originals(const AutoStatusInput& in, policies::RightsizingStatus& s) {
  const bool starting = starts_step(*in.result);
  for (auto& c : s.containers) {
    if (const auto* was = find(*in.old, c.name); was != nullptr && was->original) {
      c.original = was->original;
      continue;
    }
    const auto live = in.input->live.find(c.name);
    if (starting && live != in.input->live.end()) c.original = to_status_resources(live->second);
  }
}

// Blocked and Ready are Auto mode's to set: each starts from the stored
// one, not from the Recommend builder's. Set over the builder's (which
// knows none of Auto mode's blocks), a condition flipped twice in one
// reconcile, took a new lastTransitionTime, and every reconcile of a
// workload held by an Auto-mode block (metrics, PDB, blackout) rewrote
// the status.
void start_from_stored(const policies::RightsizingStatus& old, policies::RightsizingStatus& s) {
  for (const std::string_view type : {kBlockedCondition, kReadyCondition}) {
    const auto* was = policies::find_condition(old.conditions, type);
    if (was == nullptr) continue;
    auto it = std::ranges::find_if(s.conditions, [&](const auto& c) { return c.type == type; });
    if (it != s.conditions.end()) {
      *it = *was;  // in place: the order of the list is part of the status compared
    } else {
      s.conditions.push_back(*was);
    }
  }
}

void set_auto_conditions(const AutoStatusInput& in, policies::RightsizingStatus& s) {
  const auto gen = in.workload->generation;
  start_from_stored(*in.old, s);
  const auto& block = in.input->block;
  policies::set_condition(
      s.conditions,
      block ? blocked_condition(gen, block->reason, block->message) : blocked_condition(gen),
      in.now);
  const bool settled =
      s.phase == RightsizingPhase::Recommended || s.phase == RightsizingPhase::Rightsized;
  Condition r{std::string(kReadyCondition),  ConditionStatus::False,       gen, {},
              policies::to_string(*s.phase), std::string(kNotReadyMessage)};
  if (settled && !block) {
    r.status = ConditionStatus::True;
    r.message = "every container has a recommendation";
  } else if (block) {
    r.reason = block->reason;
    r.message = block->message;
  }
  policies::set_condition(s.conditions, r, in.now);
}

}  // namespace

RightsizingPhase decide_phase(const AutoStatusInput& in, RightsizingPhase builder_phase) {
  const auto& next = in.result->next;
  if (in.result->transition_reason || policies::in_flight(next.phase)) return next.phase;
  if (in.input->paused) return RightsizingPhase::Paused;
  if (in.input->blackout) return RightsizingPhase::Waiting;
  if (in.before->phase == RightsizingPhase::Rightsized && !in.input->next) {
    return RightsizingPhase::Rightsized;
  }
  return builder_phase;
}

std::optional<std::string> realized_savings(const policies::RightsizingStatus& status,
                                            const policies::RightsizePolicySpec& policy) {
  std::vector<policies::Resources> original, current;
  for (const auto& c : status.containers) {
    const auto o = requests_of(c.original);
    const auto now = requests_of(c.current);
    if (!o || !now) return std::nullopt;
    original.push_back(*o);
    current.push_back(*now);
  }
  if (original.empty()) return std::nullopt;
  const auto cost =
      policies::compare_cost(original, current, status.replicas.value_or(1), policy.pricing.prices);
  return policies::format_dollars(cost.savings);
}

void compose_auto_status(const AutoStatusInput& in, policies::RightsizingStatus& s) {
  const auto builder_phase = s.phase.value_or(RightsizingPhase::Observing);
  // The builder recorded its own phase change; Auto mode records its own.
  s.history = in.old->history;
  if (s.summary) {
    s.summary->last_event = in.old->summary ? in.old->summary->last_event : std::nullopt;
  }
  auto next = in.result->next;
  next.phase = decide_phase(in, builder_phase);
  policies::write_rollout_state(next, s);
  set_originals(in, s);
  if (s.monthly_cost) s.monthly_cost->realized = realized_savings(s, *in.policy);
  if (in.old->phase != next.phase) {
    std::optional<std::string> from;
    if (in.old->phase) from = policies::to_string(*in.old->phase);
    const auto reason = in.result->transition_reason.value_or(idle_reason(next.phase, *in.input));
    policies::record_transition(s,
                                {in.now, std::move(from), policies::to_string(next.phase), reason});
    if (!s.summary) s.summary.emplace();
    s.summary->last_event = policies::to_string(next.phase);
  }
  set_auto_conditions(in, s);
}

void set_failed_conditions(const policies::RightsizingStatus& old, policies::RightsizingStatus& s,
                           std::int64_t generation, const std::string& message,
                           policies::Timestamp now) {
  start_from_stored(old, s);
  policies::set_condition(s.conditions, blocked_condition(generation, kStatusUnreadable, message),
                          now);
  policies::set_condition(s.conditions,
                          {std::string(kReadyCondition),
                           policies::ConditionStatus::False,
                           generation,
                           {},
                           std::string(kStatusUnreadable),
                           message},
                          now);
}

void keep_rollout_fields(const policies::RightsizingStatus& old,
                         policies::RightsizingStatus& built) {
  built.history = old.history;
  // LAST-EVENT is Auto mode's too: the builder's would name an event that
  // the status written does not show (reconciler.cpp, shown()).
  if (built.summary)
    built.summary->last_event = old.summary ? old.summary->last_event : std::nullopt;
  if (auto state = policies::rollout_state_from_status(old)) {
    policies::write_rollout_state(*state, built);
  } else {
    // What does not parse is kept as it is stored (phase Failed says so):
    // dropped, the next reconcile would read an idle state without the
    // step in flight or lastGood, and act on it.
    built.canary = old.canary;
    built.last_rollback = old.last_rollback;
    for (const auto& was : old.containers) {
      if (!was.step && !was.last_good && !was.floor) continue;
      auto it =
          std::ranges::find_if(built.containers, [&](const auto& c) { return c.name == was.name; });
      if (it == built.containers.end()) {
        built.containers.push_back({});
        it = std::prev(built.containers.end());
        it->name = was.name;
      }
      it->step = was.step;
      it->last_good = was.last_good;
      it->floor = was.floor;
    }
  }
  if (old.phase) built.phase = old.phase;
  for (auto& c : built.containers) {
    if (const auto* was = find(old, c.name); was != nullptr) c.original = was->original;
  }
  if (built.monthly_cost && old.monthly_cost) {
    built.monthly_cost->realized = old.monthly_cost->realized;
  }
  if (!old.conditions.empty()) {
    built.conditions = old.conditions;
    return;
  }
  // A status just created has none stored: the builder's stand (the first
  // status used to have none at all), but its Ready is Recommend mode's,
  // True once learning is confident, while this phase may be Observing.
  const auto phase = built.phase.value_or(RightsizingPhase::Observing);
  if (phase == RightsizingPhase::Recommended || phase == RightsizingPhase::Rightsized) return;
  auto ready = std::ranges::find_if(built.conditions,
                                    [](const auto& c) { return c.type == kReadyCondition; });
  if (ready == built.conditions.end() || ready->status == ConditionStatus::False) return;
  ready->status = ConditionStatus::False;
  ready->reason = policies::to_string(phase);
  ready->message = std::string(kNotReadyMessage);
}

void keep_rollout_fields_stood_down(const policies::RightsizingStatus& old,
                                    policies::RightsizingStatus& built, policies::Timestamp now) {
  auto state = policies::rollout_state_from_status(old);
  if (!state) {  // stood down on an older read: what does not parse is kept
    keep_rollout_fields(old, built);
    return;
  }
  auto phase = built.phase.value_or(RightsizingPhase::Observing);
  // Failed too: kept by a builder without a usable policy, it would read as
  // the stage it stood in, now ended, and be ended again on every pass.
  if (policies::in_flight(phase) || phase == RightsizingPhase::Failed) {
    phase = RightsizingPhase::Observing;
  }
  keep_rollout_fields(old, built);
  // The stored phase (a corrected Failed reads as the phase it stood in).
  const auto from = old.phase.value_or(state->phase);
  policies::RolloutState idle;
  idle.phase = phase;
  idle.last_good = state->last_good;
  idle.last_rollback = state->last_rollback;
  policies::write_rollout_state(idle, built);
  if (from != phase) {
    policies::record_transition(
        built, {now, policies::to_string(from), policies::to_string(phase), "PolicyNotAuto"});
    if (built.summary) built.summary->last_event = policies::to_string(phase);
  }
}

}  // namespace controller
