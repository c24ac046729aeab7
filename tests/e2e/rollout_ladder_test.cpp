// Auto mode, the ladder (issue 11 e2e (a), (e)): a Deployment of simulated
// trading pods at 16 cores demanding one core climbs 16 → 8 → 4 → 2, each
// step on a canary Deployment first, judged against the stable pods, then
// promoted and verified. The operator is SIGKILLed once while a canary runs
// and once while a promotion is in flight; after each restart the workload
// is at lastGood or at the promoted step, and every step changes the
// template exactly once (counted by generation).
#include <gtest/gtest.h>

#include <set>

#include "support/rollout_scenario.h"

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class RolloutLadder : public e2e::RolloutScenario {};

// The canary Deployment of `name`: its CPU requests over time.
std::set<std::string> canary_sizes(const e2e::WorkloadRecorder& rec, const std::string& name) {
  std::set<std::string> out;
  for (const auto& s : rec.seen(name + "-rightsizer-canary")) out.insert(s.cpu_request);
  return out;
}

// A fresh operator (and Lease of its own: a SIGKILLed one's is not
// released) named for its log file.
e2e::OperatorOptions named(const std::string& name) {
  e2e::OperatorOptions o;
  o.name = name;
  return o;
}

// The step a Rightsizing's status has in flight (its canary's step hash).
std::string step_in_flight(const json& r) {
  return e2e::status_of(r).value("canary", json::object()).value("step", "");
}

// The steps that have an event of `reason`, by the hash its message names
// ("step <hash> ..."), leaving out `except`.
std::set<std::string> steps_with_event(const std::string& ns, const std::string& reason,
                                       const std::string& except) {
  std::set<std::string> out;
  for (const auto& e : e2e::events_by_reason(ns, reason)) {
    const std::string m = e.value("message", "");
    if (!m.starts_with("step ")) continue;
    const std::string hash = m.substr(5, m.find(' ', 5) - 5);
    if (hash != except) out.insert(hash);
  }
  return out;
}

