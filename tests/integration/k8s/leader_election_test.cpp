// Two candidates against the real API server: exactly one leads, and when
// the leader dies without releasing, the other leads within lease + retry.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "connected_client.h"
#include "k8s/leader_election.h"

namespace k8s {
namespace {

using namespace itest_support;
using std::chrono::milliseconds;

struct Candidate {
  std::unique_ptr<ConnectedClient> client;
  std::unique_ptr<LeaderElector> elector;
  std::jthread thread;
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::atomic<std::int64_t> started_at_ms{0};
};

LeaderElectionConfig config(const std::string& ns, const std::string& id) {
  LeaderElectionConfig cfg{ns, "k8s-itest", id};
  cfg.lease_duration = milliseconds(4000);
  cfg.renew_deadline = milliseconds(3000);
  cfg.retry_period = milliseconds(1000);
  cfg.release_on_stop = false;  // a killed process releases nothing
  return cfg;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<Candidate> start(const std::string& ns, const std::string& id) {
  auto c = std::make_unique<Candidate>();
  c->client = admin_client();
  auto* raw = c.get();
  auto e = LeaderElector::create(*c->client->api, config(ns, id),
                                 {[raw] {
                                    raw->started_at_ms = now_ms();
                                    raw->started++;
                                  },
                                  [raw] { raw->stopped++; }, nullptr});
  EXPECT_TRUE(e) << e.error().describe();
  c->elector = std::move(*e);
  c->thread = std::jthread([raw](std::stop_token stop) { raw->elector->run(stop); });
  return c;
}

TEST(K8sLeaderElection, ExactlyOneLeaderAndTakeoverAfterTheLeaderDies) {
  itest::TestNamespace ns("k8s-lease");
  auto a = start(ns.name(), "candidate-a");
  auto b = start(ns.name(), "candidate-b");
  ASSERT_TRUE(itest::eventually([&] { return a->elector->is_leader() || b->elector->is_leader(); },
                                std::chrono::seconds(30), milliseconds(50)));
  // Over a few lease periods, never two leaders at once.
  for (int i = 0; i < 100; ++i) {
    ASSERT_FALSE(a->elector->is_leader() && b->elector->is_leader());
    std::this_thread::sleep_for(milliseconds(50));
  }
  Candidate& leader = a->elector->is_leader() ? *a : *b;
  Candidate& other = &leader == a.get() ? *b : *a;
  EXPECT_EQ(other.started.load(), 0);

  auto killed_at = now_ms();
  leader.thread.request_stop();  // no more renewals, no release
  leader.thread.join();
  ASSERT_TRUE(itest::eventually([&] { return other.elector->is_leader(); },
                                std::chrono::seconds(30), milliseconds(50)));
  auto takeover = other.started_at_ms.load() - killed_at;
  // lease duration + retry period, plus the retry jitter (20 %) and request time.
  EXPECT_LE(takeover, 4000 + 1000 + 200 + 500) << "took " << takeover << " ms";
  auto lease = other.client->api->get({resources::leases(), ns.name(), "k8s-itest", ""});
  ASSERT_TRUE(lease);
  EXPECT_EQ(parse_lease_record(*lease).holder, &other == a.get() ? "candidate-a" : "candidate-b");
  EXPECT_GE(parse_lease_record(*lease).transitions, 1);
}

}  // namespace
}  // namespace k8s
