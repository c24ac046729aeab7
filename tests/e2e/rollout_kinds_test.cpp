// Auto mode beyond a Deployment's CPU step-down (issue 11 e2e (g), (h),
// (i)): a StatefulSet's partitioned rolling update as the canary, then
// partition 0; memory increases applied at once without a canary; an
// OOMKill reported by the simulator answered with a bump.
#include <gtest/gtest.h>

#include <thread>

#include "support/rollout_scenario.h"

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class RolloutKinds : public e2e::RolloutScenario {};

// A request of container "main" of a pod ("" when absent).
std::string pod_request(const std::string& ns, const std::string& pod,
                        const std::string& resource) {
  const json p = e2e::get_json({"-n", ns, "get", "pod", pod});
  if (!p.is_object()) return "";
  for (const auto& c : p.value("spec", json::object()).value("containers", json::array()))
    if (c.value("name", "") == "main")
      return c.value(json::json_pointer("/resources/requests/" + resource), "");
  return "";
}

std::string pod_cpu(const std::string& ns, const std::string& pod) {
  return pod_request(ns, pod, "cpu");
}

// The recommended memory request of container "main" in a Rightsizing's
// status (0 when there is none yet).
long long recommended_memory(const json& rightsizing) {
  return e2e::bytes(e2e::status_request(rightsizing, "main", "recommended", "memory")).value_or(0);
}

// (g) StatefulSet: the canary is the highest ordinal (partition =
// replicas - canaryReplicas) at the step's size while the lower ordinals
// keep theirs; promotion is partition 0, every pod at the step.
TEST_F(RolloutKinds, StatefulSetPartitionCanaryThenPromotion) {
  const std::string ns = ns_.name();
  const std::string rsz = "statefulset-ledger";
  start_operator();
  e2e::AutoPolicy policy;
  policy.successful_checks = 4;
  apply_ok(e2e::auto_policy_yaml(ns, policy));
  e2e::TradingWorkload w;
  w.kind = "StatefulSet";
  w.name = "ledger";
  w.policy = policy.name;
  w.replicas = 3;
  w.profile = e2e::profile(1.0);
  apply_ok(e2e::trading_workload_yaml(ns, w));
  e2e::WorkloadRecorder rec(ns);
  ASSERT_TRUE(itest::eventually([&] { return e2e::live_pods(ns, "app=ledger").size() == 3; }, 90s));
  json last;
  ASSERT_TRUE(wait_for_phase(rsz, "Canary", 240s, &last)) << last.dump(2);
  // The canary: ledger-2 at 8 cores, ledger-0 and -1 at 16.
  EXPECT_TRUE(itest::eventually(
      [&] {
        return pod_cpu(ns, "ledger-2") == "8" && pod_cpu(ns, "ledger-0") == "16" &&
               pod_cpu(ns, "ledger-1") == "16";
      },
      60s, 500ms))
      << describe();
  const json sts = e2e::get_workload(ns, "statefulset", "ledger");
  EXPECT_EQ(sts["spec"]["updateStrategy"]["rollingUpdate"].value("partition", -1), 2)
      << sts["spec"].dump(2);
  EXPECT_EQ(e2e::phase_of(e2e::get_rightsizing(ns, rsz)), "Canary")
      << "promoted before the canary's pod was judged";
  const json canary = e2e::status_of(e2e::get_rightsizing(ns, rsz)).value("canary", json::object());
  EXPECT_EQ(canary.value("pods", json::array()), json::array({"ledger-2"})) << canary.dump();

  // Promotion: partition 0, all three pods at 8 cores.
  ASSERT_TRUE(wait_for(
      rsz, 180s,
      [](const json& r) {
        return e2e::phase_of(r) == "Verifying" || e2e::phase_of(r) == "Rightsized";
      },
      &last))
      << last.dump(2);
  EXPECT_TRUE(itest::eventually(
      [&] {
        return pod_cpu(ns, "ledger-0") == "8" && pod_cpu(ns, "ledger-1") == "8" &&
               pod_cpu(ns, "ledger-2") == "8";
      },
      90s, 500ms))
      << describe();
  const json after = e2e::get_workload(ns, "statefulset", "ledger");
  EXPECT_EQ(after["spec"]["updateStrategy"]["rollingUpdate"].value("partition", 0), 0);
  EXPECT_EQ(e2e::template_resource(after, "requests", "cpu"), "8");
  // What the template went through: 16 at partition 0, 8 at partition 2
  // (the canary), 8 at partition 0 (promoted).
  std::vector<std::pair<std::string, std::int64_t>> path;
  for (const auto& s : rec.seen("ledger"))
    if (path.empty() || path.back() != std::pair{s.cpu_request, s.partition})
      path.emplace_back(s.cpu_request, s.partition);
  const std::vector<std::pair<std::string, std::int64_t>> want{{"16", 0}, {"8", 2}, {"8", 0}};
  ASSERT_GE(path.size(), want.size());
  EXPECT_TRUE(std::equal(want.begin(), want.end(), path.begin()));
  e2e::print_operator_figures("statefulset", *operators_.back());
}

