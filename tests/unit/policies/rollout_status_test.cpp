#include <gtest/gtest.h>

#include <string>

#include "policies/rollout.h"

namespace {

using namespace std::chrono_literals;
using policies::ContainerResources;
using policies::ContainerSizes;
using policies::RightsizingPhase;
using policies::RightsizingStatus;
using policies::RolloutState;
using policies::Timestamp;

constexpr std::int64_t kMi = 1LL << 20;
constexpr std::int64_t kGi = 1LL << 30;
const Timestamp kT0{std::chrono::sys_days{std::chrono::year{2026} / 11 / 28}.time_since_epoch()};

RolloutState canary_state() {
  RolloutState s;
  s.phase = RightsizingPhase::Canary;
  s.step = {{"app", {{8000, 32 * kGi}, {8000, 32 * kGi}}},
            {"sidecar", {{150, 96 * kMi}, {std::nullopt, std::nullopt}}}};
  s.step_hash = policies::step_hash(s.step);
  // app had no request (a limit only); sidecar no limits at all.
  s.last_good = {{"app", {{0, 0}, {16000, 32 * kGi}}},
                 {"sidecar", {{150, 96 * kMi}, {std::nullopt, std::nullopt}}}};
  s.pods = {"web-rightsizer-canary-a"};
  s.baseline_pods = {"web-0", "web-1"};
  s.started_at = kT0;
  s.effective_at = kT0 + 40s;
  s.not_effective_since = kT0 + 130s;
  s.last_analysis_at = kT0 + 100s;
  s.passed = 1;
  s.failed = 1;
  s.last_checks = {{"p99", "0.2", std::nullopt, "0.25", policies::CheckResult::Pass, "ok"}};
  return s;
}

RolloutState rolled_back_state() {
  RolloutState s = canary_state();
  s.phase = RightsizingPhase::RolledBack;
  policies::RollbackRecord rb;
  rb.at = kT0 + 3min;
  rb.check = "p99";
  rb.observed = "0.31";
  rb.threshold = "0.25";
  rb.baseline = "0.12";
  rb.reason = "SLOBreach";
  rb.floor = {{"app", {{8000, 0}, {}}}, {"sidecar", {{0, 64 * kMi}, {}}}};
  rb.until = kT0 + 6h + 3min;
  s.last_rollback = rb;
  return s;
}

void expect_round_trip(const RolloutState& s) {
  RightsizingStatus status;
  policies::write_rollout_state(s, status);
  const auto back = policies::rollout_state_from_status(status);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, s);
}

TEST(RolloutStatus, CanaryRoundTrips) {
  expect_round_trip(canary_state());
}

TEST(RolloutStatus, RollbackWithFloorRoundTrips) {
  expect_round_trip(rolled_back_state());
}

TEST(RolloutStatus, IdleWithLastGoodAndAnEarlierRollbackRoundTrips) {
  RolloutState s = rolled_back_state();
  s.phase = RightsizingPhase::Rightsized;
  s.step.clear();
  s.step_hash.clear();
  s.pods.clear();
  s.baseline_pods.clear();
  s.started_at.reset();
  s.effective_at.reset();
  s.not_effective_since.reset();
  s.last_analysis_at.reset();
  s.passed = s.failed = 0;
  s.last_checks.clear();
  s.last_rollback->check.clear();
  s.last_rollback->floor.clear();
  s.last_rollback->until.reset();
  expect_round_trip(s);
}

