#include "policies/step_planner.h"

#include <gtest/gtest.h>

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

}  // namespace
