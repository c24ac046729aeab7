// build_rightsizing_status and its parts (rightsizing_builder.h).
#include "controller/rightsizing_builder.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "controller/policy_status_builder.h"
#include "policies/cost.h"
#include "policies/duration.h"
#include "policies/money.h"
#include "policies/quantity.h"
#include "policies/recommender.h"
#include "policies/usage_checkpoint.h"

namespace controller {
namespace {

using policies::Condition;
using policies::ConditionStatus;
using policies::RightsizingPhase;

constexpr std::string_view kOomKilled = "OOMKilled";

struct Blocker {
  std::string reason, message;
};

// One container's share of the status, with the figures cost and summary need.
struct SizedContainer {
  policies::ContainerStatus status;
  policies::Resources current;
  std::optional<policies::Resources> target;  // a recommendation's requests
  bool ready = false;
  std::optional<policies::Recommendation> recommendation;
};

const policies::ContainerStatus* find_container(const policies::RightsizingStatus* status,
                                                std::string_view name) {
  if (status == nullptr) return nullptr;
  for (const auto& c : status->containers) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string ceil_millicores(double millicores) {
  return policies::format_millicores(static_cast<std::int64_t>(std::ceil(millicores)));
}

policies::UsageFigures usage_figures(const policies::ContainerUsage& usage) {
  policies::UsageFigures f;
  f.cpu_p50 = ceil_millicores(usage.cpu().percentile(50));
  f.cpu_p95 = ceil_millicores(usage.cpu().percentile(95));
  f.cpu_peak = policies::format_millicores(usage.cpu_peak_millicores());
  f.memory_peak = policies::format_bytes(usage.memory_peak_bytes());
  f.samples = usage.samples();
  f.observed_since = usage.first_sample();
  return f;
}

std::optional<Blocker> find_blocker(const RightsizingInput& in) {
  const Workload& w = *in.workload;
  const std::string policy_name = w.policy.value_or("");
  if (in.policy == nullptr) {
    return Blocker{"PolicyNotFound", "RightsizePolicy \"" + policy_name +
                                         "\" does not exist in namespace " + w.ref.namespace_name};
  }
  if (!in.policy->parsed.valid()) {
    return Blocker{"InvalidPolicy", "RightsizePolicy \"" + policy_name + "\" is invalid: " +
                                        join_problems(in.policy->parsed.problems)};
  }
  if (w.paused)
    return Blocker{"Paused", "the workload is annotated rightsizer.io/paused: \"true\""};
  if (!in.policy->parsed.spec.rollout.allow_hpa_conflict && hpa_conflicts(w, in.hpas)) {
    return Blocker{"HPAConflict",
                   "a HorizontalPodAutoscaler scales this workload on the cpu or memory it sizes"};
  }
  return std::nullopt;
}

// Usage figures and checkpoint: fresh from the store, or as stored when
// learning is not refreshed this time.
void fill_learning(policies::ContainerStatus& c, const policies::ContainerUsage* usage,
                   const policies::ContainerStatus* old, bool refresh) {
  if (!refresh && old != nullptr && (old->usage || old->checkpoint)) {
    c.usage = old->usage;
    c.checkpoint = old->checkpoint;
    return;
  }
  if (usage == nullptr) return;
  // An OOMKill seen before the first sample is learnt, and checkpointed, but
  // there are no usage figures yet.
  if (usage->samples() > 0) c.usage = usage_figures(*usage);
  auto text = policies::encode_checkpoint_text(*usage);
  if (text.size() <= kMaxCheckpointChars) c.checkpoint = std::move(text);
}

SizedContainer size_container(const RightsizingInput& in, const ContainerSpec& spec,
                              bool policy_usable) {
  SizedContainer out;
  auto& c = out.status;
  c.name = spec.name;
  const auto current = policies::with_defaulted_requests(spec.resources);
  out.current = current.requests;
  c.current = to_status_resources(current);
  const auto* old = find_container(in.old, spec.name);
  const auto found = in.usage.find(spec.name);
  const policies::ContainerUsage* usage = found == in.usage.end() ? nullptr : &found->second;
  fill_learning(c, usage, old, in.refresh_learning);
  const auto oom = latest_oom_kill(in.pods, spec.name);
  // The last OOMKill stays in status after the pod that reported it is
  // gone (replaced by the bump's rollout, or deleted): the newest one seen.
  if (old != nullptr) c.oom_killed_at = old->oom_killed_at;
  if (oom && (!c.oom_killed_at || *c.oom_killed_at < oom->at)) c.oom_killed_at = oom->at;
  if (!policy_usable) {
    // No action under a missing or invalid policy: the last recommendation stays.
    if (old != nullptr) c.recommended = old->recommended;
    return out;
  }
  const auto floor = in.floors.find(spec.name);
  auto rec = policies::recommend(
      in.policy->parsed.spec,
      {usage, current, oom, floor == in.floors.end() ? std::nullopt : std::optional(floor->second),
       in.now});
  if (rec.status != policies::RecommendationStatus::NotEnoughData) {
    c.recommended = to_status_resources(rec.target);
    out.target = rec.target.requests;
  }
  out.ready = rec.status == policies::RecommendationStatus::Ready;
  out.recommendation = std::move(rec);
  return out;
}

RightsizingPhase decide_phase(const RightsizingInput& in, const std::optional<Blocker>& block,
                              bool policy_usable, const std::vector<SizedContainer>& sized) {
  if (!policy_usable) {
    return in.old != nullptr && in.old->phase ? *in.old->phase : RightsizingPhase::Observing;
  }
  if (block && block->reason == "Paused") return RightsizingPhase::Paused;
  const bool all_ready =
      !sized.empty() && std::ranges::all_of(sized, [](const auto& s) { return s.ready; });
  return all_ready ? RightsizingPhase::Recommended : RightsizingPhase::Observing;
}

std::string sum_text(const std::vector<SizedContainer>& sized, bool cpu) {
  std::int64_t current = 0, target = 0;
  bool any_target = false;
  for (const auto& s : sized) {
    current += cpu ? s.current.cpu_millicores : s.current.memory_bytes;
    const auto& t = s.target.value_or(s.current);
    target += cpu ? t.cpu_millicores : t.memory_bytes;
    any_target = any_target || s.target.has_value();
  }
  const auto format = [cpu](std::int64_t v) {
    return cpu ? policies::format_millicores(v) : policies::format_bytes(v);
  };
  return any_target ? format(current) + "→" + format(target) : format(current);
}

policies::MonthlyCostText monthly_cost(const RightsizingInput& in,
                                       const std::vector<SizedContainer>& sized, bool with_target) {
  std::vector<policies::Resources> current, target;
  for (const auto& s : sized) {
    current.push_back(s.current);
    target.push_back(s.target.value_or(s.current));
  }
  const auto& pricing = in.policy->parsed.spec.pricing;
  const auto cost = policies::compare_cost(current, target, in.workload->replicas, pricing.prices);
  policies::MonthlyCostText out;
  out.current = policies::format_dollars(cost.current);
  out.currency = pricing.currency;
  if (with_target) {
    out.target = policies::format_dollars(cost.target);
    out.savings = policies::format_dollars(cost.savings);
  }
  return out;
}

bool recommendations_changed(const policies::RightsizingStatus* old,
                             const std::vector<SizedContainer>& sized) {
  if (old == nullptr || old->phase != RightsizingPhase::Recommended) return true;
  if (old->containers.size() != sized.size()) return true;
  return std::ranges::any_of(sized, [old](const SizedContainer& s) {
    const auto* o = find_container(old, s.status.name);
    return o == nullptr || o->recommended != s.status.recommended;
  });
}

void set_conditions(policies::RightsizingStatus& s, const RightsizingInput& in,
                    const std::optional<Blocker>& block) {
  const auto gen = in.workload->generation;
  const bool ready = s.phase == RightsizingPhase::Recommended && !block;
  const auto phase = std::string(policies::to_string(*s.phase));
  // Messages are stable while nothing changes, so that a condition alone
  // never causes a write each sampling interval.
  Condition r{std::string(kReadyCondition),
              ConditionStatus::False,
              gen,
              {},
              phase,
              "waiting for the history the policy asks for"};
  if (ready) {
    r.status = ConditionStatus::True;
    r.message = "every container has a recommendation";
  } else if (block) {
    r.reason = block->reason;
    r.message = block->message;
  }
  policies::set_condition(s.conditions, r, in.now);
  policies::set_condition(
      s.conditions,
      block ? blocked_condition(gen, block->reason, block->message) : blocked_condition(gen),
      in.now);
  Condition m{std::string(kMetricsCondition),
              ConditionStatus::Unknown,
              gen,
              {},
              "NotSampledYet",
              "the namespace's pod metrics were not listed yet"};
  if (in.health.failing()) {
    m.status = ConditionStatus::False;
    m.reason = "MetricsUnavailable";
    m.message = in.health.last_error;
    // An outage's error text varies (503, timeout, transport) from pass to
    // pass; the first one stands for the outage, so that each variation does
    // not rewrite every workload of the namespace.
    const auto* was =
        in.old != nullptr ? policies::find_condition(in.old->conditions, m.type) : nullptr;
    if (was != nullptr && was->status == ConditionStatus::False && was->reason == m.reason) {
      m.message = was->message;
    }
  } else if (in.health.last_success) {
    m.status = ConditionStatus::True;
    m.reason = "MetricsAvailable";
    m.message = "metrics.k8s.io reports the pods' usage";
  } else if (const auto* was = in.old != nullptr
                                   ? policies::find_condition(in.old->conditions, m.type)
                                   : nullptr) {
    // Not listed yet by this process (a new leader): what the previous one
    // knew stands until the first pass says otherwise, rather than a flip to
    // Unknown and back that rewrites every workload after each restart.
    m.status = was->status;
    m.reason = was->reason;
    m.message = was->message;
  }
  policies::set_condition(s.conditions, m, in.now);
}

std::vector<PlannedEvent> plan_events(const policies::RightsizingStatus& s,
                                      const RightsizingInput& in,
                                      const std::optional<Blocker>& block,
                                      const std::vector<SizedContainer>& sized) {
  std::vector<PlannedEvent> events;
  if (s.phase == RightsizingPhase::Recommended && recommendations_changed(in.old, sized)) {
    std::string msg = "recommended requests: cpu " + s.summary->cpu.value_or("") + ", memory " +
                      s.summary->memory.value_or("");
    if (s.monthly_cost && s.monthly_cost->savings) {
      msg += ", saving " + *s.monthly_cost->savings + " " + s.monthly_cost->currency.value_or("") +
             "/month";
    }
    events.push_back({k8s::EventType::Normal, "RightsizeRecommended", std::move(msg)});
  }
  const auto* was =
      in.old ? policies::find_condition(in.old->conditions, kBlockedCondition) : nullptr;
  if (block &&
      (was == nullptr || was->status != ConditionStatus::True || was->reason != block->reason)) {
    events.push_back(
        {k8s::EventType::Warning, "RightsizeBlocked", block->reason + ": " + block->message});
  }
  return events;
}

std::string transition_reason(RightsizingPhase phase, const std::optional<Blocker>& block) {
  if (block) return block->reason;
  switch (phase) {
    case RightsizingPhase::Recommended:
      return "EveryContainerRecommended";
    case RightsizingPhase::Paused:
      return "Paused";
    default:
      return "CollectingUsage";
  }
}

}  // namespace

policies::Condition blocked_condition(std::int64_t generation, std::string_view reason,
                                      std::string_view message) {
  if (reason.empty()) {
    return {std::string(kBlockedCondition),
            policies::ConditionStatus::False,
            generation,
            {},
            "NotBlocked",
            "nothing blocks this workload"};
  }
  return {std::string(kBlockedCondition),
          policies::ConditionStatus::True,
          generation,
          {},
          std::string(reason),
          std::string(message)};
}

policies::StatusResources to_status_resources(const policies::ContainerResources& r) {
  policies::StatusResources out;
  policies::ResourceList requests, limits;
  if (r.requests.cpu_millicores > 0)
    requests.cpu = policies::format_millicores(r.requests.cpu_millicores);
  if (r.requests.memory_bytes > 0)
    requests.memory = policies::format_bytes(r.requests.memory_bytes);
  if (r.limits.cpu_millicores) limits.cpu = policies::format_millicores(*r.limits.cpu_millicores);
  if (r.limits.memory_bytes) limits.memory = policies::format_bytes(*r.limits.memory_bytes);
  if (requests.cpu || requests.memory) out.requests = requests;
  if (limits.cpu || limits.memory) out.limits = limits;
  return out;
}

std::optional<policies::OomKill> latest_oom_kill(
    std::span<const std::shared_ptr<const PodInfo>> pods, std::string_view container) {
  std::optional<policies::OomKill> latest;
  for (const auto& pod : pods) {
    if (!pod || pod->canary) continue;
    for (const auto& c : pod->containers) {
      if (c.name != container || c.last_termination_reason != kOomKilled ||
          !c.last_termination_at || (latest && latest->at >= *c.last_termination_at)) {
        continue;
      }
      const auto at_kill = policies::with_defaulted_requests(c.resources);
      latest = policies::OomKill{at_kill.requests.memory_bytes, at_kill.limits.memory_bytes,
                                 *c.last_termination_at};
    }
  }
  return latest;
}

bool hpa_conflicts(const Workload& workload, std::span<const std::shared_ptr<const HpaInfo>> hpas) {
  return std::ranges::any_of(hpas, [&](const auto& h) {
    return h && h->namespace_name == workload.ref.namespace_name &&
           h->target_kind == to_string(workload.ref.kind) && h->target_name == workload.ref.name &&
           std::ranges::any_of(h->resource_metrics,
                               [](const auto& r) { return r == "cpu" || r == "memory"; });
  });
}

void refresh_learning(policies::RightsizingStatus& status, const RightsizingInput& in) {
  for (auto& c : status.containers) {
    const auto found = in.usage.find(c.name);
    // Nothing learnt in this process (yet): the stored learning stays, where
    // the builder's refresh would write none.
    if (found == in.usage.end()) continue;
    // What is written is all fresh, as the builder's refresh: no stale
    // checkpoint beside fresh figures when the checkpoint is too long.
    c.usage.reset();
    c.checkpoint.reset();
    fill_learning(c, &found->second, nullptr, true);
  }
}

RightsizingPlan build_rightsizing_status(const RightsizingInput& in) {
  const Workload& w = *in.workload;
  const auto block = find_blocker(in);
  const bool policy_usable = in.policy != nullptr && in.policy->parsed.valid();
  std::vector<SizedContainer> sized;
  for (const auto& spec : w.containers) sized.push_back(size_container(in, spec, policy_usable));

  RightsizingPlan plan;
  auto& s = plan.status;
  if (in.old != nullptr) s = *in.old;  // history, conditions and what Auto mode keeps
  s.observed_generation = w.generation;
  s.replicas = w.replicas;
  s.containers.clear();
  for (const auto& c : sized) {
    s.containers.push_back(c.status);
    if (c.recommendation) plan.recommendations.emplace(c.status.name, *c.recommendation);
  }
  const auto phase = decide_phase(in, block, policy_usable, sized);
  const bool phase_changed = in.old == nullptr || in.old->phase != phase;
  std::optional<std::string> from;
  if (in.old != nullptr && in.old->phase) from = policies::to_string(*in.old->phase);
  s.phase = phase;
  if (policy_usable) {
    s.monthly_cost = monthly_cost(in, sized, phase == RightsizingPhase::Recommended);
    s.summary = policies::RightsizingSummary{sum_text(sized, true), sum_text(sized, false), {}};
  } else if (!s.summary) {
    s.summary = policies::RightsizingSummary{sum_text(sized, true), sum_text(sized, false), {}};
  }
  s.summary->last_event = in.old && in.old->summary ? in.old->summary->last_event : std::nullopt;
  if (phase_changed) {
    policies::record_transition(
        s, {in.now, std::move(from), policies::to_string(phase), transition_reason(phase, block)});
    s.summary->last_event = policies::to_string(phase);
  }
  set_conditions(s, in, block);
  plan.events = plan_events(s, in, block, sized);
  for (const auto& e : plan.events) {
    s.summary->last_event =
        e.reason == "RightsizeBlocked" ? "Blocked: " + block->reason : std::string("Recommended");
  }
  return plan;
}

}  // namespace controller
