// Fuzzes the step planner and the limits with hostile current values: any
// request or limit a parsed quantity can hold (0 … 8Ei = INT64_MAX), any
// target, and any policy the validator accepts. Besides no undefined
// behaviour (UBSan), a step goes toward the target and never past it, keeps
// what it does not change, and never sets a limit below its request.
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "policies/recommender.h"
#include "policies/step_planner.h"

namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

// Names the broken invariant and the inputs before aborting.
#define CHECK(ok)                                                    \
  do {                                                               \
    if (!(ok)) {                                                     \
      std::fprintf(stderr, "broken: %s (line %d)\n", #ok, __LINE__); \
      std::abort();                                                  \
    }                                                                \
  } while (false)

// The apiserver never stores a limit below its request.
std::optional<std::int64_t> maybe_limit(FuzzedDataProvider& in, std::int64_t request) {
  if (!in.ConsumeBool()) return std::nullopt;
  return in.ConsumeIntegralInRange<std::int64_t>(request, kMax);
}

// `given` is the request as written (0 when missing), `from` the one pods run
// with (a missing request is its limit). A resource a step leaves alone keeps
// either; a step moves from `from`.
void check_direction(policies::StepDirection d, std::int64_t given, std::int64_t from,
                     std::int64_t target, std::int64_t next) {
  using policies::StepDirection;
  if (d == StepDirection::None) CHECK(next == given || next == from);
  if (d == StepDirection::Down) CHECK(next >= target && next < from);
  if (d == StepDirection::Up) CHECK(next == target && next > from);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  policies::RightsizePolicySpec p;
  p.limits = static_cast<policies::LimitsPolicy>(in.ConsumeIntegralInRange(0, 3));
  p.cpu.round_to_millicores =
      in.ConsumeIntegralInRange<std::int64_t>(1, policies::kMaxCpuMillicores);
  p.memory.round_to_bytes = in.ConsumeIntegralInRange<std::int64_t>(1, policies::kMaxMemoryBytes);
  p.rollout.max_step_down =
      in.ConsumeFloatingPointInRange<double>(std::nextafter(0.0, 1.0), std::nextafter(1.0, 0.0));
  p.rollout.min_change = in.ConsumeFloatingPointInRange<double>(0.0, std::nextafter(1.0, 0.0));
  policies::ContainerResources current;
  current.requests.cpu_millicores = in.ConsumeIntegralInRange<std::int64_t>(0, kMax);
  current.requests.memory_bytes = in.ConsumeIntegralInRange<std::int64_t>(0, kMax);
  current.limits.cpu_millicores = maybe_limit(in, current.requests.cpu_millicores);
  current.limits.memory_bytes = maybe_limit(in, current.requests.memory_bytes);
  policies::Recommendation rec;
  rec.status = in.ConsumeBool() ? policies::RecommendationStatus::Ready
                                : policies::RecommendationStatus::OomOnly;
  rec.oom_bumped = in.ConsumeBool();
  rec.target.requests.cpu_millicores = in.ConsumeIntegralInRange<std::int64_t>(0, kMax);
  rec.target.requests.memory_bytes = in.ConsumeIntegralInRange<std::int64_t>(0, kMax);

  const auto step = policies::plan_step(p, current, rec);
  if (std::getenv("STEP_PLANNER_FUZZ_PRINT") != nullptr)
    std::fprintf(stderr,
                 "limits %d roundTo %lld/%lld stepDown %g minChange %g cpu %lld/%lld mem %lld/%lld "
                 "target %lld/%lld → %lld/%lld mem %lld/%lld\n",
                 static_cast<int>(p.limits), static_cast<long long>(p.cpu.round_to_millicores),
                 static_cast<long long>(p.memory.round_to_bytes), p.rollout.max_step_down,
                 p.rollout.min_change, static_cast<long long>(current.requests.cpu_millicores),
                 static_cast<long long>(current.limits.cpu_millicores.value_or(-1)),
                 static_cast<long long>(current.requests.memory_bytes),
                 static_cast<long long>(current.limits.memory_bytes.value_or(-1)),
                 static_cast<long long>(rec.target.requests.cpu_millicores),
                 static_cast<long long>(rec.target.requests.memory_bytes),
                 static_cast<long long>(step.resources.requests.cpu_millicores),
                 static_cast<long long>(step.resources.limits.cpu_millicores.value_or(-1)),
                 static_cast<long long>(step.resources.requests.memory_bytes),
                 static_cast<long long>(step.resources.limits.memory_bytes.value_or(-1)));
  const auto& next = step.resources;
  // A missing request is its limit (as on a pod): directions are measured from there.
  const auto from = policies::with_defaulted_requests(current).requests;
  if (rec.target.requests.cpu_millicores > 0)
    check_direction(step.cpu, current.requests.cpu_millicores, from.cpu_millicores,
                    rec.target.requests.cpu_millicores, next.requests.cpu_millicores);
  if (rec.target.requests.memory_bytes > 0)
    check_direction(step.memory, current.requests.memory_bytes, from.memory_bytes,
                    rec.target.requests.memory_bytes, next.requests.memory_bytes);
  if (!step.changes()) return 0;
  CHECK(!next.limits.cpu_millicores || *next.limits.cpu_millicores >= next.requests.cpu_millicores);
  CHECK(!next.limits.memory_bytes || *next.limits.memory_bytes >= next.requests.memory_bytes);
  return 0;
}
