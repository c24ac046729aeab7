#include "controller/recommend_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace controller {
namespace {

using policies::ResourceList;
using policies::StatusResources;

RightsizingObject engine() {
  RightsizingObject r;
  r.namespace_name = "trading";
  r.name = "deployment-engine";
  r.target = WorkloadRef{WorkloadKind::Deployment, "trading", "engine"};
  r.status.phase = policies::RightsizingPhase::Recommended;
  r.status.monthly_cost =
      policies::MonthlyCostText{"300.00", "40.00", "260.00", "USD", std::nullopt};
  policies::ContainerStatus app;
  app.name = "app";
  app.current = StatusResources{ResourceList{"16", "32Gi"}, ResourceList{"16", std::nullopt}};
  app.recommended = StatusResources{ResourceList{"2", "4Gi"}, ResourceList{"2", std::nullopt}};
  policies::ContainerStatus sidecar;
  sidecar.name = "proxy";
  sidecar.current = StatusResources{ResourceList{"100m", std::nullopt}, std::nullopt};
  r.status.containers = {app, sidecar};
  return r;
}

TEST(RecommendReportTest, TableShowsCurrentToRecommendedPerContainer) {
  RecommendReport report;
  report.rows = rows_of(engine());
  EXPECT_EQ(render_table(report),
            "WORKLOAD            CONTAINER   PHASE         CPU REQUEST   CPU LIMIT   "
            "MEMORY REQUEST   MEMORY LIMIT   SAVINGS/MONTH\n"
            "Deployment/engine   app         Recommended   16→2          16→2        "
            "32Gi→4Gi         -              260.00 USD\n"
            "Deployment/engine   proxy       Recommended   100m          -           "
            "-                -              260.00 USD\n");
}

TEST(RecommendReportTest, AllNamespacesAddsTheColumnAndANoteComesFirst) {
  RightsizingObject fresh;
  fresh.namespace_name = "news";
  fresh.name = "statefulset-feed";
  fresh.target = WorkloadRef{WorkloadKind::StatefulSet, "news", "feed"};
  RecommendReport report;
  report.all_namespaces = true;
  report.note = "Sampled.";
  report.rows = rows_of(fresh);
  EXPECT_EQ(render_table(report),
            "Sampled.\n"
            "NAMESPACE   WORKLOAD           CONTAINER   PHASE   CPU REQUEST   CPU LIMIT   "
            "MEMORY REQUEST   MEMORY LIMIT   SAVINGS/MONTH\n"
            "news        StatefulSet/feed   -           -       -             -           "
            "-                -              -\n");
  report.rows.clear();
  EXPECT_EQ(render_table(report), "Sampled.\nNo workloads to report.\n");
}

TEST(RecommendReportTest, JsonCarriesTheSameFigures) {
  RecommendReport report;
  report.note = "n";
  report.rows = rows_of(engine());
  auto j = render_json(report);
  EXPECT_EQ(j["note"], "n");
  ASSERT_EQ(j["items"].size(), 2u);
  const auto& app = j["items"][0];
  EXPECT_EQ(app["namespace"], "trading");
  EXPECT_EQ(app["workload"], "Deployment/engine");
  EXPECT_EQ(app["container"], "app");
  EXPECT_EQ(app["phase"], "Recommended");
  EXPECT_EQ(app["current"]["requests"]["cpu"], "16");
  EXPECT_EQ(app["current"]["requests"]["memory"], "32Gi");
  EXPECT_EQ(app["current"]["limits"], (nlohmann::json{{"cpu", "16"}}));
  EXPECT_EQ(app["recommended"]["requests"]["cpu"], "2");
  EXPECT_EQ(app["recommended"]["requests"]["memory"], "4Gi");
  EXPECT_EQ(app["monthlySavings"], "260.00");
  EXPECT_EQ(app["currency"], "USD");
  EXPECT_EQ(j["items"][1]["recommended"]["requests"], nlohmann::json::object());
  EXPECT_FALSE(render_json(RecommendReport{}).contains("note"));
}

TEST(RecommendReportTest, ARightsizingWithoutTargetIsNamedByItself) {
  RightsizingObject r;
  r.namespace_name = "x";
  r.name = "stray";
  auto rows = rows_of(r);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].workload, "Rightsizing/stray");
}

}  // namespace
}  // namespace controller
