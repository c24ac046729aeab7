#include "k8s/leader_election.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_api.h"
#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"

namespace k8s {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

using unit::status_body;

// One Lease held the way the API server holds it: optimistic concurrency on
// resourceVersion. `down` makes every request fail with 503.
class FakeLeaseServer {
 public:
  Result<HttpResponse> handle(const Request& req) {
    std::lock_guard lock(mu_);
    if (down) return HttpResponse{503, {}, status_body(503, "ServiceUnavailable")};
    if (req.method == Method::Get) {
      if (lease_.is_null()) return HttpResponse{404, {}, status_body(404, "NotFound")};
      return HttpResponse{200, {}, lease_.dump()};
    }
    ++writes;
    auto body = json::parse(req.body);
    if (req.method == Method::Post) {
      if (!lease_.is_null()) return HttpResponse{409, {}, status_body(409, "AlreadyExists")};
    } else if (body["metadata"]["resourceVersion"] != lease_["metadata"]["resourceVersion"]) {
      return HttpResponse{409, {}, status_body(409, "Conflict")};
    }
    body["metadata"]["resourceVersion"] = std::to_string(++rv_);
    lease_ = body;
    return HttpResponse{200, {}, lease_.dump()};
  }
  json lease() {
    std::lock_guard lock(mu_);
    return lease_;
  }
  bool down = false;
  int writes = 0;

 private:
  std::mutex mu_;
  json lease_;
  int rv_ = 0;
};

class LeaderElectionTest : public ::testing::Test {
 protected:
  struct Candidate {
    std::shared_ptr<testing::FakeTransport> transport = std::make_shared<testing::FakeTransport>();
    std::unique_ptr<ApiClient> client;
    std::unique_ptr<LeaderElector> elector;
    int started = 0;
    int stopped = 0;
    std::vector<std::string> leaders_seen;
  };

  std::unique_ptr<Candidate> candidate(const std::string& id) {
    auto c = std::make_unique<Candidate>();
    c->transport->set_handler([this](const Request& r) { return server_.handle(r); });
    ClientOptions opts;
    opts.qps = 0;
    opts.max_attempts = 1;
    c->client = std::make_unique<ApiClient>(c->transport, nullptr, clock_, random_, opts);
    LeaderElectionConfig cfg{"kube-system", "rightsizer", id};
    auto* raw = c.get();
    auto e =
        LeaderElector::create(*c->client, cfg,
                              {[raw] { raw->started++; }, [raw] { raw->stopped++; },
                               [raw](const std::string& l) { raw->leaders_seen.push_back(l); }});
    EXPECT_TRUE(e);
    c->elector = std::move(*e);
    return c;
  }

