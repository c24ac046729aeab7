#include "controller/finops_report.h"

#include <gtest/gtest.h>

#include "finops_fixtures.h"

namespace controller {
namespace {

using policies::Cents;
using testing::recommended;
using testing::requests;
using testing::rightsized;
using testing::seed_desk;
using testing::seed_desk_recommended;

TEST(FinOpsReportTest, SeedDeskSumsToTheAnalysisMoney) {
  const auto r = build_finops_report(seed_desk_recommended(), {});
  EXPECT_EQ(r.currency, "USD");
  EXPECT_EQ(r.totals.workloads, 6);
  EXPECT_EQ(r.totals.money.current, Cents{28595});
  EXPECT_EQ(r.totals.money.running, Cents{28595});
  EXPECT_EQ(r.totals.money.target, Cents{7905});
  EXPECT_EQ(r.totals.money.projected(), Cents{20690});
  EXPECT_EQ(r.totals.money.realized, Cents{0});
  EXPECT_EQ(r.totals.before, (policies::Resources{16000, 15684LL << 20}));
  EXPECT_EQ(r.totals.after, (policies::Resources{2000, 16742LL << 20}));
  // 1184m / 16 cores = 7.4 %, / 2 cores = 59.2 %; 13394Mi / 15684Mi = 85.4 %, / 16742Mi = 80.0 %.
  EXPECT_EQ(r.totals.utilization.cpu_before.permille(), 74);
  EXPECT_EQ(r.totals.utilization.cpu_after.permille(), 592);
  EXPECT_EQ(r.totals.utilization.memory_before.permille(), 854);
  EXPECT_EQ(r.totals.utilization.memory_after.permille(), 800);
  EXPECT_TRUE(r.notes.empty());
}

TEST(FinOpsReportTest, OnceRolledOutTheSavingsAreRealisedAndTheStoryIsTheSame) {
  std::vector<RightsizingObject> desk;
  for (const auto& c : seed_desk()) desk.push_back(rightsized(c));
  const auto r = build_finops_report(desk, {});
  EXPECT_EQ(r.totals.money.current, Cents{28595});  // running 79.05 + realised 206.90
  EXPECT_EQ(r.totals.money.running, Cents{7905});
  EXPECT_EQ(r.totals.money.target, Cents{7905});
  EXPECT_EQ(r.totals.money.projected(), Cents{20690});
  EXPECT_EQ(r.totals.money.realized, Cents{20690});
  // "before" is the original size, "after" the recommended one.
  EXPECT_EQ(r.totals.utilization.cpu_before.permille(), 74);
  EXPECT_EQ(r.totals.utilization.cpu_after.permille(), 592);
}

TEST(FinOpsReportTest, ReplicasWeighUtilisationAndRequestTotals) {
  // The status money is already × replicas: 3 × ($15.00 + $3.00), 3 × ($7.50 + $3.00).
  testing::Component a{"a", "1", "1Gi", "500m", "1Gi", "100m", "512Mi", "54.00", "31.50"};
  testing::Component b{"b", "1", "1Gi", "1", "1Gi", "700m", "256Mi", "18.00", "18.00"};
  auto ra = recommended(a);
  ra.status.replicas = 3;
  const auto r = build_finops_report(std::vector{ra, recommended(b)}, {});
  ASSERT_EQ(r.workloads.size(), 2u);
  EXPECT_EQ(r.workloads[0].replicas, 3);
  // Per workload: one replica's figures.
  EXPECT_EQ(r.workloads[0].utilization.cpu_before.permille(), 100);  // 100m / 1
  EXPECT_EQ(r.workloads[0].utilization.cpu_after.permille(), 200);   // 100m / 500m
  // Totals: (3×100 + 700) / (3×1000 + 1000) = 25.0 % (40.0 % if replicas were ignored).
  EXPECT_EQ(r.totals.utilization.cpu_before.permille(), 250);
  // (3×100 + 700) / (3×500 + 1000) = 40.0 %.
  EXPECT_EQ(r.totals.utilization.cpu_after.permille(), 400);
  // memory: (3×512 + 256) / (4×1024) = 43.75 % → 43.8 %
  EXPECT_EQ(r.totals.utilization.memory_before.permille(), 438);
  EXPECT_EQ(r.totals.before, (policies::Resources{4000, 4LL << 30}));
  EXPECT_EQ(r.totals.after, (policies::Resources{2500, 4LL << 30}));
  EXPECT_EQ(r.totals.money.current, Cents{5400 + 1800});
  EXPECT_EQ(r.totals.money.target, Cents{3150 + 1800});
}

// 16 cores were stepped down to 8 (realised), the step to 4 rolled back; the
// recommendation is still 2 cores.
RightsizingObject rolled_back() {
  RightsizingObject r;
  r.namespace_name = "trading";
  r.name = "deployment-engine";
  r.target = WorkloadRef{WorkloadKind::Deployment, "trading", "engine"};
  r.status.phase = policies::RightsizingPhase::RolledBack;
  r.status.replicas = 1;
  policies::ContainerStatus app;
  app.name = "app";
  app.original = requests("16", "1Gi");
  app.current = requests("8", "1Gi");
  app.recommended = requests("2", "1Gi");
  app.usage = policies::UsageFigures{"600m", "900m", "1200m", "800Mi", 100, std::nullopt};
  r.status.containers = {app};
  // 8 × 15 + 3 = 123.00 running; 2 × 15 + 3 = 33.00 target; 16 × 15 + 3 = 243.00 original.
  r.status.monthly_cost = policies::MonthlyCostText{"123.00", "33.00", "90.00", "USD", "120.00"};
  policies::LastRollback lb;
  lb.at = policies::Timestamp{std::chrono::seconds(1'795'000'000)};
  lb.check = "trade-latency-p99";
  lb.observed = "0.142";
  lb.threshold = "0.100";
  lb.baseline = "0.050";
  lb.reason = "canary breached trade-latency-p99";
  r.status.last_rollback = lb;
  return r;
}

TEST(FinOpsReportTest, AfterARollbackProjectedAndRealisedDiffer) {
  const auto r = build_finops_report(std::vector{rolled_back()}, {});
  const auto& m = r.totals.money;
  EXPECT_EQ(m.current, Cents{24300});  // original: 123.00 running + 120.00 realised
  EXPECT_EQ(m.target, Cents{3300});
  EXPECT_EQ(m.projected(), Cents{21000});  // 243.00 − 33.00
  EXPECT_EQ(m.realized, Cents{12000});     // only the step to 8 cores
  EXPECT_EQ(r.totals.rollbacks, 1);
  ASSERT_TRUE(r.workloads[0].rollback);
  EXPECT_EQ(r.workloads[0].rollback->check, "trade-latency-p99");
  EXPECT_EQ(r.workloads[0].rollback->observed, "0.142");
  EXPECT_EQ(r.workloads[0].rollback->threshold, "0.100");
  EXPECT_EQ(r.workloads[0].rollback->baseline, "0.050");
  // 600m of 16 cores before, of 2 cores after.
  EXPECT_EQ(r.workloads[0].utilization.cpu_before.permille(), 38);  // 3.75 % → 3.8 %
  EXPECT_EQ(r.workloads[0].utilization.cpu_after.permille(), 300);
}

TEST(FinOpsReportTest, WithoutMoneyOrInAnotherCurrencyAWorkloadIsListedButNotSummed) {
  auto observing = recommended(seed_desk()[2]);
  observing.status.monthly_cost.reset();
  auto euros = recommended(seed_desk()[3]);
  euros.status.monthly_cost->currency = "EUR";
  auto bad = recommended(seed_desk()[4]);
  bad.status.monthly_cost->current = "lots";
  const auto r = build_finops_report(
      std::vector{recommended(seed_desk()[0]), recommended(seed_desk()[1]), observing, euros, bad},
      {});
  EXPECT_EQ(r.currency, "USD");
  EXPECT_EQ(r.totals.workloads, 5);
  EXPECT_EQ(r.totals.money.current, Cents{6845 + 6750});
  EXPECT_EQ(r.totals.money.target, Cents{1530 + 1575});
  ASSERT_EQ(r.notes.size(), 3u);
  EXPECT_NE(r.notes[0].find("guardian: no monthly cost"), std::string::npos) << r.notes[0];
  EXPECT_NE(r.notes[1].find("news-processor: no monthly cost"), std::string::npos);
  EXPECT_NE(r.notes[2].find("priced in EUR, not USD"), std::string::npos);
}

TEST(FinOpsReportTest, TheCurrencyIsTheOneMostWorkloadsUseThenTheFirst) {
  auto euros = recommended(seed_desk()[0], "a");
  euros.status.monthly_cost->currency = "EUR";
  const auto tie = build_finops_report(std::vector{recommended(seed_desk()[1], "b"), euros}, {});
  EXPECT_EQ(tie.currency, "EUR");
  EXPECT_EQ(tie.workloads[0].namespace_name, "a");  // sorted by namespace
  EXPECT_EQ(tie.totals.money.current, Cents{6845});
  const auto most = build_finops_report(
      std::vector{recommended(seed_desk()[1], "b"), recommended(seed_desk()[2], "c"), euros}, {});
  EXPECT_EQ(most.currency, "USD");
  EXPECT_EQ(most.totals.money.current, Cents{6750 + 3750});
  EXPECT_EQ(build_finops_report({}, {}).currency, "USD");
}

TEST(FinOpsReportTest, CostPerTradeAtTheAnalysisRate) {
  // 0.001099 trades/s × 2 628 000 s = 2888.17 trades a month:
  // 285.95 / 2888.17 = 0.099007, 79.05 / 2888.17 = 0.027370.
  const auto r = build_finops_report(seed_desk_recommended(), {false, 1099});
  EXPECT_EQ(r.totals.cost_per_trade_current, 99007);
  EXPECT_EQ(r.totals.cost_per_trade_target, 27370);
  EXPECT_FALSE(build_finops_report(seed_desk_recommended(), {}).totals.cost_per_trade_current);
  EXPECT_EQ(cost_per_trade_micro(Cents{100}, 0), std::nullopt);
  // $1.00 at 1 trade/s: 10^6 / 2 628 000 = 0.38 → 0 micro; at 1/1000 of that rate 380.5 → 381.
  EXPECT_EQ(cost_per_trade_micro(Cents{100}, 1'000'000), 0);
  EXPECT_EQ(cost_per_trade_micro(Cents{100}, 1'000), 381);
}

TEST(FinOpsReportTest, WithoutATargetTheRunningCostIsTheTargetAndNothingIsSaved) {
  // Observing: the operator writes the current cost only.
  auto observing = recommended(seed_desk()[2]);
  observing.status.phase = policies::RightsizingPhase::Observing;
  observing.status.monthly_cost->target.reset();
  observing.status.monthly_cost->savings.reset();
  const auto r = build_finops_report(std::vector{observing}, {});
  ASSERT_TRUE(r.workloads[0].money);
  EXPECT_EQ(r.workloads[0].money->target, Cents{3750});
  EXPECT_EQ(r.totals.money.target, Cents{3750});
  EXPECT_EQ(r.totals.money.projected(), Cents{0});
  EXPECT_TRUE(r.notes.empty());
}

TEST(FinOpsReportTest, UtilisationRoundsHalfUpAndNeedsARequest) {
  EXPECT_EQ((Utilization{1, 2000}.permille()), 1);  // 0.5 ‰ → 1
  EXPECT_EQ((Utilization{1, 2001}.permille()), 0);  // 0.4998 ‰ → 0
  EXPECT_EQ((Utilization{5, 0}.permille()), std::nullopt);
  EXPECT_EQ((Utilization{3000, 1000}.permille()), 3000);  // over the request
}

TEST(FinOpsReportTest, ContainersWithoutUsageDoNotDiluteUtilisation) {
  auto rsz = recommended(seed_desk()[0]);
  policies::ContainerStatus sidecar;
  sidecar.name = "proxy";
  sidecar.current = requests("1", "1Gi");
  rsz.status.containers.push_back(sidecar);
  const auto r = build_finops_report(std::vector{rsz}, {});
  EXPECT_EQ(r.workloads[0].utilization.cpu_before.permille(), 75);  // 300m / 4 cores, not / 5
  EXPECT_EQ(r.workloads[0].before.cpu_millicores, 5000);            // but the requests count
  EXPECT_EQ(r.workloads[0].after.cpu_millicores, 1500);             // the sidecar keeps its size
  // A container with a memory peak but no CPU figure counts for memory only:
  // (2229 + 512) / (2884 + 1024) Mi = 70.1 %.
  auto memory_only = recommended(seed_desk()[0]);
  policies::ContainerStatus cache;
  cache.name = "cache";
  cache.current = requests("1", "1Gi");
  cache.usage = policies::UsageFigures{};
  cache.usage->memory_peak = "512Mi";
  memory_only.status.containers.push_back(cache);
  const auto m = build_finops_report(std::vector{memory_only}, {});
  EXPECT_EQ(m.workloads[0].utilization.memory_before.permille(), 701);
  EXPECT_EQ(m.workloads[0].utilization.cpu_before.permille(), 75);
}

}  // namespace
}  // namespace controller