TEST(RolloutStatus, WritesCanonicalQuantitiesAndTheCanaryRecord) {
  RightsizingStatus status;
  policies::write_rollout_state(rolled_back_state(), status);
  ASSERT_EQ(status.containers.size(), 2u);
  const auto& app = status.containers[0];
  EXPECT_EQ(app.name, "app");
  ASSERT_TRUE(app.step && app.step->requests && app.step->limits);
  EXPECT_EQ(app.step->requests->cpu, "8");
  EXPECT_EQ(app.step->requests->memory, "32Gi");
  // lastGood: no request written for a template that has none.
  ASSERT_TRUE(app.last_good && app.last_good->requests);
  EXPECT_FALSE(app.last_good->requests->cpu);
  EXPECT_EQ(app.last_good->limits->cpu, "16");
  EXPECT_EQ(app.floor, (policies::ResourceList{"8", std::nullopt}));
  const auto& sidecar = status.containers[1];
  EXPECT_FALSE(sidecar.step->limits);  // no limit stays no limit
  EXPECT_EQ(sidecar.floor, (policies::ResourceList{std::nullopt, "64Mi"}));

  ASSERT_TRUE(status.canary);
  EXPECT_EQ(status.canary->step, policies::step_hash(rolled_back_state().step));
  EXPECT_EQ(status.canary->baseline_pods, (std::vector<std::string>{"web-0", "web-1"}));
  EXPECT_EQ(status.canary->effective_at, kT0 + 40s);
  EXPECT_EQ(status.canary->not_effective_since, kT0 + 130s);
  EXPECT_EQ(status.canary->last_analysis_at, kT0 + 100s);
  EXPECT_EQ(status.canary->checks_passed, 1);
  EXPECT_EQ(status.canary->checks_failed, 1);
  ASSERT_TRUE(status.last_rollback);
  EXPECT_EQ(status.last_rollback->baseline, "0.12");
  EXPECT_EQ(status.last_rollback->floor, (policies::RollbackFloor{"8", "64Mi"}));
  EXPECT_EQ(status.last_rollback->until, kT0 + 6h + 3min);
  EXPECT_EQ(status.phase, RightsizingPhase::RolledBack);
}

TEST(RolloutStatus, IdleClearsStepAndCanaryAndKeepsEverythingElse) {
  RightsizingStatus status;
  status.observed_generation = 7;
  status.replicas = 3;
  policies::ContainerStatus app;
  app.name = "app";
  app.current = policies::StatusResources{policies::ResourceList{"16", "32Gi"}, std::nullopt};
  app.checkpoint = "AAAA";
  status.containers.push_back(app);
  status.monthly_cost = policies::MonthlyCostText{"1", "2", "3", "USD", "4"};
  policies::record_transition(status, {kT0, "Recommended", "Canary", "CanaryStarted"});
  policies::write_rollout_state(canary_state(), status);
  ASSERT_TRUE(status.containers[0].step);

  RolloutState idle;
  idle.phase = RightsizingPhase::Rightsized;
  idle.last_good = canary_state().step;
  policies::write_rollout_state(idle, status);
  EXPECT_FALSE(status.canary);
  EXPECT_FALSE(status.last_rollback);
  EXPECT_EQ(status.phase, RightsizingPhase::Rightsized);
  ASSERT_EQ(status.containers.size(), 2u);
  for (const auto& c : status.containers) {
    EXPECT_FALSE(c.step) << c.name;
    EXPECT_TRUE(c.last_good) << c.name;
    EXPECT_FALSE(c.floor) << c.name;
  }
  EXPECT_EQ(status.containers[0].current, app.current);
  EXPECT_EQ(status.containers[0].checkpoint, "AAAA");
  EXPECT_EQ(status.observed_generation, 7);
  EXPECT_EQ(status.replicas, 3);
  EXPECT_EQ(status.monthly_cost->realized, "4");
  EXPECT_EQ(status.history.size(), 1u);
}

TEST(RolloutStatus, EmptyStatusIsObservingWithNothingInFlight) {
  const auto s = policies::rollout_state_from_status({});
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, RolloutState{});
}