  testing::FakeClock clock_;
  testing::FixedRandom random_{0.0};
  FakeLeaseServer server_;
};

TEST(LeaderElectionConfigTest, ValidatesDurations) {
  LeaderElectionConfig ok{"ns", "l", "me"};
  EXPECT_TRUE(validate(ok));
  auto bad = ok;
  bad.renew_deadline = bad.lease_duration;
  EXPECT_FALSE(validate(bad));
  bad = ok;
  bad.retry_period = milliseconds(8400);  // 1.2 × 8.4 s > 10 s
  EXPECT_FALSE(validate(bad));
  bad = ok;
  bad.identity.clear();
  EXPECT_FALSE(validate(bad));
  bad = ok;
  bad.retry_period = milliseconds(0);
  EXPECT_FALSE(validate(bad));
}

TEST_F(LeaderElectionTest, FirstCandidateCreatesTheLeaseSecondWaits) {
  auto a = candidate("a");
  auto b = candidate("b");
  EXPECT_TRUE(a->elector->try_acquire_or_renew());
  EXPECT_FALSE(b->elector->try_acquire_or_renew());
  EXPECT_THAT(b->leaders_seen, ::testing::ElementsAre("a"));
  auto spec = server_.lease()["spec"];
  EXPECT_EQ(spec["holderIdentity"], "a");
  EXPECT_EQ(spec["leaseDurationSeconds"], 15);
  EXPECT_EQ(spec["renewTime"].get<std::string>().size(),
            std::string("2023-11-14T22:13:20.000000Z").size());
}

TEST_F(LeaderElectionTest, TakesOverOnlyAfterLeaseDurationWithoutRenewal) {
  auto a = candidate("a");
  auto b = candidate("b");
  ASSERT_TRUE(a->elector->try_acquire_or_renew());
  ASSERT_FALSE(b->elector->try_acquire_or_renew());  // b observes the record now
  clock_.advance(seconds(14));
  EXPECT_FALSE(b->elector->try_acquire_or_renew());
  clock_.advance(seconds(1));
  EXPECT_TRUE(b->elector->try_acquire_or_renew());
  auto spec = server_.lease()["spec"];
  EXPECT_EQ(spec["holderIdentity"], "b");
  EXPECT_EQ(spec["leaseTransitions"], 1);
}

TEST_F(LeaderElectionTest, RenewalsKeepTheLease) {
  auto a = candidate("a");
  auto b = candidate("b");
  ASSERT_TRUE(a->elector->try_acquire_or_renew());
  for (int i = 0; i < 20; ++i) {
    clock_.advance(seconds(2));
    ASSERT_TRUE(a->elector->try_acquire_or_renew());
    ASSERT_FALSE(b->elector->try_acquire_or_renew());
  }
}

TEST_F(LeaderElectionTest, LossIsReportedAtTheRenewDeadlineBeforeAnyFurtherWrite) {
  auto a = candidate("a");
  auto start = clock_.now();
  int writes_at_loss = -1;
  bool leader_at_loss = true;
  a->transport->set_handler([&](const Request& r) {
    // The API server becomes unreachable right after the lease was taken.
    if (a->started > 0) server_.down = true;
    return server_.handle(r);
  });
  LeaderElectionConfig cfg{"kube-system", "rightsizer", "a"};
  auto elector = LeaderElector::create(*a->client, cfg,
                                       {[&] { a->started++; },
                                        [&] {
                                          writes_at_loss = server_.writes;
                                          leader_at_loss = false;
                                          EXPECT_EQ(clock_.now() - start, seconds(10));
                                        },
                                        nullptr});
  ASSERT_TRUE(elector);
  (*elector)->run(std::stop_token{});  // returns on loss
  EXPECT_FALSE(leader_at_loss);
  EXPECT_EQ(a->started, 1);
  EXPECT_EQ(writes_at_loss, 1);  // only the create
  EXPECT_EQ(clock_.now() - start, seconds(10));
  EXPECT_FALSE((*elector)->is_leader());
}

TEST_F(LeaderElectionTest, IsLeaderHoldsUntilTheDeadlineThenTurnsFalseWithoutTheLoop) {
  auto a = candidate("a");
  std::vector<std::pair<long, bool>> seen;  // (seconds since start, is_leader) at each request
  auto start = clock_.now();
  LeaderElector* elector = a->elector.get();
  a->transport->set_handler([&](const Request& r) {
    if (a->started > 0) {
      server_.down = true;
      seen.emplace_back(std::chrono::duration_cast<seconds>(clock_.now() - start).count(),
                        elector->is_leader());
    }
    return server_.handle(r);
  });
  a->elector->run(std::stop_token{});
  EXPECT_THAT(
      seen, ::testing::ElementsAre(std::pair<long, bool>{2, true}, std::pair<long, bool>{4, true},
                                   std::pair<long, bool>{6, true}, std::pair<long, bool>{8, true}));
  EXPECT_EQ(a->stopped, 1);
}

TEST_F(LeaderElectionTest, CleanStopReleasesTheLease) {
  auto a = candidate("a");
  std::stop_source stop;
  int renewals = 0;
  a->transport->set_handler([&](const Request& r) {
    if (r.method == Method::Put && ++renewals == 3) stop.request_stop();
    return server_.handle(r);
  });
  a->elector->run(stop.get_token());
  EXPECT_EQ(a->started, 1);
  EXPECT_EQ(a->stopped, 1);
  EXPECT_FALSE(a->elector->is_leader());
  EXPECT_EQ(server_.lease()["spec"]["holderIdentity"], "");
  auto b = candidate("b");
  EXPECT_TRUE(b->elector->try_acquire_or_renew());  // no need to wait for expiry
}

TEST_F(LeaderElectionTest, CampaignRetriesEveryRetryPeriod) {
  auto a = candidate("a");
  ASSERT_TRUE(a->elector->try_acquire_or_renew());
  auto b = candidate("b");
  std::stop_source stop;
  b->transport->set_handler([&](const Request& r) {
    if (b->started > 0) stop.request_stop();
    return server_.handle(r);
  });
  auto start = clock_.now();
  b->elector->run(stop.get_token());
  EXPECT_EQ(b->started, 1);
  // b saw the record at t=0, took over at the first retry at or after 15 s
  // (16 s), and was stopped at its first renewal (18 s).
  EXPECT_EQ(clock_.now() - start, seconds(18));
  EXPECT_EQ(server_.lease()["spec"]["holderIdentity"], "");  // released on stop
}

}  // namespace
}  // namespace k8s
