// Auto mode fails closed (issue 11 e2e (d)): Prometheus stopped while a
// canary runs (hack/cluster stop prometheus) → every analysis fails, the
// step is not promoted, and it is rolled back after failureThreshold
// analyses; the workload's template is never touched. Runs alone
// (RUN_SERIAL): the SLO gate tests need Prometheus.
#include <gtest/gtest.h>

#include "support/rollout_scenario.h"

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// Prometheus stopped for the object's lifetime (started again however the
// test ends).
class PrometheusOutage {
 public:
  PrometheusOutage() { EXPECT_TRUE(e2e::cluster_component("stop", "prometheus")); }
  ~PrometheusOutage() { EXPECT_TRUE(e2e::cluster_component("start", "prometheus")); }
  PrometheusOutage(const PrometheusOutage&) = delete;
  PrometheusOutage& operator=(const PrometheusOutage&) = delete;
};

class RolloutPrometheusOutage : public e2e::RolloutScenario {};

TEST_F(RolloutPrometheusOutage, NoPromotionAndRollbackAfterFailureThreshold) {
  const std::string ns = ns_.name();
  const std::string rsz = "deployment-engine";
  start_operator();
  e2e::AutoPolicy policy;
  policy.successful_checks = 20;  // the canary would run 100 s if Prometheus answered
  apply_ok(e2e::auto_policy_yaml(ns, policy));
  e2e::TradingWorkload w;
  w.name = "engine";
  w.policy = policy.name;
  w.profile = e2e::profile(1.0);
  apply_ok(e2e::trading_workload_yaml(ns, w));
  ASSERT_TRUE(itest::eventually([&] { return e2e::live_pods(ns, "app=engine").size() == 2; }, 60s));
  const std::int64_t gen0 = e2e::generation(e2e::get_workload(ns, "deployment", "engine"));
  json last;
  // The canary runs and has passed an analysis: Prometheus had answered.
  ASSERT_TRUE(wait_for(
      rsz, 240s,
      [](const json& r) {
        return e2e::phase_of(r) == "Canary" &&
               e2e::status_of(r).value("canary", json::object()).value("checksPassed", 0) >= 1;
      },
      &last))
      << last.dump(2);

  std::chrono::steady_clock::time_point stopped;
  {
    PrometheusOutage outage;
    stopped = std::chrono::steady_clock::now();
    ASSERT_TRUE(wait_for(
        rsz, 60s,
        [](const json& r) { return r.value("status", json::object()).contains("lastRollback"); },
        &last))
        << last.dump(2);
    std::cout << "[figures] Prometheus stopped -> rollback: " << seconds_since(stopped)
              << " s (analysisInterval 5 s x failureThreshold 2 = 10 s + 5 s)\n";
    EXPECT_TRUE(itest::eventually([&] { return e2e::canary_cpu(ns, "engine") != "8"; }, 30s));
  }
  const json deploy = e2e::get_workload(ns, "deployment", "engine");
  EXPECT_EQ(e2e::generation(deploy), gen0) << "promoted, or touched, without an answer";
  EXPECT_EQ(e2e::template_resource(deploy, "requests", "cpu"), "16");
  const json rb = e2e::status_of(last).value("lastRollback", json::object());
  EXPECT_EQ(rb.value("check", ""), "trade-latency-p99") << rb.dump();
  for (const auto& phase : e2e::history_phases(last)) EXPECT_NE(phase, "Promoting");
  EXPECT_FALSE(e2e::await_events(ns, "RightsizeRolledBack").empty()) << describe();
}

}  // namespace
