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

  std::unique_ptr<Candidate> candidate(const std::string& id, ClientOptions opts = single()) {
    auto c = std::make_unique<Candidate>();
    c->transport->set_handler([this](const Request& r) { return server_.handle(r); });
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

  static ClientOptions single() {
    ClientOptions opts;
    opts.qps = 0;
    opts.max_attempts = 1;
    return opts;
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
  bad = ok;
  bad.lease_duration = milliseconds(15'500);  // published as whole seconds: would be 15
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

// The server stays up and would accept the renewal, but the GET before it
// returns only after the renew deadline: the leader must report the loss and
// not write the lease again (its term ended while it was reading).
TEST_F(LeaderElectionTest, LossIsReportedAtTheRenewDeadlineBeforeAnyFurtherWrite) {
  auto a = candidate("a");
  int writes_at_loss = -1;
  bool leader_at_loss = true;
  a->transport->set_handler([&](const Request& r) {
    if (a->started > 0 && r.method == Method::Get) clock_.advance(seconds(11));
    return server_.handle(r);
  });
  LeaderElectionConfig cfg{"kube-system", "rightsizer", "a"};
  LeaderElector* self = nullptr;
  auto elector = LeaderElector::create(*a->client, cfg,
                                       {[&] { a->started++; },
                                        [&] {
                                          writes_at_loss = server_.writes;
                                          leader_at_loss = self->is_leader();
                                        },
                                        nullptr});
  ASSERT_TRUE(elector);
  self = elector->get();
  (*elector)->run(std::stop_token{});  // returns on loss
  EXPECT_EQ(a->started, 1);
  EXPECT_FALSE(leader_at_loss);
  EXPECT_EQ(writes_at_loss, 1);  // only the create
  EXPECT_EQ(server_.writes, 1);
  EXPECT_FALSE((*elector)->is_leader());
}

// Retries of a failing renewal stop at the renew deadline, and the loss is
// reported there, not after a retry sleep that ran past it.
TEST_F(LeaderElectionTest, RenewalRetriesAreBoundedByTheRenewDeadline) {
  ClientOptions opts = single();
  opts.max_attempts = 5;
  auto a = candidate("a", opts);
  auto start = clock_.now();
  std::chrono::nanoseconds lost_after{0};
  a->transport->set_handler([&](const Request& r) {
    if (a->started > 0) server_.down = true;
    return server_.handle(r);
  });
  LeaderElectionConfig cfg{"kube-system", "rightsizer", "a"};
  auto elector = LeaderElector::create(
      *a->client, cfg,
      {[&] { a->started++; }, [&] { lost_after = clock_.now() - start; }, nullptr});
  ASSERT_TRUE(elector);
  (*elector)->run(std::stop_token{});
  EXPECT_EQ(lost_after, seconds(10));
}

// is_leader() is measured against the renew deadline (10 s), not the lease
// duration (15 s): between the two another candidate may already lead.
TEST_F(LeaderElectionTest, IsLeaderEndsAtTheRenewDeadlineNotTheLeaseDuration) {
  auto a = candidate("a");
  std::vector<bool> seen;
  LeaderElectionConfig cfg{"kube-system", "rightsizer", "a"};
  LeaderElector* self = nullptr;
  auto elector = LeaderElector::create(*a->client, cfg,
                                       {[&] {
                                          server_.down = true;
                                          clock_.advance(milliseconds(9'999));
                                          seen.push_back(self->is_leader());
                                          clock_.advance(milliseconds(1));
                                          seen.push_back(self->is_leader());
                                        },
                                        nullptr, nullptr});
  ASSERT_TRUE(elector);
  self = elector->get();
  (*elector)->run(std::stop_token{});
  EXPECT_THAT(seen, ::testing::ElementsAre(true, false));
}

// A renewal that finds another holder ends leadership at once, not at the
// renew deadline.
TEST_F(LeaderElectionTest, IsLeaderTurnsFalseAsSoonAsAnotherHolderIsObserved) {
  auto a = candidate("a");
  auto start = clock_.now();
  std::vector<bool> leader_when_seen;
  std::chrono::nanoseconds lost_after{0};
  a->transport->set_handler([&](const Request& r) {
    if (a->started > 0 && r.method == Method::Get) {
      // Someone else wrote the lease (a partition healed, a forced takeover).
      auto lease = server_.lease();
      lease["spec"]["holderIdentity"] = "b";
      return Result<HttpResponse>(HttpResponse{200, {}, lease.dump()});
    }
    return server_.handle(r);
  });
  LeaderElectionConfig cfg{"kube-system", "rightsizer", "a"};
  LeaderElector* self = nullptr;
  auto elector = LeaderElector::create(
      *a->client, cfg,
      {[&] { a->started++; }, [&] { lost_after = clock_.now() - start; },
       [&](const std::string&) { leader_when_seen.push_back(self->is_leader()); }});
  ASSERT_TRUE(elector);
  self = elector->get();
  (*elector)->run(std::stop_token{});
  EXPECT_THAT(leader_when_seen, ::testing::ElementsAre(false));
  EXPECT_EQ(lost_after, seconds(2));  // the first renewal, not the deadline (10 s)
  EXPECT_FALSE((*elector)->is_leader());
  EXPECT_EQ(server_.writes, 1);
}

// A GET that takes 20 s returns a lease that its holder renewed meanwhile:
// the record is as fresh as the end of the read. Dated to the start of the
// GET it would look 20 s old and b would take over a live leader's lease.
TEST_F(LeaderElectionTest, SlowGetDoesNotMakeAFreshLeaseLookStale) {
  auto a = candidate("a");
  auto b = candidate("b");
  ASSERT_TRUE(a->elector->try_acquire_or_renew());
  ASSERT_FALSE(b->elector->try_acquire_or_renew());
  bool slow = true;
  b->transport->set_handler([&](const Request& r) {
    if (slow && r.method == Method::Get) {
      slow = false;
      clock_.advance(seconds(20));
      EXPECT_TRUE(a->elector->try_acquire_or_renew());  // renewed just before the answer
    }
    return server_.handle(r);
  });
  EXPECT_FALSE(b->elector->try_acquire_or_renew());
  clock_.advance(seconds(2));
  EXPECT_FALSE(b->elector->try_acquire_or_renew());
  EXPECT_EQ(server_.lease()["spec"]["holderIdentity"], "a");
}

// Requests of the shared client use up its limiter; the elector's renewals
// do not wait behind them.
TEST_F(LeaderElectionTest, ElectorHasARequestBudgetOfItsOwn) {
  ClientOptions opts = single();
  opts.qps = 1;
  opts.burst = 1;
  auto a = candidate("a", opts);
  ASSERT_FALSE(a->client->get({resources::configmaps(), "ns", "x", ""}));  // takes the one token
  clock_.clear_sleeps();
  EXPECT_TRUE(a->elector->try_acquire_or_renew());  // a GET and a create
  EXPECT_TRUE(clock_.sleeps().empty());
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

// The work the lease guards stops before the lease is handed over: when
// on_stopped_leading runs, the server still names us (no release sent yet)
// and is_leader() is already false.
TEST_F(LeaderElectionTest, CleanStopRunsOnStoppedLeadingBeforeTheRelease) {
  auto transport = std::make_shared<testing::FakeTransport>();
  transport->set_handler([this](const Request& r) { return server_.handle(r); });
  ApiClient client(transport, nullptr, clock_, random_, single());
  std::stop_source stop;
  std::string holder_at_stop;
  int writes_at_stop = -1;
  bool leader_at_stop = true;
  std::unique_ptr<LeaderElector> elector;
  auto created = LeaderElector::create(
      client, {"kube-system", "rightsizer", "a"},
      {[&] { stop.request_stop(); },
       [&] {
         holder_at_stop = server_.lease()["spec"]["holderIdentity"].get<std::string>();
         writes_at_stop = server_.writes;
         leader_at_stop = elector->is_leader();
       },
       nullptr});
  ASSERT_TRUE(created);
  elector = std::move(*created);
  elector->run(stop.get_token());
  EXPECT_EQ(holder_at_stop, "a");
  EXPECT_EQ(writes_at_stop, 1);  // the create; the release comes after
  EXPECT_FALSE(leader_at_stop);
  EXPECT_EQ(server_.lease()["spec"]["holderIdentity"], "");  // then released
  EXPECT_EQ(server_.writes, 2);
}

// A stop while leading, against a server that has stopped answering: the
// release has a short budget of its own (min(retry period, 2 s)), not the rest
// of the renew deadline. Real time: the fake transport waits out timeouts.
TEST_F(LeaderElectionTest, ElectorStopReturnsPromptlyWhileLeading) {
  auto transport = std::make_shared<testing::FakeTransport>();
  transport->hang_when_unscripted();
  std::stop_source stop;
  transport->set_handler([&](const Request& r) {
    auto resp = server_.handle(r);
    if (r.method == Method::Put) {  // the first renewal: from now on, silence
      transport->set_handler(nullptr);
      stop.request_stop();
    }
    return resp;
  });
  ApiClient client(transport, nullptr, clock_, random_, single());
  LeaderElectionConfig cfg{"kube-system", "rightsizer", "a"};
  cfg.retry_period = milliseconds(100);
  int stopped = 0;
  auto elector = LeaderElector::create(client, cfg, {nullptr, [&] { stopped++; }, nullptr});
  ASSERT_TRUE(elector);
  auto started = std::chrono::steady_clock::now();
  (*elector)->run(stop.get_token());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_EQ(stopped, 1);
  EXPECT_EQ(server_.lease()["spec"]["holderIdentity"], "a");  // the release never arrived
  EXPECT_EQ(transport->hanging(), 0);
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
