// Two candidates against the real API server: when the leader dies without
// releasing, the other leads within lease + retry; and a slow read never
// makes two leaders.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "connected_client.h"
#include "k8s/leader_election.h"

namespace k8s {
namespace {

using namespace itest_support;
using std::chrono::milliseconds;

// In front of one candidate's transport: holds its next GET (after
// hold_next_get is set) for 3.5 s, running `during_hold` 2 s in, and cuts the
// candidate off (every request fails) after its next successful write once
// cut_after_next_write is set — a partition that leaves it believing it leads
// until its renew deadline.
class FaultProxy final : public Transport {
 public:
  explicit FaultProxy(std::shared_ptr<Transport> inner) : inner_(std::move(inner)) {}
  Result<HttpResponse> send(const Request& req, const Credentials& creds) override {
    if (cut.load()) return make_error(ErrorKind::Transport, "partitioned by the test");
    if (req.method == Method::Get && hold_next_get.exchange(false)) {
      std::this_thread::sleep_for(milliseconds(2000));
      if (during_hold) during_hold();
      std::this_thread::sleep_for(milliseconds(1500));
    }
    auto r = inner_->send(req, creds);
    if (r && req.method == Method::Put && cut_after_next_write.exchange(false)) cut.store(true);
    return r;
  }
  Result<StreamedResponse> stream(const Request& req, const Credentials& creds) override {
    return inner_->stream(req, creds);
  }

  std::atomic<bool> hold_next_get{false};
  std::atomic<bool> cut_after_next_write{false};
  std::atomic<bool> cut{false};
  std::function<void()> during_hold;  // set before hold_next_get

 private:
  std::shared_ptr<Transport> inner_;
};

struct Candidate {
  std::unique_ptr<ConnectedClient> client;
  std::shared_ptr<FaultProxy> proxy;
  std::unique_ptr<LeaderElector> elector;
  std::jthread thread;
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::atomic<int> leaders_seen{0};
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
  auto cfg = admin_config();
  auto plain = make_https_transport(cfg);
  EXPECT_TRUE(plain);
  c->proxy = std::make_shared<FaultProxy>(*plain);
  c->client = connect(cfg, {}, c->proxy);
  auto* raw = c.get();
  auto e = LeaderElector::create(
      *c->client->api, config(ns, id),
      {[raw] {
         raw->started_at_ms = now_ms();
         raw->started++;
       },
       [raw] { raw->stopped++; }, [raw](const std::string&) { raw->leaders_seen++; }});
  EXPECT_TRUE(e) << e.error().describe();
  c->elector = std::move(*e);
  c->thread = std::jthread([raw](std::stop_token stop) { raw->elector->run(stop); });
  return c;
}

TEST(K8sLeaderElection, TakeoverWithinLeaseAndRetryAfterTheLeaderDies) {
  itest::TestNamespace ns("k8s-lease");
  auto a = start(ns.name(), "candidate-a");
  auto b = start(ns.name(), "candidate-b");
  ASSERT_TRUE(itest::eventually([&] { return a->elector->is_leader() || b->elector->is_leader(); },
                                std::chrono::seconds(30), milliseconds(50)));
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

// b's GET is held 3.5 s; 2 s in, a renews once more and is then cut off, so
// the GET returns a lease renewed about a second before. Dating that record
// to the start of the GET made it look 3.5 s older than it was: b took over
// while a, cut off but within its renew deadline, still led. Both candidates'
// is_leader() are sampled every 2 ms until b leads.
TEST(K8sLeaderElection, NeverTwoLeadersWhenOneCandidatesReadIsSlow) {
  itest::TestNamespace ns("k8s-lease-slow");
  auto a = start(ns.name(), "candidate-a");
  ASSERT_TRUE(itest::eventually([&] { return a->elector->is_leader(); }, std::chrono::seconds(30),
                                milliseconds(20)));
  auto b = start(ns.name(), "candidate-b");
  ASSERT_TRUE(itest::eventually([&] { return b->leaders_seen.load() > 0; },
                                std::chrono::seconds(30), milliseconds(20)));
  b->proxy->during_hold = [&] { a->proxy->cut_after_next_write.store(true); };
  b->proxy->hold_next_get.store(true);
  int both = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!b->elector->is_leader() && std::chrono::steady_clock::now() < deadline) {
    if (a->elector->is_leader() && b->elector->is_leader()) ++both;
    std::this_thread::sleep_for(milliseconds(2));
  }
  EXPECT_TRUE(a->proxy->cut.load()) << "the test did not cut a off";
  ASSERT_TRUE(b->elector->is_leader()) << "b never took over";
  for (int i = 0; i < 1000 && a->elector->is_leader(); ++i) {
    ++both;
    std::this_thread::sleep_for(milliseconds(2));
  }
  EXPECT_EQ(both, 0) << "two leaders for about " << 2 * both << " ms";
}

}  // namespace
}  // namespace k8s
