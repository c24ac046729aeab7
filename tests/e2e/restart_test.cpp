// A restart of the operator (SIGTERM, which releases the Lease, then a new
// process) continues from the checkpoint in the Rightsizing's status: the
// sample count goes on, the observation start stays, and the phase never
// falls back to Observing.
#include <gtest/gtest.h>

#include <iostream>

#include "policies/usage_checkpoint.h"
#include "support/scenario.h"

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class Restart : public e2e::Scenario {};

json usage_of(const json& rsz) {
  return e2e::status_container(rsz, "main").value("usage", json::object());
}

std::int64_t samples_of(const json& rsz) {
  return usage_of(rsz).value("samples", 0);
}

std::string phase_of(const json& rsz) {
  return rsz.value("status", json::object()).value("phase", "");
}

TEST_F(Restart, ContinuesFromTheCheckpoint) {
  const std::string ns = ns_.name();
  // 40 s of observation: a restart that lost the checkpoint would be back
  // in Observing for most of a minute.
  apply_ok(e2e::policy_yaml(ns, "trading", "40s"));
  e2e::WorkloadSpec w;
  w.name = "engine";
  w.policy = "trading";
  w.usage_cpu = "700m";
  apply_ok(e2e::workload_yaml(ns, w));
  e2e::OperatorOptions options;
  e2e::OperatorProcess& first = start_operator(options);
  json rsz;
  ASSERT_TRUE(wait_rightsizing(
      "deployment-engine", 150s,
      [](const json& r) {
        return phase_of(r) == "Recommended" &&
               !e2e::status_container(r, "main").value("checkpoint", "").empty();
      },
      &rsz))
      << rsz.dump(2);
  // SIGTERM: finishes what is in flight, releases the Lease, exits 0.
  EXPECT_EQ(first.terminate(30s), std::optional<int>(0)) << first.log_tail();
  rsz = e2e::get_rightsizing(ns, "deployment-engine");
  const std::int64_t samples_at_stop = samples_of(rsz);
  const std::string observed_since = usage_of(rsz).value("observedSince", "");
  ASSERT_FALSE(observed_since.empty()) << rsz.dump(2);
  const auto checkpoint =
      policies::decode_checkpoint_text(e2e::status_container(rsz, "main").value("checkpoint", ""));
  ASSERT_TRUE(static_cast<bool>(checkpoint)) << rsz.dump(2);
  const std::int64_t checkpointed = checkpoint->samples();
  ASSERT_GE(checkpointed, 4) << "too little learnt for the test to tell a reset";

  options.lease_id = first.lease_id();
  e2e::OperatorProcess& second = start_operator(options);
  // The Lease was released: no waiting for the 15 s lease duration.
  EXPECT_TRUE(itest::eventually([&] { return second.leading(); }, 8s));
  // Every state seen until the new process has written usage again: never
  // back to Observing, and the count goes on from the checkpoint.
  std::vector<std::string> seen;
  const bool written = wait_rightsizing(
      "deployment-engine", 90s,
      [&](const json& r) {
        seen.push_back(phase_of(r) + "/" + std::to_string(samples_of(r)));
        EXPECT_EQ(phase_of(r), "Recommended") << r.dump(2);
        return samples_of(r) != samples_at_stop;
      },
      &rsz);
  std::string trail;
  for (const auto& s : seen) trail += " " + s;
  ASSERT_TRUE(written) << "no new samples after the restart; seen:" << trail << "\n" << rsz.dump(2);
  EXPECT_GT(samples_of(rsz), checkpointed)
      << "samples restarted from scratch: at stop " << samples_at_stop << ", checkpoint "
      << checkpointed << ", after restart " << samples_of(rsz) << "; seen:" << trail;
  std::cout << "samples: " << samples_at_stop << " at the stop, " << checkpointed
            << " in the checkpoint, " << samples_of(rsz) << " first written after the restart\n";
  // Observed since the first process's first sample, not since the restart.
  EXPECT_EQ(usage_of(rsz).value("observedSince", ""), observed_since);
}

}  // namespace
