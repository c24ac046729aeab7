#include "controller/rollout_inputs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "controller/status_bounds.h"
#include "tests/unit/controller/reconciler_fixtures.h"

namespace controller {
namespace {

using namespace controller::testing;

const policies::Timestamp kNow = policies::Timestamp(std::chrono::seconds(1'800'000'000));

Workload engine_with(std::int32_t replicas, std::string max_unavailable = "") {
  auto w = engine();
  w.replicas = replicas;
  w.max_unavailable = std::move(max_unavailable);
  w.template_labels = {{"app", "engine"}, {"tier", "core"}};
  return w;
}

std::shared_ptr<const PdbInfo> pdb(std::map<std::string, std::string, std::less<>> labels,
                                   std::int32_t disruptions_allowed, std::string ns = "trading") {
  PdbInfo p;
  p.namespace_name = std::move(ns);
  p.name = "engine-pdb";
  p.has_selector = true;
  p.match_labels = std::move(labels);
  p.disruptions_allowed = disruptions_allowed;
  return std::make_shared<const PdbInfo>(p);
}

struct MaxUnavailableCase {
  std::string text;
  std::int32_t replicas, expected;
};
class ResolveMaxUnavailable : public ::testing::TestWithParam<MaxUnavailableCase> {};
TEST_P(ResolveMaxUnavailable, Table) {
  EXPECT_EQ(resolve_max_unavailable(GetParam().text, GetParam().replicas), GetParam().expected);
}
INSTANTIATE_TEST_SUITE_P(
    Rounding, ResolveMaxUnavailable,
    ::testing::Values(MaxUnavailableCase{"", 4, 1},  // default 25%, rounded down
                      MaxUnavailableCase{"", 3, 0}, MaxUnavailableCase{"50%", 3, 1},
                      MaxUnavailableCase{"100%", 3, 3}, MaxUnavailableCase{"2", 3, 2},
                      MaxUnavailableCase{"0", 3, 0}, MaxUnavailableCase{"0%", 8, 0},
                      // Unreadable: assumed to take a pod down (the blocking side).
                      MaxUnavailableCase{"x%", 3, 1}, MaxUnavailableCase{"-1", 3, 1},
                      MaxUnavailableCase{"two", 3, 1}));

TEST(PdbBlocks, ASelectingBudgetWithNoDisruptionLeftBlocksARollingUpdateThatTakesAPodDown) {
  const auto w = engine_with(4);
  EXPECT_TRUE(pdb_blocks(w, std::vector{pdb({{"app", "engine"}}, 0)}));
  EXPECT_FALSE(pdb_blocks(w, std::vector{pdb({{"app", "engine"}}, 1)}));
  EXPECT_FALSE(pdb_blocks(w, std::vector{pdb({{"app", "other"}}, 0)}));
  EXPECT_FALSE(pdb_blocks(w, std::vector{pdb({{"app", "engine"}, {"x", "y"}}, 0)}));
  EXPECT_FALSE(pdb_blocks(w, std::vector{pdb({{"app", "engine"}}, 0, "elsewhere")}));
  // An empty selector selects every pod of its namespace (policy/v1).
  EXPECT_TRUE(pdb_blocks(w, std::vector{pdb({}, 0)}));
}

TEST(PdbBlocks, ADeploymentThatSurgesOnlyIsNotBlockedAStatefulSetAlwaysIs) {
  EXPECT_FALSE(pdb_blocks(engine_with(4, "0"), std::vector{pdb({{"app", "engine"}}, 0)}));
  EXPECT_FALSE(pdb_blocks(engine_with(2), std::vector{pdb({{"app", "engine"}}, 0)}));
  auto sts = engine_with(2, "0");
  sts.ref.kind = WorkloadKind::StatefulSet;
  EXPECT_TRUE(pdb_blocks(sts, std::vector{pdb({{"app", "engine"}}, 0)}));
}

TEST(PdbBlocks, PdbAllowingOneBlocksAMaxUnavailableOfTwo) {
  const auto w = engine_with(8, "25%");  // 2 pods down at once
  EXPECT_EQ(pods_taken_down(w), 2);
  EXPECT_TRUE(pdb_blocks(w, std::vector{pdb({{"app", "engine"}}, 1)}));
  EXPECT_FALSE(pdb_blocks(w, std::vector{pdb({{"app", "engine"}}, 2)}));
}

TEST(PdbBlocks, RecreateStrategyCountsEveryReplica) {
  auto w = engine_with(3);  // 25% of 3 rounds down to 0: a RollingUpdate surges only
  EXPECT_FALSE(pdb_blocks(w, std::vector{pdb({{"app", "engine"}}, 2)}));
  w.update_strategy = "Recreate";
  EXPECT_EQ(pods_taken_down(w), 3);
  EXPECT_TRUE(pdb_blocks(w, std::vector{pdb({{"app", "engine"}}, 2)}));
  EXPECT_FALSE(pdb_blocks(w, std::vector{pdb({{"app", "engine"}}, 3)}));
}

TEST(PdbBlocks, MaxSurgeAndMaxUnavailableBothZeroTakeOnePodDown) {
  // ResolveFenceposts: 0% of 3 and a surge of 0 resolve to maxUnavailable 1.
  auto w = engine_with(3, "0%");
  w.max_surge = "0";
  EXPECT_EQ(pods_taken_down(w), 1);
  EXPECT_TRUE(pdb_blocks(w, std::vector{pdb({{"app", "engine"}}, 0)}));
  EXPECT_FALSE(pdb_blocks(w, std::vector{pdb({{"app", "engine"}}, 1)}));
  // A surge of 1% of 3 rounds up to 1 pod: nothing goes down.
  w.max_surge = "1%";
  EXPECT_EQ(pods_taken_down(w), 0);
  EXPECT_FALSE(pdb_blocks(w, std::vector{pdb({{"app", "engine"}}, 0)}));
}

TEST(PdbBlocks, NeverMorePodsThanReplicasAStatefulSetOneAtATime) {
  EXPECT_EQ(pods_taken_down(engine_with(2, "5")), 2);
  EXPECT_EQ(pods_taken_down(engine_with(0, "0")), 0);
  auto sts = engine_with(8, "50%");
  sts.ref.kind = WorkloadKind::StatefulSet;
  sts.update_strategy = "RollingUpdate";
  EXPECT_EQ(pods_taken_down(sts), 1);
}

struct MaxSurgeCase {
  std::string text;
  std::int32_t replicas, expected;
};
class ResolveMaxSurge : public ::testing::TestWithParam<MaxSurgeCase> {};
TEST_P(ResolveMaxSurge, Table) {
  EXPECT_EQ(resolve_max_surge(GetParam().text, GetParam().replicas), GetParam().expected);
}
INSTANTIATE_TEST_SUITE_P(Rounding, ResolveMaxSurge,
                         ::testing::Values(MaxSurgeCase{"", 4, 1},  // default 25%, rounded up
                                           MaxSurgeCase{"", 3, 1}, MaxSurgeCase{"", 0, 0},
                                           MaxSurgeCase{"50%", 3, 2}, MaxSurgeCase{"100%", 3, 3},
                                           MaxSurgeCase{"2", 3, 2}, MaxSurgeCase{"0", 3, 0},
                                           MaxSurgeCase{"0%", 8, 0},
                                           // Unreadable: assumed not to surge (the blocking side).
                                           MaxSurgeCase{"x%", 3, 0}, MaxSurgeCase{"-1", 3, 0},
                                           MaxSurgeCase{"two", 3, 0}));

class FindRolloutBlock : public ::testing::Test {
 protected:
  BlockInput input() {
    BlockInput in{&workload_, &policy_.parsed.spec, hpas_,        pdbs_, health_,
                  blackout_,  step_in_flight_,      needs_canary_};
    return in;
  }
  std::string reason() {
    auto b = find_rollout_block(input());
    return b ? b->reason : "";
  }
  Workload workload_ = engine_with(4);
  PolicyObject policy_ = trading_policy();
  std::vector<std::shared_ptr<const HpaInfo>> hpas_;
  std::vector<std::shared_ptr<const PdbInfo>> pdbs_;
  SamplingHealth health_;
  std::optional<policies::Timestamp> blackout_;
  bool step_in_flight_ = false;
  bool needs_canary_ = false;
};

TEST_F(FindRolloutBlock, FirstWinsInTheAgreedOrder) {
  EXPECT_EQ(reason(), "");
  health_.consecutive_failures = 1;
  health_.last_error = "503";
  EXPECT_EQ(reason(), "MetricsUnavailable");
  pdbs_.push_back(pdb({{"app", "engine"}}, 0));
  EXPECT_EQ(reason(), "PDBViolation");
  workload_.gitops_manager = "argocd-controller";
  EXPECT_EQ(reason(), "ManagedByGitOps");
  hpas_.push_back(std::make_shared<const HpaInfo>(hpa_on(workload_.ref, "cpu")));
  EXPECT_EQ(reason(), "HPAConflict");
  blackout_ = kNow + std::chrono::hours(1);
  EXPECT_EQ(reason(), "BlackoutWindow");
  EXPECT_NE(find_rollout_block(input())->message.find("until"), std::string::npos);
  workload_.paused = true;
  EXPECT_EQ(reason(), "Paused");
}

TEST_F(FindRolloutBlock, AStatefulSetOnDeleteHasAnUnsupportedUpdateStrategy) {
  workload_.ref.kind = WorkloadKind::StatefulSet;
  workload_.update_strategy = "OnDelete";
  EXPECT_EQ(reason(), "UnsupportedUpdateStrategy");
  workload_.update_strategy = "RollingUpdate";
  EXPECT_EQ(reason(), "");
  // A Deployment has no OnDelete; its strategy is its own business here.
  workload_.ref.kind = WorkloadKind::Deployment;
  workload_.update_strategy = "OnDelete";
  EXPECT_EQ(reason(), "");
}

TEST_F(FindRolloutBlock, APartitionWithNoStepOfOursInFlightIsInUse) {
  workload_.ref.kind = WorkloadKind::StatefulSet;
  workload_.partition = 2;
  EXPECT_EQ(reason(), "PartitionInUse");
  EXPECT_NE(find_rollout_block(input())->message.find("2"), std::string::npos);
  step_in_flight_ = true;  // our own canary's partition
  EXPECT_EQ(reason(), "");
  step_in_flight_ = false;
  workload_.partition = 0;
  EXPECT_EQ(reason(), "");
}

TEST_F(FindRolloutBlock, SingleReplicaStatefulSetIsBlockedForACanaryStep) {
  workload_ = engine_with(1);
  workload_.ref.kind = WorkloadKind::StatefulSet;
  needs_canary_ = true;
  EXPECT_EQ(reason(), "NoCanaryPossible");
  policy_.parsed.spec.rollout.canary_replicas = 2;
  workload_.replicas = 2;
  EXPECT_EQ(reason(), "NoCanaryPossible");
  workload_.replicas = 3;
  EXPECT_EQ(reason(), "");
  workload_.replicas = 1;
  needs_canary_ = false;  // an increase promoted directly needs no canary
  EXPECT_EQ(reason(), "");
  // A Deployment's canary adds pods: one replica is enough.
  workload_.ref.kind = WorkloadKind::Deployment;
  needs_canary_ = true;
  EXPECT_EQ(reason(), "");
}

TEST_F(FindRolloutBlock, APausedDeploymentIsBlocked) {
  workload_.spec_paused = true;
  EXPECT_EQ(reason(), "DeploymentPaused");
  workload_.spec_paused = false;
  EXPECT_EQ(reason(), "");
}

TEST_F(FindRolloutBlock, AnHpaOnTheResourceDoesNotBlockWhenThePolicyAllowsIt) {
  hpas_.push_back(std::make_shared<const HpaInfo>(hpa_on(workload_.ref, "memory")));
  EXPECT_EQ(reason(), "HPAConflict");
  policy_.parsed.spec.rollout.allow_hpa_conflict = true;
  EXPECT_EQ(reason(), "");
}

TEST_F(FindRolloutBlock, AGitOpsManagerDoesNotBlockWhenThePolicyAllowsIt) {
  workload_.gitops_manager = "kustomize-controller";
  EXPECT_EQ(reason(), "ManagedByGitOps");
  policy_.parsed.spec.rollout.allow_git_ops = true;
  EXPECT_EQ(reason(), "");
}

TEST_F(FindRolloutBlock, APromotionIsBlockedOnlyByWhatItsRolloutWouldBreak) {
  const auto promotion = [&] {
    auto b = find_promotion_block(input());
    return b ? b->reason : "";
  };
  step_in_flight_ = true;
  // What only a new step needs does not hold a canary that passed.
  health_.consecutive_failures = 1;
  health_.last_error = "503";
  EXPECT_EQ(promotion(), "");
  workload_.ref.kind = WorkloadKind::StatefulSet;
  workload_.replicas = 1;
  needs_canary_ = true;
  EXPECT_EQ(reason(), "NoCanaryPossible");
  EXPECT_EQ(promotion(), "");
  workload_ = engine_with(8, "25%");
  pdbs_.push_back(pdb({{"app", "engine"}}, 1));  // a drain used one of two
  EXPECT_EQ(promotion(), "PDBViolation");
  EXPECT_NE(find_promotion_block(input())->message.find("2 pod(s)"), std::string::npos);
  workload_.spec_paused = true;
  EXPECT_EQ(promotion(), "DeploymentPaused");
  workload_.ref.kind = WorkloadKind::StatefulSet;
  workload_.update_strategy = "OnDelete";
  EXPECT_EQ(promotion(), "UnsupportedUpdateStrategy");
  workload_.gitops_manager = "argocd-controller";
  EXPECT_EQ(promotion(), "ManagedByGitOps");
  hpas_.push_back(std::make_shared<const HpaInfo>(hpa_on(workload_.ref, "cpu")));
  EXPECT_EQ(promotion(), "HPAConflict");
}

TEST(ParseManualAction, KnowsTheThreeActionsOnly) {
  EXPECT_EQ(parse_manual_action("promote"), policies::ManualAction::Promote);
  EXPECT_EQ(parse_manual_action("abort"), policies::ManualAction::Abort);
  EXPECT_EQ(parse_manual_action("retry"), policies::ManualAction::Retry);
  EXPECT_EQ(parse_manual_action("Promote"), std::nullopt);
  EXPECT_EQ(parse_manual_action(""), std::nullopt);
}

policies::Recommendation ready(std::int64_t cpu, std::int64_t memory) {
  policies::Recommendation r;
  r.status = policies::RecommendationStatus::Ready;
  r.target.requests = {cpu, memory};
  r.target.limits = {cpu, memory};
  return r;
}

TEST(PlanNextStep, StepsDownByMaxStepDownAndCarriesEveryContainer) {
  auto w = engine();
  ContainerSpec sidecar{"sidecar", {}};
  sidecar.resources.requests = {100, 128 * kMi};
  w.containers.push_back(sidecar);
  const auto policy = trading_policy().parsed.spec;
  Recommendations recs{{"engine", ready(2'000, 16 * kGi)}};
  policies::Recommendation waiting;  // NotEnoughData
  recs.emplace("sidecar", waiting);
  const auto step = plan_next_step(policy, w, recs);
  ASSERT_TRUE(step);
  EXPECT_TRUE(step->needs_canary);
  EXPECT_TRUE(step->decreases);
  EXPECT_FALSE(step->oom_bump);
  ASSERT_EQ(step->sizes.size(), 2u);
  EXPECT_EQ(step->sizes.at("engine").requests.cpu_millicores, 8'000);  // 16 → 8, not → 2
  EXPECT_EQ(step->sizes.at("engine").limits.cpu_millicores, 8'000);
  EXPECT_EQ(step->sizes.at("engine").requests.memory_bytes, 16 * kGi);
  EXPECT_EQ(step->sizes.at("sidecar"), sidecar.resources);
}

TEST(PlanNextStep, NothingWhenNoContainerChanges) {
  const auto policy = trading_policy().parsed.spec;
  EXPECT_EQ(plan_next_step(policy, engine(), {{"engine", ready(16'000, 16 * kGi)}}), std::nullopt);
  EXPECT_EQ(plan_next_step(policy, engine(), {}), std::nullopt);
}

TEST(PlanNextStep, AnOomBumpIsAnIncreaseWithoutCanary) {
  const auto policy = trading_policy().parsed.spec;
  auto rec = ready(16'000, 20 * kGi);
  rec.oom_bumped = true;
  const auto step = plan_next_step(policy, engine(), {{"engine", rec}});
  ASSERT_TRUE(step);
  EXPECT_TRUE(step->oom_bump);
  EXPECT_FALSE(step->needs_canary);
  EXPECT_FALSE(step->decreases);
  EXPECT_EQ(step->sizes.at("engine").requests.memory_bytes, 20 * kGi);
}

CheckVerdict check(std::string name, policies::CheckOutcome outcome, std::optional<double> value,
                   std::optional<double> max) {
  CheckVerdict c;
  c.name = std::move(name);
  c.outcome = outcome;
  c.canary.high = value;
  c.canary.low = value;
  c.max = max;
  return c;
}

TEST(ToOutcome, APassingVerdictRecordsEveryCheck) {
  Verdict v;
  v.checks = {check("latency", policies::CheckOutcome::Pass, 0.12, 0.25),
              check("errors", policies::CheckOutcome::Skip, std::nullopt, 0.01)};
  v.checks[1].reason = "no data";
  const auto out = to_outcome(v);
  EXPECT_TRUE(out.passed);
  EXPECT_EQ(out.failed_check, "");
  ASSERT_EQ(out.checks.size(), 2u);
  EXPECT_EQ(out.checks[0].name, "latency");
  EXPECT_EQ(out.checks[0].value, "0.12");
  EXPECT_EQ(out.checks[0].max, "0.25");
  EXPECT_EQ(out.checks[0].result, policies::CheckResult::Pass);
  EXPECT_EQ(out.checks[1].result, policies::CheckResult::Skip);
  EXPECT_EQ(out.checks[1].message, "no data");
}

TEST(ToOutcome, TheFirstFailingCheckNamesTheRollbackWithItsBaseline) {
  Verdict v;
  v.passed = false;
  auto failing = check("p99-latency", policies::CheckOutcome::Fail, 0.4, 0.5);
  failing.reason = "above the baseline";
  failing.baseline_used = true;
  failing.baseline.high = 0.1;
  failing.baseline_high = 0.15;
  v.checks = {check("errors", policies::CheckOutcome::Pass, 0, 0.01), failing,
              check("other", policies::CheckOutcome::Fail, 9, 1)};
  const auto out = to_outcome(v);
  EXPECT_FALSE(out.passed);
  EXPECT_EQ(out.failed_check, "p99-latency");
  EXPECT_EQ(out.observed, "0.4");
  EXPECT_EQ(out.threshold, "max 0.5, baseline max 0.15");
  EXPECT_EQ(out.baseline, "0.1");
  EXPECT_EQ(out.message, "above the baseline");
  EXPECT_EQ(out.checks[1].result, policies::CheckResult::Fail);
}

TEST(ToOutcome, ToOutcomeBoundsEveryMessageToTheSchemasMaxLength) {
  Verdict v;
  v.passed = false;
  auto failing = check("latency", policies::CheckOutcome::Fail, 0.4, 0.25);
  // Two long query errors and long Prometheus warnings, as slo_analysis joins them.
  failing.reason = "canary query failed: " + std::string(600, 'x') +
                   "; baseline query failed: " + std::string(600, 'y');
  for (int i = 0; i < 5; ++i) failing.reason += "; warning: " + std::string(300, 'w');
  v.checks = {failing};
  const auto out = to_outcome(v);
  ASSERT_EQ(out.checks.size(), 1u);
  ASSERT_TRUE(out.checks[0].message);
  EXPECT_LE(out.checks[0].message->size(), kMaxMessage);
  EXPECT_TRUE(out.checks[0].message->ends_with("…"));
  EXPECT_TRUE(out.checks[0].message->starts_with("canary query failed: xxx"));
  EXPECT_LE(out.message.size(), kMaxMessage);
  EXPECT_TRUE(out.message.ends_with("…"));
}

TEST(ToOutcome, AMinBoundReportsTheLowestValue) {
  Verdict v;
  v.passed = false;
  auto c = check("throughput", policies::CheckOutcome::Fail, std::nullopt, std::nullopt);
  c.canary.high = 90;
  c.canary.low = 3;
  c.min = 5;
  v.checks = {c};
  const auto out = to_outcome(v);
  EXPECT_EQ(out.observed, "3");
  EXPECT_EQ(out.threshold, "min 5");
  EXPECT_EQ(out.checks[0].value, "3");
  EXPECT_EQ(out.checks[0].min, "5");
}

TEST(ToOutcome, AnInconclusiveVerdictFailsClosed) {
  Verdict v;
  v.passed = true;
  v.inconclusive = true;
  v.checks = {check("latency", policies::CheckOutcome::Skip, std::nullopt, 0.25)};
  const auto out = to_outcome(v);
  EXPECT_FALSE(out.passed);
  EXPECT_EQ(out.failed_check, "inconclusive");
}

TEST(FormatValue, NamesNonFiniteValues) {
  EXPECT_EQ(format_value(std::nan("")), "NaN");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(0.25), "0.25");
}

}  // namespace
}  // namespace controller
