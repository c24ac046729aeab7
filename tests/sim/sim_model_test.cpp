// The simulator's model: the latency curve the README states, determinism for
// a seed, bursts, allotted CPU, the exposition and the OOMKill status patch.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "sim_model.h"
#include "sim_pod.h"

namespace {

struct CurvePoint {
  double utilization;
  double p99_seconds;
  double scan_seconds;
};

class LatencyCurve : public testing::TestWithParam<CurvePoint> {};

// The numbers of the README's table.
TEST_P(LatencyCurve, AsDocumented) {
  const auto& c = GetParam();
  EXPECT_NEAR(sim::latency_p99(c.utilization), c.p99_seconds, 0.0001);
  EXPECT_NEAR(sim::latency_cdf(c.utilization, sim::latency_p99(c.utilization)), 0.99, 1e-9);
  EXPECT_NEAR(sim::guardian_scan_seconds(c.utilization), c.scan_seconds, 1e-9);
}

INSTANTIATE_TEST_SUITE_P(Readme, LatencyCurve,
                         testing::Values(CurvePoint{0.10, 0.00512, 3.0},
                                         CurvePoint{0.50, 0.00921, 15.0},
                                         CurvePoint{0.80, 0.02303, 24.0},
                                         CurvePoint{0.95, 0.09210, 28.5},
                                         CurvePoint{1.10, 0.33026, 33.0}));

TEST(LatencyModel, RisesSteeplyAndJumpsWhenThrottled) {
  // Strictly rising up to the cap and beyond 100 %; flat only in between.
  double prev = 0;
  for (int pct = 0; pct <= 150; ++pct) {
    const double u = pct / 100.0;
    if (u <= sim::kUtilizationCap || u > 1)
      EXPECT_GT(sim::latency_p99(u), prev) << u;
    else
      EXPECT_GE(sim::latency_p99(u), prev) << u;
    prev = sim::latency_p99(u);
  }
  // Throttled: nothing is faster than the CFS penalty.
  EXPECT_EQ(sim::latency_cdf(1.2, 0.15), 0);
  EXPECT_GT(sim::latency_p99(1.01) - sim::latency_p99(0.99), 0.0);
  EXPECT_GT(sim::latency_p99(0.95) / sim::latency_p99(0.5), 9.0);
}

TEST(Demand, DeterministicForASeedAndDifferentAcrossSeeds) {
  sim::DemandProfile p;
  p.cores = 1;
  p.noise = 0.2;
  sim::DemandProfile q = p;
  q.seed = 2;
  int differ = 0;
  for (double t = 1000; t < 1100; t += 5) {
    EXPECT_EQ(sim::demand_cores(p, t), sim::demand_cores(p, t));
    EXPECT_GE(sim::demand_cores(p, t), 0.8);
    EXPECT_LT(sim::demand_cores(p, t), 1.2);
    differ += sim::demand_cores(p, t) != sim::demand_cores(q, t);
  }
  EXPECT_GT(differ, 15);
}

TEST(Demand, NoiseIsCentredOnTheBaseCores) {
  sim::DemandProfile p;
  p.cores = 1;
  p.noise = 0.1;
  double sum = 0, lo = 2, hi = 0;
  for (int slot = 0; slot < 2000; ++slot) {
    const double d = sim::demand_cores(p, slot * p.noise_period_seconds);
    sum += d;
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_NEAR(sum / 2000, 1.0, 0.01);
  EXPECT_LT(lo, 0.91);
  EXPECT_GT(hi, 1.09);
  EXPECT_GE(lo, 0.9);
  EXPECT_LT(hi, 1.1);
}

TEST(Demand, PeriodicBursts) {
  sim::DemandProfile p;
  p.cores = 0.5;
  p.burst_every_seconds = 60;
  p.burst_for_seconds = 10;
  p.burst_factor = 3;
  EXPECT_DOUBLE_EQ(sim::demand_cores(p, 6000 + 5), 1.5);   // within the burst
  EXPECT_DOUBLE_EQ(sim::demand_cores(p, 6000 + 10), 0.5);  // just after
  EXPECT_DOUBLE_EQ(sim::demand_cores(p, 6000 + 59), 0.5);
}

TEST(Profile, ParsesAndRefuses) {
  std::string err;
  auto p = sim::parse_profile(
      R"({"cores": 0.07, "noise": 0.1, "memoryBytes": 1048576, "seed": 9, "burstFactor": 2})", err);
  ASSERT_TRUE(p) << err;
  EXPECT_DOUBLE_EQ(p->cores, 0.07);
  EXPECT_EQ(p->memory_bytes, 1048576);
  EXPECT_EQ(p->seed, 9U);
  EXPECT_FALSE(sim::parse_profile(R"({"cores": -1})", err));
  EXPECT_NE(err.find("cores"), std::string::npos);
  EXPECT_FALSE(sim::parse_profile("[1]", err));
  EXPECT_FALSE(sim::parse_profile(R"({"noise": "lots"})", err));
}

TEST(Allotted, LimitElseRequest) {
  EXPECT_DOUBLE_EQ(sim::allotted_cores(500, 2000), 2.0);
  EXPECT_DOUBLE_EQ(sim::allotted_cores(500, std::nullopt), 0.5);
}

nlohmann::json pod(const std::string& profile, const std::string& cpu_limit = "1",
                   const std::string& mem_limit = "512Mi") {
  return nlohmann::json::parse(R"({"metadata": {"namespace": "ns", "name": "engine-0", "uid": "u1",
      "annotations": {"sim.rightsizer.io/profile": )" +
                               nlohmann::json(profile).dump() + R"(}},
    "spec": {"containers": [{"name": "main", "resources": {
      "requests": {"cpu": "500m", "memory": "256Mi"},
      "limits": {"cpu": ")" + cpu_limit +
                               R"(", "memory": ")" + mem_limit + R"("}}}]},
    "status": {"phase": "Running", "containerStatuses": [{"name": "main", "restartCount": 0,
      "state": {"running": {}}}]}})");
}

TEST(Pod, UsageIsDemandCappedAtTheAllottedCpu) {
  const auto p = sim::project_pod(pod(R"({"cores": 1.1, "memoryBytes": 104857600})"));
  ASSERT_TRUE(p.running);
  ASSERT_TRUE(p.profile) << p.profile_error;
  const auto st = sim::pod_state(p, 0);
  EXPECT_NEAR(st.utilization, 1.1, 1e-12);
  EXPECT_EQ(st.usage_cpu, "1000m");
  EXPECT_EQ(st.usage_memory, "104857600");
  EXPECT_FALSE(st.oom);
  const auto low = sim::pod_state(sim::project_pod(pod(R"({"cores": 0.07})")), 0);
  EXPECT_EQ(low.usage_cpu, "70m");
}

TEST(Pod, MemoryAboveTheLimitIsAnOomKill) {
  auto j = pod(R"({"cores": 0.1, "memoryBytes": 1073741824})");
  const auto p = sim::project_pod(j);
  const auto st = sim::pod_state(p, 0);
  EXPECT_TRUE(st.oom);
  EXPECT_EQ(st.usage_memory, std::to_string(512LL << 20));
  EXPECT_FALSE(p.oom_reported);
  const auto patch = sim::oom_status_patch(j, "2026-01-01T00:00:00Z");
  const auto& cs = patch["status"]["containerStatuses"][0];
  EXPECT_EQ(cs["restartCount"], 1);
  EXPECT_EQ(cs["lastState"]["terminated"]["reason"], "OOMKilled");
  EXPECT_EQ(cs["lastState"]["terminated"]["exitCode"], 137);
  j["status"]["containerStatuses"] = patch["status"]["containerStatuses"];
  EXPECT_TRUE(sim::project_pod(j).oom_reported);  // reported once
}

TEST(Metrics, HistogramIsCumulativeAndRendered) {
  sim::PodMetrics m;
  m.advance(0.5, 100, 1);
  m.advance(0.5, 100, 1);
  EXPECT_DOUBLE_EQ(m.count, 200);
  for (std::size_t i = 1; i < m.buckets.size(); ++i) EXPECT_GE(m.buckets[i], m.buckets[i - 1]);
  EXPECT_LE(m.buckets.back(), m.count);
  // Filled by the model's CDF: p99 at 50 % is 9.2 ms, between the 8 ms and 10 ms bounds.
  const auto& le = sim::latency_buckets();
  const auto at = [&](double bound) {
    return m.buckets[std::find(le.begin(), le.end(), bound) - le.begin()];
  };
  EXPECT_LT(at(0.008), 0.99 * m.count);
  EXPECT_GE(at(0.01), 0.99 * m.count);
  EXPECT_NEAR(at(0.002), m.count * sim::latency_cdf(0.5, 0.002), 1e-9);
  EXPECT_NEAR(m.sum / m.count, sim::latency_mean(0.5), 1e-12);
  std::map<std::string, std::pair<sim::SimPod, sim::PodMetrics>> pods;
  sim::SimPod p;
  p.ns = "ns";
  p.name = "engine-0";
  pods.emplace("ns/engine-0", std::pair{p, m});
  const auto text = sim::render_metrics(pods);
  EXPECT_NE(text.find("# TYPE trade_latency_seconds histogram"), std::string::npos);
  EXPECT_NE(
      text.find(R"(trade_latency_seconds_bucket{namespace="ns",pod="engine-0",le="+Inf"} 200)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(guardian_scan_duration_seconds{namespace="ns",pod="engine-0"} 15)"),
            std::string::npos)
      << text;
}

}  // namespace