TEST_F(RolloutLadder, SixteenToTwoCoresOneCanaryPerStepThroughTwoSigkills) {
  const std::string ns = ns_.name();
  const std::string rsz = "deployment-engine";
  e2e::OperatorProcess* op = &start_operator(named("operator-1"));
  e2e::AutoPolicy policy;
  policy.successful_checks = 3;
  // A promotion (about 14 s of rolling update, below) with an operator
  // restarted under a sanitizer build in the middle must not reach the
  // progress deadline: that would roll the step back.
  policy.progress_deadline = "120s";
  apply_ok(e2e::auto_policy_yaml(ns, policy));
  e2e::TradingWorkload w;
  w.name = "engine";
  w.policy = policy.name;
  w.profile = e2e::profile(1.0);  // p95 ≈ 1.02 cores / 0.6 → 2 whole cores
  // Promoting lasts as long as the rolling update of the template: kwok
  // pods are Ready at once, so without this it is over in well under a
  // second, and a poll under a sanitizer build's load can miss all three
  // promotions. A new pod counts as available only after minReadySeconds,
  // and the update replaces one pod at a time (maxSurge 1, maxUnavailable
  // 0 on two replicas), so each promotion lasts about 2 × 7 s (at least
  // 10 s: the Ready time kwok writes has whole seconds).
  w.strategy_yaml = "  minReadySeconds: 6\n";
  apply_ok(e2e::trading_workload_yaml(ns, w));
  e2e::WorkloadRecorder rec(ns);
  json last;
  ASSERT_TRUE(itest::eventually([&] { return e2e::live_pods(ns, "app=engine").size() == 2; }, 60s));
  const std::int64_t gen0 = e2e::generation(e2e::get_workload(ns, "deployment", "engine"));
  double writes = 0;  // API writes of the operators killed on the way

  // (e) SIGKILL while the first canary runs.
  ASSERT_TRUE(wait_for_phase(rsz, "Canary", 240s, &last)) << last.dump(2);
  ASSERT_TRUE(itest::eventually([&] { return e2e::canary_exists(ns, "engine"); }, 30s));
  const std::string killed_in_canary = step_in_flight(last);
  writes += e2e::write_requests(op->metrics());
  op->kill();
  op = &start_operator(named("operator-2"));

  // (e) SIGKILL while a promotion is in flight (status says Promoting: the
  // template patch may or may not have been sent). Promoting lasts at least
  // 10 s (minReadySeconds above): try every step until one is seen.
  bool killed_promoting = false;
  std::string killed_in_promotion;
  for (int step = 0; step < 3 && !killed_promoting; ++step) {
    killed_promoting = wait_for(
        rsz, 120s,
        [](const json& r) {
          return e2e::phase_of(r) == "Promoting" ||
                 (e2e::phase_of(r) == "Rightsized" &&
                  e2e::status_request(r, "main", "current", "cpu") == "2");
        },
        &last);
    if (e2e::phase_of(last) != "Promoting") break;
    killed_in_promotion = step_in_flight(last);
    writes += e2e::write_requests(op->metrics());
    op->kill();
    op = &start_operator(named("operator-3"));
  }
  EXPECT_TRUE(killed_promoting && e2e::phase_of(last) == "Promoting")
      << "never saw a promotion in flight\n"
      << last.dump(2);

  // (a) the ladder completes at 2 whole cores.
  ASSERT_TRUE(wait_for(
      rsz, 300s,
      [](const json& r) {
        return e2e::phase_of(r) == "Rightsized" &&
               e2e::status_request(r, "main", "current", "cpu") == "2";
      },
      &last))
      << last.dump(2);
  writes += e2e::write_requests(op->metrics());
  const json deploy = e2e::get_workload(ns, "deployment", "engine");
  EXPECT_EQ(e2e::template_resource(deploy, "requests", "cpu"), "2");
  EXPECT_EQ(e2e::template_resource(deploy, "limits", "cpu"), "2");  // whole cores, Guaranteed
  EXPECT_EQ(e2e::template_resource(deploy, "requests", "memory"), "4Gi");

  // Exactly one template change per step, across both restarts: 16 → 8 →
  // 4 → 2 is three generations, and the template was never anything else.
  EXPECT_EQ(e2e::generation(deploy) - gen0, 3) << deploy["metadata"].dump(2);
  std::vector<std::string> sizes;
  for (const auto& s : rec.seen("engine")) {
    EXPECT_EQ(s.cpu_request, s.cpu_limit) << "QoS changed at generation " << s.generation;
    if (sizes.empty() || sizes.back() != s.cpu_request) sizes.push_back(s.cpu_request);
  }
  EXPECT_EQ(sizes, (std::vector<std::string>{"16", "8", "4", "2"}));
  // Every step ran on a canary first.
  EXPECT_EQ(canary_sizes(rec, "engine"), (std::set<std::string>{"8", "4", "2"}));
  EXPECT_FALSE(e2e::canary_exists(ns, "engine"));
  // Events are notifications, sent after the status write that records the
  // transition and at most once: a SIGKILL between the two loses that one
  // event (the status's history and summary.lastEvent are the record). So
  // each of the three steps has its events, except that the step a kill
  // interrupted may lack the one event of the transition it interrupted.
  ASSERT_FALSE(killed_in_canary.empty()) << "no step in flight at the first kill";
  EXPECT_EQ(steps_with_event(ns, "RightsizeCanaryStarted", killed_in_canary).size(), 2U);
  EXPECT_EQ(steps_with_event(ns, "RightsizePromoted", killed_in_promotion).size(),
            killed_in_promotion.empty() ? 3U : 2U);
  EXPECT_TRUE(e2e::events_by_reason(ns, "RightsizeRolledBack").empty());

  // Savings in status: projected and realised (16 → 2 cores on two replicas).
  // The projection needs a recommendation, which a restarted operator gives
  // once its restored learning is confident again (seen to lag the last
  // Rightsized by a reconcile under load): bounded wait.
  EXPECT_TRUE(wait_for(
      rsz, 60s,
      [](const json& r) {
        return !e2e::status_of(r).value("monthlyCost", json::object()).value("savings", "").empty();
      },
      &last))
      << last.dump(2);
  const json cost = e2e::status_of(last).value("monthlyCost", json::object());
  EXPECT_NE(cost.value("savings", ""), "") << cost.dump();
  EXPECT_GT(e2e::number(cost.value("realized", "")), 0.0) << cost.dump();
  const json original = e2e::status_container(last, "main").value("original", json::object());
  EXPECT_EQ(original.value("requests", json::object()).value("cpu", ""), "16") << original.dump();
  const auto phases = e2e::history_phases(last);
  EXPECT_LE(phases.size(), 10U);
  EXPECT_EQ(phases.empty() ? "" : phases.back(), "Rightsized");

  std::cout << "[figures] ladder: api writes per step ≈ " << writes / 3 << " (" << writes
            << " writes by three operator processes over 3 steps, status writes included)\n";
  e2e::print_operator_figures("ladder, last operator", *op);
}

}  // namespace
