// The operator's life: a policy the CRD accepts but policies/ rejects causes
// no action; of two operators exactly one writes, and the other takes over
// within the lease duration when the leader is killed.
#include <gtest/gtest.h>

#include <iostream>

#include "support/scenario.h"

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class Lifecycle : public e2e::Scenario {};

TEST_F(Lifecycle, PolicyTheCrdAcceptsButTheValidatorRejectsIsInvalidAndCausesNoAction) {
  const std::string ns = ns_.name();
  start_operator();
  // The CRD's pattern for a time zone is ^[A-Za-z0-9_+/-]+$; only the
  // operator (like `rightsizer validate`) knows the IANA names.
  apply_ok(e2e::policy_yaml(ns, "broken", "10s",
                            "  rollout:\n    blackoutWindows:\n    - days: [Mon]\n"
                            "      start: \"09:00\"\n      end: \"17:00\"\n"
                            "      timeZone: Mars/Olympus_Mons\n"));
  apply_ok(e2e::policy_yaml(ns, "good", "10s"));
  e2e::WorkloadSpec victim;
  victim.name = "victim";
  victim.policy = "broken";
  victim.cpu_request = "1";
  e2e::WorkloadSpec control = victim;
  control.name = "control";
  control.policy = "good";
  apply_ok(e2e::workload_yaml(ns, victim));
  apply_ok(e2e::workload_yaml(ns, control));

  json policy;
  ASSERT_TRUE(itest::eventually(
      [&] {
        policy = e2e::get_policy(ns, "broken");
        return e2e::condition(policy, "Valid").value("status", "") == "False";
      },
      60s))
      << policy.dump(2);
  const json valid = e2e::condition(policy, "Valid");
  const std::string message = valid.value("message", "");
  EXPECT_NE(message.find("spec.rollout.blackoutWindows[0].timeZone"), std::string::npos) << message;
  EXPECT_NE(message.find("Mars/Olympus_Mons"), std::string::npos) << message;
  EXPECT_EQ(e2e::status_of(policy).value("observedGeneration", -1),
            policy["metadata"].value("generation", -2));

  // The control workload in the same namespace is reconciled and sampled;
  // by then the victim would have had its Rightsizing long ago.
  ASSERT_TRUE(wait_phase("deployment-control", "Recommended", 120s));
  EXPECT_EQ(rightsizing_names(), std::vector<std::string>{"deployment-control"});
  EXPECT_EQ(e2e::condition(e2e::get_policy(ns, "good"), "Valid").value("status", ""), "True");
}

TEST_F(Lifecycle, OfTwoOperatorsOneWritesAndTheOtherTakesOverWithinTheLeaseDuration) {
  const std::string ns = ns_.name();
  e2e::OperatorOptions options;
  options.lease_duration = "6s";
  options.renew_deadline = "4s";
  options.retry_period = "1s";
  options.name = "operator-a";
  e2e::OperatorProcess& a = start_operator(options);
  ASSERT_TRUE(itest::eventually([&] { return a.leading(); }, 20s)) << a.log_tail();
  options.lease_id = a.lease_id();
  options.name = "operator-b";
  e2e::OperatorProcess& b = start_operator(options);

  apply_ok(e2e::policy_yaml(ns, "trading", "10s"));
  for (const std::string name : {"one", "two"}) {
    e2e::WorkloadSpec w;
    w.name = name;
    w.policy = "trading";
    w.cpu_request = "2";
    apply_ok(e2e::workload_yaml(ns, w));
  }
  for (const std::string name : {"deployment-one", "deployment-two"})
    ASSERT_TRUE(wait_phase(name, "Recommended", 150s)) << name;

  EXPECT_FALSE(b.leading());
  EXPECT_GT(e2e::write_requests(a.metrics()), 0) << a.metrics_text();
  EXPECT_EQ(e2e::write_requests(b.metrics()), 0) << b.metrics_text();
  // The follower reads (its caches are warm for a takeover).
  EXPECT_GT(e2e::metric_sum(b.metrics(), "rightsizer_api_requests_total", {{"verb", "LIST"}}), 0);

  const auto killed = Clock::now();
  a.kill();
  ASSERT_TRUE(itest::eventually([&] { return b.leading(); }, 30s, 100ms)) << b.log_tail();
  const auto takeover =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed);
  // The Lease expires 6 s after its last renewal; the follower looks every
  // 1 s (client-go's jitter: up to 2.2 s).
  EXPECT_LE(takeover, 6s + 2200ms + 1s) << "took over after " << takeover.count() << " ms";
  std::cout << "the follower took over " << takeover.count() << " ms after the leader's SIGKILL\n";

  // The new leader writes: a third workload gets its Rightsizing.
  e2e::WorkloadSpec three;
  three.name = "three";
  three.policy = "trading";
  three.cpu_request = "2";
  apply_ok(e2e::workload_yaml(ns, three));
  EXPECT_TRUE(wait_rightsizing("deployment-three", 60s, [](const json&) { return true; }));
  EXPECT_GT(e2e::metric_sum(b.metrics(), "rightsizer_api_requests_total", {{"verb", "POST"}}), 0)
      << b.metrics_text();
}

}  // namespace