// A status in phase Failed reads as the phase it stood in when it failed
// (the history's last move into Failed), so a corrected status resumes its
// step; with a step stored and no such entry, the phase is unknown: an
// error (read as idle, the step would be neither verified nor rolled back).
TEST(RolloutStatus, FailedReadsAsThePhaseItStoodIn) {
  RightsizingStatus status;
  policies::write_rollout_state(canary_state(), status);
  status.phase = RightsizingPhase::Failed;
  policies::record_transition(status, {kT0, "Recommended", "Canary", "CanaryStarted"});
  policies::record_transition(status, {kT0 + 1min, "Canary", "Failed", "StatusUnreadable"});
  auto s = policies::rollout_state_from_status(status);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(*s, canary_state());

  policies::record_transition(status, {kT0 + 2min, "Failed", "Canary", "StatusCorrected"});
  policies::record_transition(status, {kT0 + 3min, "Canary", "Promoting", "CanaryPassed"});
  policies::record_transition(status, {kT0 + 4min, "Promoting", "Failed", "StatusUnreadable"});
  s = policies::rollout_state_from_status(status);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->phase, RightsizingPhase::Promoting) << "the last move into Failed decides";
}

TEST(RolloutStatus, FailedWithAStepAndNoHistoryOfItIsAnError) {
  RightsizingStatus status;
  policies::write_rollout_state(canary_state(), status);
  status.phase = RightsizingPhase::Failed;
  const auto s = policies::rollout_state_from_status(status);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("status.history"), std::string::npos) << s.error();

  policies::record_transition(status, {kT0, "Sideways", "Failed", "StatusUnreadable"});
  EXPECT_FALSE(policies::rollout_state_from_status(status)) << "an unknown phase is no phase";

  // The step deleted to "correct" it: a canary stage without its step.
  policies::record_transition(status, {kT0 + 1min, "Canary", "Failed", "StatusUnreadable"});
  ASSERT_TRUE(policies::rollout_state_from_status(status));
  for (auto& c : status.containers) c.step.reset();
  const auto no_step = policies::rollout_state_from_status(status);
  ASSERT_FALSE(no_step);
  EXPECT_NE(no_step.error().find("no container has the step"), std::string::npos)
      << no_step.error();
}

TEST(RolloutStatus, FailedWithNothingInFlightAndNoHistoryReadsAsObserving) {
  RightsizingStatus status;
  RolloutState idle;
  idle.last_good = canary_state().last_good;
  policies::write_rollout_state(idle, status);
  status.phase = RightsizingPhase::Failed;
  auto s = policies::rollout_state_from_status(status);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->phase, RightsizingPhase::Observing);
  EXPECT_EQ(s->last_good, idle.last_good);
  // Failed before any phase was stored: the move has no `from`.
  policies::record_transition(status, {kT0, std::nullopt, "Failed", "StatusUnreadable"});
  s = policies::rollout_state_from_status(status);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->phase, RightsizingPhase::Observing);
}

struct BadQuantity {
  const char* name;
  void (*spoil)(RightsizingStatus&);
  const char* path;
};

class RolloutStatusBadQuantity : public testing::TestWithParam<BadQuantity> {};

TEST_P(RolloutStatusBadQuantity, IsAnErrorNamingTheField) {
  RightsizingStatus status;
  policies::write_rollout_state(rolled_back_state(), status);
  GetParam().spoil(status);
  const auto s = policies::rollout_state_from_status(status);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find(GetParam().path), std::string::npos) << s.error();
}

INSTANTIATE_TEST_SUITE_P(
    Fields, RolloutStatusBadQuantity,
    testing::Values(
        BadQuantity{"StepCpu",
                    [](RightsizingStatus& s) { s.containers[0].step->requests->cpu = "8 cores"; },
                    "status.containers[app].step.requests.cpu"},
        BadQuantity{"StepMemoryLimit",
                    [](RightsizingStatus& s) { s.containers[0].step->limits->memory = "lots"; },
                    "status.containers[app].step.limits.memory"},
        BadQuantity{"LastGoodCpuLimit",
                    [](RightsizingStatus& s) { s.containers[0].last_good->limits->cpu = "x"; },
                    "status.containers[app].lastGood.limits.cpu"},
        BadQuantity{
            "LastGoodMemory",
            [](RightsizingStatus& s) { s.containers[1].last_good->requests->memory = "1Qi"; },
            "status.containers[sidecar].lastGood.requests.memory"},
        BadQuantity{"FloorMemory",
                    [](RightsizingStatus& s) { s.containers[1].floor->memory = "some"; },
                    "status.containers[sidecar].floor.memory"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
