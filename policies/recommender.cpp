#include "policies/recommender.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "policies/duration.h"
#include "policies/wide_int.h"

namespace policies {
namespace {

constexpr double kMaxRaw = static_cast<double>(std::numeric_limits<std::int64_t>::max() / 4);

std::int64_t ceil_to_int(double v) {
  if (!(v > 0)) return 0;
  return static_cast<std::int64_t>(std::ceil(std::min(v, kMaxRaw)));
}

std::int64_t round_up(std::int64_t v, std::int64_t step) {
  if (step <= 0) return v;
  const std::int64_t r = v % step;
  if (r == 0) return v;
  if (v > std::numeric_limits<std::int64_t>::max() - (step - r)) return v - r;
  return v + (step - r);
}

// ceil(value × numerator / denominator) exactly.
std::int64_t scale_ratio(std::int64_t value, std::int64_t numerator, std::int64_t denominator) {
  using detail::Int128;
  if (denominator <= 0) return value;
  const Int128 product = Int128{value} * numerator;
  const Int128 q = (product + denominator - 1) / denominator;
  constexpr Int128 kMax = std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(q > kMax ? kMax : q);
}

// KeepRatio for one resource. A request that does not change keeps its
// limit byte for byte, and a limit equal to its request stays equal to it, so
// a step never turns a Guaranteed pod Burstable (nor, since a limit above its
// request stays above it, a Burstable one Guaranteed).
std::optional<std::int64_t> keep_ratio(std::optional<std::int64_t> limit, std::int64_t request,
                                       std::int64_t new_request, std::int64_t round_to) {
  if (!limit) return std::nullopt;
  if (new_request == request) return limit;
  // Only a zero limit is left without a request here (requests are defaulted).
  if (request <= 0) return std::max(*limit, new_request);
  if (*limit == request) return new_request;
  return std::max(round_up(scale_ratio(new_request, *limit, request), round_to), new_request);
}

// Unchanged for one resource: the current limit, but one equal to its request
// follows the request and one above its request stays above the new one
// (KeepRatio's value), so that the QoS class does not change.
std::optional<std::int64_t> keep_limit(std::optional<std::int64_t> limit, std::int64_t request,
                                       std::int64_t new_request, std::int64_t round_to) {
  if (!limit || new_request == request) return limit;
  if (request > 0 && *limit == request) return new_request;
  if (request > 0 && *limit > request && *limit <= new_request)
    return keep_ratio(limit, request, new_request, round_to);
  return std::max(*limit, new_request);
}

}  // namespace

std::int64_t size_to_policy(std::int64_t raw, std::int64_t min, std::int64_t max,
                            std::int64_t round_to) {
  const std::int64_t clamped = std::clamp(raw, min, std::max(min, max));
  const std::int64_t up = round_up(clamped, round_to);
  if (up <= max) return up;
  const std::int64_t down = round_to > 0 ? max - max % round_to : max;
  return down >= min && down > 0 ? down : max;
}

ContainerResources with_defaulted_requests(const ContainerResources& current) {
  ContainerResources out = current;
  if (out.requests.cpu_millicores <= 0 && out.limits.cpu_millicores)
    out.requests.cpu_millicores = *out.limits.cpu_millicores;
  if (out.requests.memory_bytes <= 0 && out.limits.memory_bytes)
    out.requests.memory_bytes = *out.limits.memory_bytes;
  return out;
}

Limits plan_limits(LimitsPolicy mode, const ContainerResources& as_given,
                   const Resources& new_requests, const RightsizePolicySpec& policy) {
  const ContainerResources current = with_defaulted_requests(as_given);
  switch (mode) {
    case LimitsPolicy::EqualToRequests:
      return {new_requests.cpu_millicores, new_requests.memory_bytes};
    case LimitsPolicy::Unset:
      return {};
    case LimitsPolicy::Unchanged:
      return {keep_limit(current.limits.cpu_millicores, current.requests.cpu_millicores,
                         new_requests.cpu_millicores, policy.cpu.round_to_millicores),
              keep_limit(current.limits.memory_bytes, current.requests.memory_bytes,
                         new_requests.memory_bytes, policy.memory.round_to_bytes)};
    case LimitsPolicy::KeepRatio:
      break;
  }
  return {keep_ratio(current.limits.cpu_millicores, current.requests.cpu_millicores,
                     new_requests.cpu_millicores, policy.cpu.round_to_millicores),
          keep_ratio(current.limits.memory_bytes, current.requests.memory_bytes,
                     new_requests.memory_bytes, policy.memory.round_to_bytes)};
}

std::chrono::seconds confidence(const ContainerUsage& usage) {
  constexpr std::int64_t kMaxSamples = std::numeric_limits<std::int64_t>::max() / 60;
  const std::chrono::seconds by_density =
      std::chrono::minutes(std::min(usage.samples(), kMaxSamples));
  return std::min(usage.observed(), by_density);
}

double oom_need_bytes(const OomKill& oom, std::int64_t observed_peak_bytes, double ratio) {
  const std::int64_t at_kill =
      oom.limit_bytes ? *oom.limit_bytes : std::max(oom.request_bytes, observed_peak_bytes);
  return std::max(static_cast<double>(at_kill) + static_cast<double>(kOomMinBumpBytes),
                  static_cast<double>(at_kill) * ratio);
}

std::int64_t oom_floor_bytes(const OomKill& oom, std::int64_t observed_peak_bytes, double ratio) {
  return ceil_to_int(oom_need_bytes(oom, observed_peak_bytes, ratio));
}

namespace {

// Why the usage cannot give a recommendation yet, if it cannot.
std::optional<std::string> not_ready_reason(const RightsizePolicySpec& policy,
                                            const ContainerUsage* usage) {
  if (usage == nullptr || usage->samples() == 0 || usage->cpu().empty())
    return "no usage samples yet";
  if (confidence(*usage) < policy.history.min_observation)
    return "observed " + format_duration(usage->observed()) + " with " +
           std::to_string(usage->samples()) + " samples (" + format_duration(confidence(*usage)) +
           " at one sample a minute) of the required " +
           format_duration(policy.history.min_observation);
  return std::nullopt;
}

// One resource under a cooldown floor: strictly above the failed size, so
// the size that just failed is never tried again while the cooldown runs.
// When no size the policy allows lies above it, the current request stays.
// (Also when the raw target is above the floor but max pulls it back down.)
// A floor at or above the current request is no floor: the failed step did
// not step that resource down, and it must not be forced up.
std::int64_t above_floor(std::int64_t raw, std::int64_t floor, std::int64_t current,
                         std::int64_t min, std::int64_t max, std::int64_t round_to, bool& applied) {
  if (floor <= 0 || floor >= current) return size_to_policy(raw, min, max, round_to);
  const std::int64_t above = floor < std::numeric_limits<std::int64_t>::max() ? floor + 1 : floor;
  const std::int64_t sized = size_to_policy(std::max(raw, above), min, max, round_to);
  if (raw <= floor || sized <= floor) applied = true;
  return sized > floor ? sized : current;
}

// Sizes raw targets to the policy and derives the limits.
void finish(Recommendation& out, const RightsizePolicySpec& policy, const RecommendationInput& in,
            std::int64_t cpu, std::int64_t mem) {
  const bool cooling = in.cooldown && in.now < in.cooldown->until;
  const Resources floor = cooling ? in.cooldown->floor : Resources{};
  const CpuPolicy& c = policy.cpu;
  const MemoryPolicy& m = policy.memory;
  const Resources current = with_defaulted_requests(in.current).requests;
  out.target.requests.cpu_millicores =
      above_floor(cpu, floor.cpu_millicores, current.cpu_millicores, c.min_millicores,
                  c.max_millicores, c.round_to_millicores, out.cooldown_floor_applied);
  out.target.requests.memory_bytes =
      above_floor(mem, floor.memory_bytes, current.memory_bytes, m.min_bytes, m.max_bytes,
                  m.round_to_bytes, out.cooldown_floor_applied);
  out.target.limits = plan_limits(policy.limits, in.current, out.target.requests, policy);
}

}  // namespace

Recommendation recommend(const RightsizePolicySpec& policy, const RecommendationInput& in) {
  Recommendation out;
  out.target = in.current;
  out.oom_bumped = in.oom.has_value();
  // What the kill needed, sized like usage (÷ targetUtilization), as the
  // learnt OOM sample is once recorded (VPA applies its margin to it too):
  // the bump is the size the recommendation settles on, one step.
  const std::int64_t oom_floor =
      in.oom ? ceil_to_int(
                   oom_need_bytes(*in.oom,
                                  in.usage ? in.usage->memory_interval_peak_bytes(in.oom->at) : 0,
                                  policy.memory.oom_bump_ratio) /
                   policy.memory.target_utilization)
             : 0;
  if (auto reason = not_ready_reason(policy, in.usage)) {
    out.reason = std::move(*reason);
    if (!in.oom) return out;
    // An OOMKill never waits for history (VPA records OOMs whatever its
    // confidence): memory rises now; CPU stays as it is until there is data.
    out.status = RecommendationStatus::OomOnly;
    out.target.requests.memory_bytes =
        std::max(in.current.requests.memory_bytes,
                 size_to_policy(oom_floor, policy.memory.min_bytes, policy.memory.max_bytes,
                                policy.memory.round_to_bytes));
    out.target.limits = plan_limits(policy.limits, in.current, out.target.requests, policy);
    return out;
  }
  out.cpu_percentile_millicores = in.usage->cpu().percentile(policy.cpu.percentile);
  out.memory_percentile_bytes = in.usage->memory().percentile(policy.memory.percentile);
  const std::int64_t cpu =
      ceil_to_int(out.cpu_percentile_millicores / policy.cpu.target_utilization);
  const std::int64_t mem = std::max(
      ceil_to_int(out.memory_percentile_bytes / policy.memory.target_utilization), oom_floor);
  finish(out, policy, in, cpu, mem);
  out.status = RecommendationStatus::Ready;
  return out;
}

}  // namespace policies
