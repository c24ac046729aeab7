// Auto mode, what stops a step (issue 11 e2e (f), (j), (l)): a blackout
// window covering now, the opt-out annotation removed while a canary runs,
// and a canary whose pods never come up.
#include <gtest/gtest.h>

#include <ctime>
#include <thread>

#include "support/rollout_scenario.h"

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class RolloutGuard : public e2e::RolloutScenario {
 protected:
  void start_engine(const e2e::AutoPolicy& policy) {
    start_operator();
    apply_ok(e2e::auto_policy_yaml(ns_.name(), policy));
    e2e::TradingWorkload w;
    w.name = "engine";
    w.policy = policy.name;
    w.profile = e2e::profile(1.0);
    apply_ok(e2e::trading_workload_yaml(ns_.name(), w));
    ASSERT_TRUE(itest::eventually(
        [&] { return e2e::live_pods(ns_.name(), "app=engine").size() == 2; }, 60s));
    gen0_ = e2e::generation(e2e::get_workload(ns_.name(), "deployment", "engine"));
  }

  std::int64_t generation_now() {
    return e2e::generation(e2e::get_workload(ns_.name(), "deployment", "engine"));
  }

  const std::string rsz_ = "deployment-engine";
  std::int64_t gen0_ = -1;
};

// "HH:MM" in UTC, `offset` from now.
std::string utc_clock(std::chrono::minutes offset) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[8];
  std::strftime(buf, sizeof buf, "%H:%M", &tm);
  return buf;
}

bool in_flight(const std::string& phase) {
  return phase == "Canary" || phase == "Promoting" || phase == "Verifying";
}

// (f) a blackout window around now (UTC, every day; it may wrap past
// midnight) → Blocked with reason BlackoutWindow once a step is wanted, and
// nothing is mutated: no canary, the same generation.
TEST_F(RolloutGuard, BlackoutWindowBlocksWithoutMutation) {
  e2e::AutoPolicy policy;
  policy.extra_rollout = "    blackoutWindows:\n    - start: \"" + utc_clock(-60min) +
                         "\"\n      end: \"" + utc_clock(60min) + "\"\n      timeZone: UTC\n";
  ASSERT_NO_FATAL_FAILURE(start_engine(policy));
  e2e::WorkloadRecorder rec(ns_.name());
  json last;
  ASSERT_TRUE(wait_for(
      rsz_, 240s,
      [](const json& r) {
        const json c = e2e::condition(r, "Blocked");
        return c.value("status", "") == "True" && c.value("reason", "") == "BlackoutWindow";
      },
      &last))
      << last.dump(2);
  // Three analysis intervals more: still nothing.
  std::this_thread::sleep_for(15s);
  last = e2e::get_rightsizing(ns_.name(), rsz_);
  EXPECT_FALSE(in_flight(e2e::phase_of(last))) << e2e::status_of(last).dump(2);
  EXPECT_EQ(e2e::condition(last, "Blocked").value("reason", ""), "BlackoutWindow");
  EXPECT_EQ(generation_now(), gen0_);
  EXPECT_TRUE(rec.seen("engine-rightsizer-canary").empty()) << "a canary was created";
  for (const auto& s : rec.seen("engine")) EXPECT_EQ(s.cpu_request, "16");
  EXPECT_FALSE(e2e::await_events(ns_.name(), "RightsizeBlocked").empty()) << describe();
  EXPECT_TRUE(e2e::events_by_reason(ns_.name(), "RightsizeCanaryStarted").empty());
}

// (j) the rightsizer.io/policy annotation removed while a canary runs → the
// canary is deleted, the Rightsizing goes, the workload keeps its template.
TEST_F(RolloutGuard, OptOutMidCanaryDeletesTheCanaryAndLeavesTheWorkload) {
  e2e::AutoPolicy policy;
  policy.successful_checks = 20;  // a canary that lasts
  ASSERT_NO_FATAL_FAILURE(start_engine(policy));
  json last;
  ASSERT_TRUE(wait_for_phase(rsz_, "Canary", 240s, &last)) << last.dump(2);
  ASSERT_TRUE(itest::eventually([&] { return e2e::canary_exists(ns_.name(), "engine"); }, 30s));
  // Removing an annotation moves a Deployment's generation (the apiserver
  // bumps it for metadata.annotations too): compare the template instead.
  const json before = e2e::get_workload(ns_.name(), "deployment", "engine");
  const auto r = itest::kubectl(
      {"-n", ns_.name(), "annotate", "deployment", "engine", "rightsizer.io/policy-"});
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_TRUE(itest::eventually([&] { return !e2e::canary_exists(ns_.name(), "engine"); }, 60s));
  EXPECT_TRUE(wait_gone(rsz_, 60s));
  const json deploy = e2e::get_workload(ns_.name(), "deployment", "engine");
  EXPECT_EQ(e2e::generation(before), gen0_);
  EXPECT_EQ(deploy["spec"]["template"], before["spec"]["template"]);
  EXPECT_EQ(deploy["metadata"]["annotations"].value("deployment.kubernetes.io/revision", ""), "1");
  EXPECT_EQ(e2e::template_resource(deploy, "requests", "cpu"), "16");
  EXPECT_EQ(deploy["metadata"].value("annotations", json::object()).count("rightsizer.io/step"), 0U)
      << "a step marker on a workload that never took a step";
  // No canary pods left behind either.
  EXPECT_TRUE(itest::eventually(
      [&] { return e2e::live_pods(ns_.name(), "rightsizer.io/canary=true").empty(); }, 60s));
}

// (l) a canary whose pods never come up: a ResourceQuota lets the namespace
// hold the workload's two pods and no more, so the canary ReplicaSet's pod
// is refused at admission (the operator sees a canary Deployment with no
// Ready pod, as for an image that never pulls). The step fails within
// progressDeadline, the canary is deleted, the workload untouched.
TEST_F(RolloutGuard, CanaryThatNeverBecomesReadyFailsWithinProgressDeadline) {
  apply_ok("apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: two-pods\n  namespace: " +
           ns_.name() + "\nspec:\n  hard: {pods: \"2\"}\n");
  e2e::AutoPolicy policy;
  policy.progress_deadline = "30s";
  ASSERT_NO_FATAL_FAILURE(start_engine(policy));
  json last;
  ASSERT_TRUE(wait_for_phase(rsz_, "Canary", 240s, &last)) << last.dump(2);
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_for(
      rsz_, 60s,
      [](const json& r) { return r.value("status", json::object()).contains("lastRollback"); },
      &last))
      << last.dump(2);
  const double took = seconds_since(started);
  std::cout << "[figures] canary never Ready -> failed step after " << took
            << " s (progressDeadline 30 s)\n";
  EXPECT_GE(took, 25.0) << "failed before the deadline";
  EXPECT_LE(took, 45.0) << "failed long after the deadline";
  const json rb = e2e::status_of(last).value("lastRollback", json::object());
  EXPECT_EQ(rb.value("reason", ""), "ProgressDeadlineExceeded") << rb.dump();
  EXPECT_TRUE(itest::eventually([&] { return e2e::canary_cpu(ns_.name(), "engine") != "8"; }, 30s));
  EXPECT_EQ(generation_now(), gen0_);
  EXPECT_FALSE(e2e::await_events(ns_.name(), "RightsizeRolledBack").empty()) << describe();
}

}  // namespace
