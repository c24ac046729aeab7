#include "policies/step_planner.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

namespace {

using policies::ResourceStep;
using policies::RolloutPolicy;
using policies::StepDirection;

struct StepCase {
  const char* name;
  std::int64_t current, target;
  double max_step_down, min_change;
  std::int64_t round_to;
  bool urgent;
  ResourceStep expected;
};

class ResourceSteps : public testing::TestWithParam<StepCase> {};

TEST_P(ResourceSteps, Table) {
  const auto& c = GetParam();
  RolloutPolicy r;
  r.max_step_down = c.max_step_down;
  r.min_change = c.min_change;
  EXPECT_EQ(policies::plan_resource_step(c.current, c.target, r, c.round_to, c.urgent), c.expected);
}

constexpr auto kNone = StepDirection::None;
constexpr auto kDown = StepDirection::Down;
constexpr auto kUp = StepDirection::Up;

INSTANTIATE_TEST_SUITE_P(
    Table, ResourceSteps,
    testing::Values(
        StepCase{"HalveFrom16", 16000, 2000, 0.5, 0.1, 1000, false, {kDown, 8000}},
        StepCase{"HalveFrom8", 8000, 2000, 0.5, 0.1, 1000, false, {kDown, 4000}},
        StepCase{"LastStepReachesTarget", 4000, 2000, 0.5, 0.1, 1000, false, {kDown, 2000}},
        StepCase{"AtTarget", 2000, 2000, 0.5, 0.1, 1000, false, {kNone, 2000}},
        StepCase{"SmallerSteps", 16000, 2000, 0.25, 0.1, 50, false, {kDown, 12000}},
        StepCase{"StepRoundedUp", 1500, 100, 0.5, 0.1, 1000, false, {kDown, 1000}},
        StepCase{"WithinHysteresisDown", 2000, 1850, 0.5, 0.1, 50, false, {kNone, 2000}},
        StepCase{"JustOutsideHysteresis", 2000, 1750, 0.5, 0.1, 50, false, {kDown, 1750}},
        StepCase{"WithinHysteresisUp", 2000, 2150, 0.5, 0.1, 50, false, {kNone, 2000}},
        StepCase{"IncreaseInOneStep", 2000, 9000, 0.5, 0.1, 50, false, {kUp, 9000}},
        StepCase{"UrgentIncreaseIgnoresHysteresis", 2000, 2100, 0.5, 0.1, 50, true, {kUp, 2100}},
        StepCase{"ZeroMinChangeActsOnAnyChange", 2000, 1990, 0.5, 0.0, 1, false, {kDown, 1990}},
        StepCase{"RoundingCannotReachCurrent", 1000, 100, 0.5, 0.1, 1000, false, {kNone, 1000}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(StepPlanner, SixteenCoresToTwoInThreeSteps) {
  RolloutPolicy r;
  std::vector<std::int64_t> sizes{16000};
  for (int i = 0; i < 10; ++i) {
    const auto step = policies::plan_resource_step(sizes.back(), 2000, r, 1000);
    if (step.direction == StepDirection::None) break;
    sizes.push_back(step.value);
  }
  EXPECT_EQ(sizes, (std::vector<std::int64_t>{16000, 8000, 4000, 2000}));
}

struct FlapCase {
  const char* name;
  std::vector<std::int64_t> targets;  // successive recommendations
  std::int64_t start;
};

class NoFlapping : public testing::TestWithParam<FlapCase> {};

// Applying each planned step in turn, the direction never alternates
// (down then up or up then down) while targets jitter around a level.
TEST_P(NoFlapping, NoAlternatingSteps) {
  RolloutPolicy r;
  std::int64_t current = GetParam().start;
  StepDirection last = StepDirection::None;
  int reversals = 0;
  for (auto target : GetParam().targets) {
    const auto step = policies::plan_resource_step(current, target, r, 50);
    if (step.direction == StepDirection::None) continue;
    if (last != StepDirection::None && step.direction != last) ++reversals;
    last = step.direction;
    current = step.value;
  }
  EXPECT_EQ(reversals, 0) << "ended at " << current;
}

INSTANTIATE_TEST_SUITE_P(
    Table, NoFlapping,
    testing::Values(
        FlapCase{"JitterAroundCurrent", {1900, 2100, 1950, 2150, 1850, 2200, 1900, 2000}, 2000},
        FlapCase{"ConvergeThenJitter", {2000, 2000, 2000, 2150, 1900, 2200, 1850}, 16000},
        FlapCase{"AlternatingNinePercent", {1820, 2180, 1820, 2180, 1820, 2180}, 2000},
        FlapCase{"ClimbThenJitter", {9000, 8500, 9500, 8300, 9700}, 2000}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(StepPlanner, ContainerStepNeedsCanaryOnlyForDecreasesByDefault) {
  policies::RightsizePolicySpec p;
  const policies::ContainerResources current{{16000, 8LL << 30}, {{32000}, {16LL << 30}}};
  policies::Recommendation rec;
  rec.status = policies::RecommendationStatus::Ready;
  rec.target.requests = {2000, 16LL << 30};
  auto step = policies::plan_step(p, current, rec);
  EXPECT_EQ(step.cpu, kDown);
  EXPECT_EQ(step.memory, kUp);
  EXPECT_TRUE(step.needs_canary);
  EXPECT_EQ(step.resources.requests.cpu_millicores, 8000);
  EXPECT_EQ(step.resources.requests.memory_bytes, 16LL << 30);
  EXPECT_EQ(step.resources.limits.cpu_millicores, 16000);  // KeepRatio 2:1
  EXPECT_EQ(step.resources.limits.memory_bytes, 32LL << 30);

  rec.target.requests = {16000, 16LL << 30};
  step = policies::plan_step(p, current, rec);
  EXPECT_FALSE(step.needs_canary);
  p.rollout.increases = policies::Increases::Canary;
  EXPECT_TRUE(policies::plan_step(p, current, rec).needs_canary);

  rec.status = policies::RecommendationStatus::NotEnoughData;
  EXPECT_FALSE(policies::plan_step(p, current, rec).changes());
}

// An OOMKill with a CPU target below current (16 → 2 cores): memory rises
// now (4Gi → 8Gi), CPU stays at 16 cores, no canary even under increases:
// Canary, so a CPU cut can neither delay nor roll back the OOM fix.
TEST(StepPlanner, OomBumpKeepsCpuAndSkipsTheCanary) {
  policies::RightsizePolicySpec p;
  const policies::ContainerResources current{{16000, 4LL << 30}, {{16000}, {4LL << 30}}};
  policies::Recommendation rec;
  rec.status = policies::RecommendationStatus::Ready;
  rec.oom_bumped = true;
  rec.target.requests = {2000, 8LL << 30};
  for (auto increases : {policies::Increases::Immediate, policies::Increases::Canary}) {
    p.rollout.increases = increases;
    const auto step = policies::plan_step(p, current, rec);
    EXPECT_EQ(step.cpu, kNone);
    EXPECT_EQ(step.memory, kUp);
    EXPECT_FALSE(step.needs_canary);
    const policies::ContainerResources expected{{16000, 8LL << 30}, {{16000}, {8LL << 30}}};
    EXPECT_EQ(step.resources, expected);
  }
}

// A trading engine pinned to whole cores: CPU 16 → 8 cores while memory
// (request = limit = 1000Mi, not a multiple of roundTo 64Mi) has a target of
// 1024Mi, inside the 10 % hysteresis band. The memory request does not change,
// so its limit must not either: 1024Mi would make the pod Burstable.
TEST(StepPlanner, CpuOnlyStepKeepsAGuaranteedMemoryLimitByteForByte) {
  policies::RightsizePolicySpec p;
  p.cpu.round_to_millicores = 1000;
  constexpr std::int64_t kMi = 1 << 20;
  const policies::ContainerResources current{{16000, 1000 * kMi}, {{16000}, {1000 * kMi}}};
  policies::Recommendation rec;
  rec.status = policies::RecommendationStatus::Ready;
  rec.target.requests = {8000, 1024 * kMi};
  const auto step = policies::plan_step(p, current, rec);
  EXPECT_EQ(step.cpu, kDown);
  EXPECT_EQ(step.memory, kNone);
  const policies::ContainerResources expected{{8000, 1000 * kMi}, {{8000}, {1000 * kMi}}};
  EXPECT_EQ(step.resources, expected);
}

// A template with limits only (16 cores / 16Gi) makes Guaranteed pods with
// requests 16 cores / 16Gi: a target of 2 cores / 4Gi is a step down (canary,
// maxStepDown 0.5 → 8 cores / 8Gi), and the limits follow the requests.
TEST(StepPlanner, LimitWithoutRequestStepsDownFromTheLimit) {
  policies::RightsizePolicySpec p;
  p.cpu.round_to_millicores = 1000;
  const policies::ContainerResources current{{0, 0}, {{16000}, {16LL << 30}}};
  policies::Recommendation rec;
  rec.status = policies::RecommendationStatus::Ready;
  rec.target.requests = {2000, 4LL << 30};
  for (auto mode : {policies::LimitsPolicy::KeepRatio, policies::LimitsPolicy::Unchanged}) {
    p.limits = mode;
    const auto step = policies::plan_step(p, current, rec);
    EXPECT_EQ(step.cpu, kDown);
    EXPECT_EQ(step.memory, kDown);
    EXPECT_TRUE(step.needs_canary);
    const policies::ContainerResources expected{{8000, 8LL << 30}, {{8000}, {8LL << 30}}};
    EXPECT_EQ(step.resources, expected);
  }
}

enum class Qos { BestEffort, Burstable, Guaranteed };

// Kubernetes' GetPodQOS on a running pod, whose missing requests the API
// server defaulted to their limits: BestEffort with no request or limit at
// all; Guaranteed when every container has cpu and memory limits and the
// pod's summed requests equal its summed limits; else Burstable.
Qos qos_of(const std::vector<policies::ContainerResources>& containers) {
  std::int64_t req_cpu = 0, req_mem = 0, lim_cpu = 0, lim_mem = 0;
  bool all_limited = true, any_request = false, any_limit = false;
  for (const auto& given : containers) {
    const auto r = policies::with_defaulted_requests(given);
    req_cpu += r.requests.cpu_millicores;
    req_mem += r.requests.memory_bytes;
    any_request = any_request || r.requests.cpu_millicores > 0 || r.requests.memory_bytes > 0;
    const std::int64_t lc = r.limits.cpu_millicores.value_or(0);
    const std::int64_t lm = r.limits.memory_bytes.value_or(0);
    lim_cpu += lc;
    lim_mem += lm;
    any_limit = any_limit || lc > 0 || lm > 0;
    all_limited = all_limited && lc > 0 && lm > 0;
  }
  if (!any_request && !any_limit) return Qos::BestEffort;
  if (all_limited && req_cpu == lim_cpu && req_mem == lim_mem) return Qos::Guaranteed;
  return Qos::Burstable;
}
Qos qos_of(const policies::ContainerResources& r) {
  return qos_of(std::vector{r});
}

// By hand: limits only on both resources is Guaranteed; limits only on cpu,
// or a second container without memory limit, is Burstable.
TEST(StepPlanner, QosOfFollowsGetPodQos) {
  const policies::ContainerResources limits_only{{0, 0}, {{2000}, {1LL << 30}}};
  const policies::ContainerResources cpu_limit_only{{0, 1LL << 30}, {{2000}, {}}};
  EXPECT_EQ(qos_of(limits_only), Qos::Guaranteed);
  EXPECT_EQ(qos_of(cpu_limit_only), Qos::Burstable);
  EXPECT_EQ(qos_of(std::vector{limits_only, cpu_limit_only}), Qos::Burstable);
  EXPECT_EQ(qos_of(policies::ContainerResources{}), Qos::BestEffort);
}

// One resource of a container: no request, a request without a limit, a
// limit equal to the request, a limit above it, or a limit without a request.
void random_resource(std::mt19937_64& rng, std::int64_t unit, std::int64_t& request,
                     std::optional<std::int64_t>& limit) {
  const auto kind = rng() % 5;
  const auto size = [&] {
    return std::max<std::int64_t>(static_cast<std::int64_t>(1 + rng() % 64'000) * unit / 1000, 1);
  };
  request = kind == 0 || kind == 4 ? 0 : size();
  if (kind == 2) limit = request;
  if (kind == 3) limit = request + 1 + static_cast<std::int64_t>(rng() % 64'000) * unit / 1000;
  if (kind == 4) limit = size();
}

policies::RightsizePolicySpec random_policy(std::mt19937_64& rng) {
  const std::int64_t cpu_rounds[] = {1, 50, 1000};
  const std::int64_t mem_rounds[] = {1, 1 << 20, 64 << 20};
  policies::RightsizePolicySpec p;
  p.limits = rng() % 2 ? policies::LimitsPolicy::KeepRatio : policies::LimitsPolicy::Unchanged;
  p.cpu.round_to_millicores = cpu_rounds[rng() % 3];
  p.memory.round_to_bytes = mem_rounds[rng() % 3];
  p.rollout.min_change = static_cast<double>(rng() % 30) / 100;
  p.rollout.max_step_down = static_cast<double>(1 + rng() % 90) / 100;
  return p;
}

policies::ContainerResources random_container(std::mt19937_64& rng) {
  policies::ContainerResources c;
  random_resource(rng, 1000, c.requests.cpu_millicores, c.limits.cpu_millicores);
  random_resource(rng, 1LL << 30, c.requests.memory_bytes, c.limits.memory_bytes);
  return c;
}

policies::Recommendation random_target(std::mt19937_64& rng,
                                       const policies::RightsizePolicySpec& p) {
  policies::Recommendation rec;
  rec.status = policies::RecommendationStatus::Ready;
  rec.target.requests = {
      policies::size_to_policy(static_cast<std::int64_t>(rng() % 70'000), p.cpu.min_millicores,
                               p.cpu.max_millicores, p.cpu.round_to_millicores),
      policies::size_to_policy(static_cast<std::int64_t>(rng() % (70LL << 30)), p.memory.min_bytes,
                               p.memory.max_bytes, p.memory.round_to_bytes)};
  return rec;
}

// Checks one container's step besides its QoS class: an unchanged request
// keeps its (defaulted) limit, and no limit falls below its request.
void expect_limits_sane(const policies::ContainerResources& given,
                        const policies::ContainerResources& next, int i) {
  const auto current = policies::with_defaulted_requests(given);
  if (next.requests.cpu_millicores == current.requests.cpu_millicores) {
    ASSERT_EQ(next.limits.cpu_millicores, current.limits.cpu_millicores) << "case " << i;
  }
  if (next.requests.memory_bytes == current.requests.memory_bytes) {
    ASSERT_EQ(next.limits.memory_bytes, current.limits.memory_bytes) << "case " << i;
  }
  for (auto [req, lim] : {std::pair{next.requests.cpu_millicores, next.limits.cpu_millicores},
                          std::pair{next.requests.memory_bytes, next.limits.memory_bytes}})
    ASSERT_TRUE(!lim || *lim >= req) << "case " << i << ": a limit below its request";
}

TEST(StepPlanner, AStepNeverChangesTheQosClassUnderKeepRatioOrUnchanged) {
  std::mt19937_64 rng(20241103);  // fixed: the same cases on every run
  int steps = 0;
  for (int i = 0; i < 200'000; ++i) {
    const auto p = random_policy(rng);
    const auto current = random_container(rng);
    if (qos_of(current) == Qos::BestEffort) continue;  // nothing to scale from
    const auto step = policies::plan_step(p, current, random_target(rng, p));
    if (!step.changes()) continue;
    ++steps;
    const auto& next = step.resources;
    ASSERT_EQ(qos_of(next), qos_of(current))
        << "case " << i << ": cpu " << current.requests.cpu_millicores << "/"
        << current.limits.cpu_millicores.value_or(-1) << " → " << next.requests.cpu_millicores
        << "/" << next.limits.cpu_millicores.value_or(-1) << ", memory "
        << current.requests.memory_bytes << "/" << current.limits.memory_bytes.value_or(-1) << " → "
        << next.requests.memory_bytes << "/" << next.limits.memory_bytes.value_or(-1);
    expect_limits_sane(current, next, i);
  }
  EXPECT_GT(steps, 100'000);  // most cases did step
}

// QoS is decided over all containers of the pod: each container steps toward
// its own target (or not at all); the pod's class does not change.
TEST(StepPlanner, AStepNeverChangesAMultiContainerPodsQosClass) {
  std::mt19937_64 rng(20261128);
  int guaranteed = 0;
  for (int i = 0; i < 50'000; ++i) {
    const auto p = random_policy(rng);
    std::vector<policies::ContainerResources> current(2 + rng() % 2);
    for (auto& c : current) c = random_container(rng);
    // Guaranteed pods are rare at random; make a third of them limits only.
    if (rng() % 3 == 0)
      for (auto& c : current) {
        c.limits = {c.requests.cpu_millicores + 1, c.requests.memory_bytes + 1};
        c.requests = {};
      }
    const Qos before = qos_of(current);
    if (before == Qos::BestEffort) continue;
    guaranteed += before == Qos::Guaranteed;
    std::vector<policies::ContainerResources> next;
    for (const auto& c : current)
      next.push_back(policies::plan_step(p, c, random_target(rng, p)).resources);
    ASSERT_EQ(qos_of(next), before) << "case " << i;
  }
  EXPECT_GT(guaranteed, 10'000);
}

// Requests up to 8Ei parse (to INT64_MAX bytes): every step is defined there.
constexpr std::int64_t k8Ei = std::numeric_limits<std::int64_t>::max();

TEST(StepPlanner, EightExbibytesHalvesExactly) {
  RolloutPolicy r;  // maxStepDown 0.5
  // ceil((2^63 − 1) × 0.5) = 2^62 = 4Ei, a multiple of 64Mi.
  EXPECT_EQ(policies::plan_resource_step(k8Ei, 2LL << 30, r, 64LL << 20),
            (ResourceStep{kDown, std::int64_t{1} << 62}));
  // 2^62 mod 3 = 1: rounded up to 2^62 + 2, which fits.
  EXPECT_EQ(policies::plan_resource_step(k8Ei, 2LL << 30, r, 3),
            (ResourceStep{kDown, (std::int64_t{1} << 62) + 2}));
}

// maxStepDown 1e-18 keeps all of 8Ei: the bound is 8Ei itself, and no
// multiple of 64Mi at or above it fits in int64, so there is no step (never
// one straight to the target, which the unchecked arithmetic produced).
TEST(StepPlanner, NoStepWhenTheBoundHasNoRoundedSize) {
  RolloutPolicy r;
  r.max_step_down = 1e-18;
  EXPECT_EQ(policies::plan_resource_step(k8Ei, 2LL << 30, r, 64LL << 20),
            (ResourceStep{kNone, k8Ei}));
  // With roundTo 1 the bound 8Ei is itself a size: still no step.
  EXPECT_EQ(policies::plan_resource_step(k8Ei, 2LL << 30, r, 1), (ResourceStep{kNone, k8Ei}));
}

TEST(StepPlanner, ContainerStepFromEightExbibytesKeepsRatio) {
  policies::RightsizePolicySpec p;
  const policies::ContainerResources current{{16000, k8Ei}, {{32000}, {k8Ei}}};
  policies::Recommendation rec;
  rec.status = policies::RecommendationStatus::Ready;
  rec.target.requests = {16000, 2LL << 30};
  const auto step = policies::plan_step(p, current, rec);
  EXPECT_EQ(step.memory, kDown);
  EXPECT_EQ(step.resources.requests.memory_bytes, std::int64_t{1} << 62);
  EXPECT_EQ(step.resources.limits.memory_bytes, std::int64_t{1} << 62);  // limit = request
}

}  // namespace
