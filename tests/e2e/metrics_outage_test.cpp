// metrics-server stopped for a while (hack/cluster stop/start, as `up`
// starts it): the operator takes no samples (never zeros), says so with
// MetricsAvailable=False, keeps its recommendation, and recovers after.
// Runs alone (RUN_SERIAL): every other test that reads metrics would fail.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "support/scenario.h"

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

itest::CommandResult hack_cluster(const std::string& verb) {
  const auto script = std::filesystem::path(RIGHTSIZER_SOURCE_DIR) / "hack" / "cluster";
  return itest::run({script.string(), verb, "metrics-server"});
}

// Stops metrics-server for its lifetime (started again however the test ends).
class MetricsServerOutage {
 public:
  MetricsServerOutage() {
    const auto r = hack_cluster("stop");
    EXPECT_TRUE(r.ok()) << r.out << r.err;
  }
  ~MetricsServerOutage() { (void)end(); }
  MetricsServerOutage(const MetricsServerOutage&) = delete;
  MetricsServerOutage& operator=(const MetricsServerOutage&) = delete;
  bool end() {
    if (ended_) return true;
    ended_ = true;
    const auto r = hack_cluster("start");
    EXPECT_TRUE(r.ok()) << r.out << r.err;
    return r.ok();
  }

 private:
  bool ended_ = false;
};

class MetricsOutage : public e2e::Scenario {};

json usage_of(const json& rsz) {
  return e2e::status_container(rsz, "main").value("usage", json::object());
}
std::int64_t samples_of(const json& rsz) {
  return usage_of(rsz).value("samples", 0);
}
std::string recommended_cpu(const json& rsz) {
  return e2e::status_container(rsz, "main")
      .value("recommended", json::object())
      .value("requests", json::object())
      .value("cpu", "");
}

TEST_F(MetricsOutage, NoZeroSamplesAConditionAndRecoveryAfter) {
  const std::string ns = ns_.name();
  e2e::OperatorProcess& op = start_operator();
  apply_ok(e2e::policy_yaml(ns, "trading", "10s"));
  e2e::WorkloadSpec w;
  w.name = "engine";
  w.policy = "trading";
  w.cpu_request = "4";
  w.usage_cpu = "400m";
  apply_ok(e2e::workload_yaml(ns, w));
  json rsz;
  ASSERT_TRUE(wait_phase("deployment-engine", "Recommended", 150s, &rsz)) << rsz.dump(2);
  const std::string cpu_before = recommended_cpu(rsz);

  MetricsServerOutage outage;
  ASSERT_TRUE(wait_rightsizing(
      "deployment-engine", 60s,
      [](const json& r) {
        return e2e::condition(r, "MetricsAvailable").value("status", "") == "False";
      },
      &rsz))
      << rsz.dump(2);
  const json cond = e2e::condition(rsz, "MetricsAvailable");
  EXPECT_EQ(cond.value("reason", ""), "MetricsUnavailable") << cond.dump();
  EXPECT_FALSE(cond.value("message", "").empty()) << cond.dump();
  EXPECT_GT(e2e::metric_sum(op.metrics(), "rightsizer_metrics_list_failures_total"), 0);

  // Four sampling intervals of outage: not one sample (the status keeps the
  // usage it had), the recommendation as it was.
  const std::int64_t samples_during = samples_of(rsz);
  const double taken_during = e2e::metric_sum(op.metrics(), "rightsizer_usage_samples_total");
  std::this_thread::sleep_for(20s);
  rsz = e2e::get_rightsizing(ns, "deployment-engine");
  EXPECT_EQ(samples_of(rsz), samples_during) << rsz.dump(2);
  EXPECT_EQ(e2e::metric_sum(op.metrics(), "rightsizer_usage_samples_total"), taken_during);
  EXPECT_EQ(e2e::status_of(rsz).value("phase", ""), "Recommended");
  EXPECT_EQ(recommended_cpu(rsz), cpu_before);

  ASSERT_TRUE(outage.end());
  // Sampling resumes (metrics-server reports CPU after two scrapes of its
  // own) and the condition turns back.
  EXPECT_TRUE(itest::eventually(
      [&] {
        return e2e::metric_sum(op.metrics(), "rightsizer_usage_samples_total") > taken_during;
      },
      90s, 1s));
  EXPECT_TRUE(wait_rightsizing(
      "deployment-engine", 60s,
      [&](const json& r) {
        return e2e::condition(r, "MetricsAvailable").value("status", "") == "True";
      },
      &rsz))
      << rsz.dump(2);
  // Zeros recorded during the outage would have pulled the median down.
  const auto p50 = e2e::millicores(usage_of(rsz).value("cpuP50", ""));
  EXPECT_TRUE(p50 && *p50 >= 380) << usage_of(rsz).dump();
  const e2e::Range want = e2e::expected_cpu_request(400, 0.6, 100, 32000, 50);
  const auto cpu = e2e::millicores(recommended_cpu(rsz));
  EXPECT_TRUE(cpu && *cpu >= want.lo && *cpu <= want.hi) << recommended_cpu(rsz);
}

}  // namespace
