#include "policies/step_planner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace policies {
namespace {

// v rounded up to a multiple of step; nullopt when that multiple does not fit
// in int64 (requests up to 8Ei are valid quantities).
std::optional<std::int64_t> round_up(std::int64_t v, std::int64_t step) {
  if (step <= 0 || v % step == 0) return v;
  const std::int64_t add = step - v % step;
  if (v > std::numeric_limits<std::int64_t>::max() - add) return std::nullopt;
  return v + add;
}

// ceil(current × (1 − maxStepDown)), never above current: in double, current
// near INT64_MAX rounds up to 2^63 and 1 − a tiny maxStepDown rounds to 1,
// and 2^63 does not convert back to int64.
std::int64_t step_down_bound(std::int64_t current, double max_step_down) {
  const double keep = std::ceil(static_cast<double>(current) * (1.0 - max_step_down));
  if (!(keep < static_cast<double>(current))) return current;
  return keep > 0 ? static_cast<std::int64_t>(keep) : 0;
}

}  // namespace

ResourceStep plan_resource_step(std::int64_t current, std::int64_t target,
                                const RolloutPolicy& rollout, std::int64_t round_to,
                                bool urgent_increase) {
  const ResourceStep none{StepDirection::None, current};
  if (target == current || target <= 0) return none;
  const double change = std::abs(static_cast<double>(target) - static_cast<double>(current));
  const bool within_hysteresis = change <= rollout.min_change * static_cast<double>(current);
  if (target > current) {
    if (within_hysteresis && !urgent_increase) return none;
    return {StepDirection::Up, target};
  }
  if (within_hysteresis) return none;
  const auto bound = round_up(step_down_bound(current, rollout.max_step_down), round_to);
  if (!bound) return none;  // no size a step may take
  const std::int64_t next = std::max(target, *bound);
  if (next >= current) return none;
  return {StepDirection::Down, next};
}

ContainerStep plan_step(const RightsizePolicySpec& policy, const ContainerResources& as_given,
                        const Recommendation& recommendation) {
  ContainerStep out;
  out.resources = as_given;
  // A limit without a request is the request pods run with: 16 → 2 cores is a
  // step down (canary, maxStepDown), not an increase from 0.
  const ContainerResources current = with_defaulted_requests(as_given);
  if (recommendation.status == RecommendationStatus::NotEnoughData) return out;
  const Resources& target = recommendation.target.requests;
  const ResourceStep mem =
      plan_resource_step(current.requests.memory_bytes, target.memory_bytes, policy.rollout,
                         policy.memory.round_to_bytes, recommendation.oom_bumped);
  // An OOM bump is urgent: it goes out alone (CPU stays) and without a canary,
  // so a CPU cut can neither delay it nor roll it back.
  const bool urgent = recommendation.oom_bumped && mem.direction == StepDirection::Up;
  const ResourceStep cpu =
      urgent ? ResourceStep{StepDirection::None, current.requests.cpu_millicores}
             : plan_resource_step(current.requests.cpu_millicores, target.cpu_millicores,
                                  policy.rollout, policy.cpu.round_to_millicores);
  out.cpu = cpu.direction;
  out.memory = mem.direction;
  if (!out.changes()) return out;
  out.resources.requests = {cpu.value, mem.value};
  out.resources.limits = plan_limits(policy.limits, current, out.resources.requests, policy);
  const bool any_down =
      cpu.direction == StepDirection::Down || mem.direction == StepDirection::Down;
  out.needs_canary = !urgent && (any_down || policy.rollout.increases == Increases::Canary);
  return out;
}

}  // namespace policies
