#include "controller/policy_status_builder.h"

#include <gtest/gtest.h>

#include "controller/rightsizing_builder.h"
#include "tests/unit/controller/reconciler_fixtures.h"

namespace controller {
namespace {

using policies::ConditionStatus;
using policies::RightsizingPhase;
using namespace controller::testing;

const policies::Timestamp kNow = policies::Timestamp(std::chrono::seconds(1'800'000'000));

std::shared_ptr<const Workload> workload(std::string name, std::optional<std::string> policy,
                                         bool deleting = false) {
  auto w = engine();
  w.ref.name = std::move(name);
  w.policy = std::move(policy);
  w.deleting = deleting;
  return std::make_shared<const Workload>(w);
}

std::shared_ptr<const RightsizingObject> rightsizing(const std::string& workload,
                                                     RightsizingPhase phase,
                                                     policies::MonthlyCostText cost) {
  RightsizingObject r;
  r.namespace_name = "trading";
  r.target = WorkloadRef{WorkloadKind::Deployment, "trading", workload};
  r.name = r.target->rightsizing_name();
  r.policy_label = "trading";
  r.status.phase = phase;
  r.status.monthly_cost = std::move(cost);
  return std::make_shared<const RightsizingObject>(r);
}

TEST(PolicyStatusBuilder, CountsAndSumsTheWorkloadsNamingThePolicy) {
  const auto p = trading_policy();
  std::vector workloads{workload("a", "trading"),          workload("b", "trading"),
                        workload("c", "trading"),          workload("d", "trading"),
                        workload("other", "other"),        workload("plain", std::nullopt),
                        workload("going", "trading", true)};
  std::vector rightsizings{rightsizing("a", RightsizingPhase::Recommended,
                                       {"576.00", "18.38", "557.62", "USD", std::nullopt}),
                           rightsizing("b", RightsizingPhase::Rightsized,
                                       {"100.00", "40.00", "60.00", "USD", std::nullopt}),
                           rightsizing("c", RightsizingPhase::Canary,
                                       {"10.50", std::nullopt, std::nullopt, "USD", std::nullopt}),
                           rightsizing("d", RightsizingPhase::RolledBack, {}),
                           rightsizing("other", RightsizingPhase::Rightsized,
                                       {"999.00", "1.00", "998.00", "USD", std::nullopt}),
                           rightsizing("going", RightsizingPhase::Rightsized,
                                       {"999.00", "1.00", "998.00", "USD", std::nullopt})};
  const auto s = build_policy_status({&p, workloads, rightsizings, kNow});
  EXPECT_EQ(s.observed_generation, 7);
  EXPECT_EQ(s.workloads, 4);
  EXPECT_EQ(s.rightsized, 1);
  EXPECT_EQ(s.in_progress, 1);
  EXPECT_EQ(s.rolled_back, 1);
  // 576.00 + 100.00 + 10.50; targets 18.38 + 40.00 + 10.50 (no target: no savings claimed).
  EXPECT_EQ(s.monthly_cost, (policies::PolicyMonthlyCost{"686.50", "68.88", "617.62"}));
  const auto* valid = policies::find_condition(s.conditions, kValidCondition);
  ASSERT_NE(valid, nullptr);
  EXPECT_EQ(valid->status, ConditionStatus::True);
  const auto* ready = policies::find_condition(s.conditions, "Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->status, ConditionStatus::True);
}

TEST(PolicyStatusBuilder, ABlockedWorkloadsCostCountsButNotItsSavings) {
  const auto p = trading_policy();
  std::vector workloads{workload("a", "trading"), workload("hpa", "trading")};
  auto blocked = *rightsizing("hpa", RightsizingPhase::Recommended,
                              {"200.00", "50.00", "150.00", "USD", std::nullopt});
  blocked.status.conditions.push_back({std::string(kBlockedCondition), ConditionStatus::True, 1,
                                       kNow, "HPAConflict", "an HPA scales on cpu"});
  auto unblocked = *rightsizing("a", RightsizingPhase::Recommended,
                                {"100.00", "40.00", "60.00", "USD", std::nullopt});
  unblocked.status.conditions.push_back({std::string(kBlockedCondition), ConditionStatus::False, 1,
                                         kNow, "NotBlocked", "nothing blocks this workload"});
  std::vector rightsizings{std::make_shared<const RightsizingObject>(unblocked),
                           std::make_shared<const RightsizingObject>(blocked)};
  const auto s = build_policy_status({&p, workloads, rightsizings, kNow});
  EXPECT_EQ(s.monthly_cost, (policies::PolicyMonthlyCost{"300.00", "240.00", "60.00"}));
}

TEST(PolicyStatusBuilder, SumsRealisedSavingsOfEveryWorkloadBlockedOrNot) {
  const auto p = trading_policy();
  std::vector workloads{workload("a", "trading"), workload("b", "trading"),
                        workload("c", "trading")};
  auto blocked =
      *rightsizing("b", RightsizingPhase::Rightsized, {"100.00", "40.00", "60.00", "USD", "12.25"});
  blocked.status.conditions.push_back({std::string(kBlockedCondition), ConditionStatus::True, 1,
                                       kNow, "HPAConflict", "an HPA scales on cpu"});
  std::vector rightsizings{
      rightsizing("a", RightsizingPhase::Rightsized, {"50.00", "50.00", "0.00", "USD", "480.50"}),
      std::make_shared<const RightsizingObject>(blocked),
      rightsizing("c", RightsizingPhase::Recommended,
                  {"10.00", "5.00", "5.00", "USD", std::nullopt})};
  const auto s = build_policy_status({&p, workloads, rightsizings, kNow});
  ASSERT_TRUE(s.monthly_cost);
  EXPECT_EQ(s.monthly_cost->realized, "492.75");
  EXPECT_EQ(s.monthly_cost->savings, "5.00");
}

TEST(PolicyStatusBuilder, InProgressCountsCanaryPromotingAndVerifyingOnly) {
  const auto p = trading_policy();
  std::vector workloads{workload("a", "trading"), workload("b", "trading"),
                        workload("c", "trading"), workload("d", "trading"),
                        workload("e", "trading")};
  std::vector rightsizings{rightsizing("a", RightsizingPhase::Canary, {}),
                           rightsizing("b", RightsizingPhase::Promoting, {}),
                           rightsizing("c", RightsizingPhase::Verifying, {}),
                           rightsizing("d", RightsizingPhase::Waiting, {}),
                           rightsizing("e", RightsizingPhase::Paused, {})};
  const auto s = build_policy_status({&p, workloads, rightsizings, kNow});
  EXPECT_EQ(s.in_progress, 3);
  ASSERT_TRUE(s.monthly_cost);
  EXPECT_EQ(s.monthly_cost->realized, std::nullopt);
}

TEST(PolicyStatusBuilder, ReadyWaitsForEveryRightsizing) {
  const auto p = trading_policy();
  std::vector workloads{workload("a", "trading"), workload("b", "trading")};
  std::vector rightsizings{rightsizing("a", RightsizingPhase::Observing, {})};
  const auto s = build_policy_status({&p, workloads, rightsizings, kNow});
  const auto* ready = policies::find_condition(s.conditions, "Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->status, ConditionStatus::False);
  EXPECT_EQ(ready->reason, "Pending");
  EXPECT_EQ(ready->message, "1 of 2 workloads have their Rightsizing");
}

TEST(PolicyStatusBuilder, ARightsizingBeingDeletedDoesNotCount) {
  const auto p = trading_policy();
  std::vector workloads{workload("a", "trading")};
  auto going = *rightsizing("a", RightsizingPhase::Rightsized,
                            {"10.00", "5.00", "5.00", "USD", std::nullopt});
  going.deleting = true;
  std::vector rightsizings{std::make_shared<const RightsizingObject>(going)};
  const auto s = build_policy_status({&p, workloads, rightsizings, kNow});
  EXPECT_EQ(s.rightsized, 0);
  EXPECT_EQ(s.monthly_cost->current, "0.00");
  EXPECT_EQ(policies::find_condition(s.conditions, "Ready")->reason, "Pending");
}

TEST(PolicyStatusBuilder, InvalidPolicyIsValidFalseAndNotReady) {
  const auto p = invalid_policy();
  const auto s = build_policy_status({&p, {}, {}, kNow});
  const auto* valid = policies::find_condition(s.conditions, kValidCondition);
  ASSERT_NE(valid, nullptr);
  EXPECT_EQ(valid->status, ConditionStatus::False);
  EXPECT_EQ(valid->reason, "InvalidPolicy");
  EXPECT_EQ(valid->message,
            "spec.cpu.targetUtilization: must be in (0, 1]; spec.cpu.min: must not exceed "
            "spec.cpu.max");
  EXPECT_EQ(valid->last_transition_time, kNow);
  EXPECT_EQ(policies::find_condition(s.conditions, "Ready")->status, ConditionStatus::False);
}

TEST(PolicyStatusBuilder, ConditionsKeepTheirTimeWhileUnchanged) {
  auto p = trading_policy();
  p.status = build_policy_status({&p, {}, {}, kNow});
  const auto again = build_policy_status({&p, {}, {}, kNow + std::chrono::hours(1)});
  EXPECT_EQ(again, p.status);
}

TEST(PolicyStatusBuilder, AStatusThatDidNotParseIsRebuilt) {
  auto p = trading_policy();
  p.status.workloads = 99;
  p.status.conditions.push_back({"Stale", ConditionStatus::True, 1, kNow, "Old", "left over"});
  p.status_error = "status.workloads: bad";
  const auto s = build_policy_status({&p, {}, {}, kNow});
  EXPECT_EQ(s.workloads, 0);
  EXPECT_EQ(policies::find_condition(s.conditions, "Stale"), nullptr);
}

struct DollarCase {
  std::string text;
  std::optional<std::int64_t> cents;
};
class ParseDollars : public ::testing::TestWithParam<DollarCase> {};
TEST_P(ParseDollars, Table) {
  const auto c = parse_dollars(GetParam().text);
  ASSERT_EQ(c.has_value(), GetParam().cents.has_value());
  if (c) {
    EXPECT_EQ(c->value, *GetParam().cents);
  }
}
INSTANTIATE_TEST_SUITE_P(
    Table, ParseDollars,
    ::testing::Values(DollarCase{"285.95", 28595}, DollarCase{"0.05", 5}, DollarCase{"-3.10", -310},
                      DollarCase{"12", std::nullopt}, DollarCase{"1.5", std::nullopt},
                      DollarCase{".50", std::nullopt}, DollarCase{"1.x0", std::nullopt},
                      DollarCase{"", std::nullopt}, DollarCase{"1.234", std::nullopt}));

}  // namespace
}  // namespace controller