// (h) a memory increase goes straight to the workload (increases:
// Immediate), no canary; (i) an OOMKill reported by the simulator (memory in
// use above the limit) bumps memory to what the kill needed (the limit at
// the kill × oomBumpRatio) ÷ targetUtilization, and the kill is learnt.
// CPU is pinned at 2 cores by the policy so that only memory moves.
TEST_F(RolloutKinds, MemoryIncreaseAtOnceAndOomKillBump) {
  const std::string ns = ns_.name();
  start_operator();
  e2e::AutoPolicy policy;
  policy.cpu_min = "2";
  policy.cpu_max = "2";
  policy.memory_min = "256Mi";
  policy.memory_max = "8Gi";
  policy.memory_round_to = "64Mi";
  policy.oom_bump_ratio = "1.5";
  policy.limits = "KeepRatio";
  apply_ok(e2e::auto_policy_yaml(ns, policy));
  e2e::WorkloadRecorder rec(ns);
  const long long gib = 1LL << 30;
  e2e::TradingWorkload grower;  // 1.5Gi in use on a 512Mi request: grow to ~1.9Gi
  grower.name = "grower";
  grower.policy = policy.name;
  grower.replicas = 1;
  grower.cpu = "2";
  grower.memory = "512Mi";
  grower.memory_limit = "2Gi";
  grower.profile = e2e::profile(0.5, gib * 3 / 2);
  apply_ok(e2e::trading_workload_yaml(ns, grower));
  // 1.05Gi in use under a 1Gi limit: OOMKilled. Usage alone would ask for
  // 1.05Gi / 0.8 (1344–1472Mi, rounded to 64Mi), under the bump's 1.5Gi.
  e2e::TradingWorkload oomer = grower;
  oomer.name = "oomer";
  oomer.memory = "1Gi";
  oomer.memory_limit = "1Gi";
  oomer.profile = e2e::profile(0.5, gib * 21 / 20);
  apply_ok(e2e::trading_workload_yaml(ns, oomer));

  ASSERT_TRUE(itest::eventually(
      [&] {
        return e2e::live_pods(ns, "app=grower").size() == 1 &&
               e2e::live_pods(ns, "app=oomer").size() == 1;
      },
      60s));
  const std::int64_t grower_gen0 = e2e::generation(e2e::get_workload(ns, "deployment", "grower"));
  json last;
  const auto memory_of = [&](const std::string& name) {
    return e2e::bytes(e2e::template_resource(e2e::get_workload(ns, "deployment", name), "requests",
                                             "memory"))
        .value_or(0);
  };
  // (h)
  ASSERT_TRUE(wait_for_phase("deployment-grower", "Rightsized", 240s, &last)) << last.dump(2);
  EXPECT_GE(memory_of("grower"), gib * 3 / 2) << "1.5Gi in use / 0.8";
  EXPECT_EQ(e2e::generation(e2e::get_workload(ns, "deployment", "grower")) - grower_gen0, 1)
      << "one patch for one step";
  EXPECT_TRUE(rec.seen("grower-rightsizer-canary").empty()) << "an increase went to a canary";
  for (const auto& phase : e2e::history_phases(last)) EXPECT_NE(phase, "Canary");
  EXPECT_EQ(
      e2e::template_resource(e2e::get_workload(ns, "deployment", "grower"), "requests", "cpu"),
      "2");

  // (i) The bump: the limit at the kill (1Gi) × 1.5, sized like usage
  // (÷ 0.8): 1920Mi, which usage alone (1344–1472Mi) never reaches. The
  // Rightsizing is read before the workload: the status seen already
  // recommends the bump when the template carries it (the status is
  // written before the patch).
  const long long bump = gib * 15 / 8;
  ASSERT_TRUE(wait_for(
      "deployment-oomer", 240s,
      [&](const json& r) { return recommended_memory(r) >= bump && memory_of("oomer") >= bump; },
      &last))
      << last.dump(2);
  // The bump's rollout replaces the killed pod; the kill stays in status.
  ASSERT_TRUE(itest::eventually(
      [&] {
        const auto pods = e2e::live_pods(ns, "app=oomer");
        return pods.size() == 1 &&
               e2e::bytes(pod_request(ns, pods.front(), "memory")).value_or(0) >= bump;
      },
      90s, 500ms))
      << describe();
  last = e2e::get_rightsizing(ns, "deployment-oomer");
  EXPECT_TRUE(e2e::status_container(last, "main").contains("oomKilledAt"))
      << "the kill stays in status after the bump replaced its pod: " << last.dump(2);
  // The kill is learnt (VPA's RecordOOM): the bump is still recommended
  // after the pod that reported it is gone. A pod event wakes the
  // workload's reconcile at once, so a forgotten kill would show within
  // seconds (usage alone: 1344–1472Mi); watch for 20 s.
  const auto watch_until = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < watch_until) {
    last = e2e::get_rightsizing(ns, "deployment-oomer");
    if (last.is_object()) {
      ASSERT_GE(recommended_memory(last), bump) << last.dump(2);
    }
    std::this_thread::sleep_for(1s);
  }
  EXPECT_GE(memory_of("oomer"), bump);
  EXPECT_FALSE(e2e::await_events(ns, "RightsizeOOMBump").empty()) << describe();
  EXPECT_TRUE(rec.seen("oomer-rightsizer-canary").empty());
  e2e::print_operator_figures("memory", *operators_.back());
}

}  // namespace
