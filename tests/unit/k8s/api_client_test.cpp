#include "k8s/api_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_api.h"
#include "k8s/conflict_retry.h"
#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"
#include "temp_dir.h"

namespace k8s {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

using unit::status_body;

class ApiClientTest : public ::testing::Test {
 protected:
  ApiClient make(ClientOptions opts = {}, std::shared_ptr<TokenProvider> tokens = nullptr) {
    opts.qps = opts.qps == ClientOptions{}.qps ? 0 : opts.qps;  // unlimited unless asked
    return ApiClient(transport_, std::move(tokens), clock_, random_, opts);
  }
  std::shared_ptr<testing::FakeTransport> transport_ = std::make_shared<testing::FakeTransport>();
  testing::FakeClock clock_;
  testing::FixedRandom random_;
  ObjectRef cm_{resources::configmaps(), "ns", "cm", ""};
  ObjectRef cms_{resources::configmaps(), "ns", "", ""};
};

TEST_F(ApiClientTest, GetReturnsObject) {
  transport_->push(200, R"({"metadata":{"name":"cm"}})");
  auto client = make();
  auto obj = client.get(cm_);
  ASSERT_TRUE(obj);
  EXPECT_EQ((*obj)["metadata"]["name"], "cm");
  EXPECT_EQ(transport_->requests().at(0).request.target(), "/api/v1/namespaces/ns/configmaps/cm");
}

TEST_F(ApiClientTest, NotFoundIsAValueAndNotRetried) {
  transport_->push(404, status_body(404, "NotFound"));
  auto client = make();
  auto obj = client.get(cm_);
  ASSERT_FALSE(obj);
  EXPECT_EQ(obj.error().kind, ErrorKind::NotFound);
  EXPECT_EQ(transport_->requests().size(), 1u);
}

TEST_F(ApiClientTest, InvalidBodyIsDecodeError) {
  transport_->push(200, "{not json");
  auto client = make();
  auto obj = client.get(cm_);
  ASSERT_FALSE(obj);
  EXPECT_EQ(obj.error().kind, ErrorKind::Decode);
}

TEST_F(ApiClientTest, ReadsAreRetriedWithGrowingJitteredBackoff) {
  transport_->push(make_error(ErrorKind::Transport, "reset"));
  transport_->push(503, status_body(503, "ServiceUnavailable"));
  transport_->push(200, "{}");
  auto client = make();
  ASSERT_TRUE(client.get(cm_));
  EXPECT_EQ(transport_->requests().size(), 3u);
  // FixedRandom 0.5 → spread 1.0: exactly 200 ms then 400 ms.
  EXPECT_THAT(clock_.sleeps(), ::testing::ElementsAre(milliseconds(200), milliseconds(400)));
}

TEST_F(ApiClientTest, RetriesAreBounded) {
  transport_->set_handler([](const Request&) -> Result<HttpResponse> {
    return HttpResponse{500, {}, status_body(500, "InternalError")};
  });
  ClientOptions opts;
  opts.max_attempts = 4;
  auto client = make(opts);
  auto r = client.get(cm_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::ServerError);
  EXPECT_EQ(transport_->requests().size(), 4u);
}

TEST_F(ApiClientTest, WriteIsRetriedOn429WithRetryAfterAsTold) {
  transport_->push(429, status_body(429, "TooManyRequests"), {{"Retry-After", "3"}});
  transport_->push(201, R"({"metadata":{"name":"cm"}})");
  auto client = make();
  ASSERT_TRUE(client.create(cms_, json{{"metadata", {{"name", "cm"}}}}));
  EXPECT_THAT(clock_.sleeps(), ::testing::ElementsAre(seconds(3)));
}

TEST_F(ApiClientTest, WriteIsNotRetriedOnPlain5xxOrTransportError) {
  transport_->push(500, status_body(500, "InternalError"));
  auto client = make();
  auto r = client.create(cms_, json::object());
  ASSERT_FALSE(r);
  EXPECT_EQ(transport_->requests().size(), 1u);
  transport_->push(make_error(ErrorKind::Transport, "reset after send"));
  EXPECT_FALSE(client.create(cms_, json::object()));
  EXPECT_EQ(transport_->requests().size(), 2u);
}

// A PUT or DELETE that failed without the server saying "throttled" may have
// been applied: a second copy could overwrite or remove what another writer
// did in between. Only a 429 with Retry-After, or a 5xx with Retry-After on a
// PUT guarded by its resourceVersion, is resent.
TEST_F(ApiClientTest, PutAndDeleteAreNotRetriedUnlessTheServerSaidThrottled) {
  auto client = make();
  auto cm = json{{"metadata", {{"name", "cm"}, {"resourceVersion", "3"}}}};
  transport_->push(500, status_body(500, "InternalError"));
  EXPECT_FALSE(client.replace(cm_, cm));
  transport_->push(make_error(ErrorKind::Timeout, "read timed out"));
  EXPECT_FALSE(client.replace(cm_, cm));
  transport_->push(503, status_body(503, "ServiceUnavailable"));
  EXPECT_FALSE(client.remove(cm_));
  transport_->push(make_error(ErrorKind::Transport, "reset after send"));
  EXPECT_FALSE(client.remove(cm_));
  EXPECT_EQ(transport_->requests().size(), 4u);
  EXPECT_TRUE(clock_.sleeps().empty());
  transport_->push(429, status_body(429, "TooManyRequests"), {{"Retry-After", "1"}});
  transport_->push(200, "{}");
  EXPECT_TRUE(client.replace(cm_, cm));
  EXPECT_EQ(transport_->requests().size(), 6u);
}

// A 5xx even with Retry-After: a replay of an applied PATCH/POST would apply
// it twice, so only a PUT guarded by its resourceVersion is resent.
TEST_F(ApiClientTest, OnlyAGuardedPutIsRetriedOn503WithRetryAfter) {
  auto client = make();
  transport_->push(503, status_body(503, "ServiceUnavailable"), {{"Retry-After", "1"}});
  auto patched = client.patch(cm_, PatchType::Merge, json{{"data", {{"a", "b"}}}});
  ASSERT_FALSE(patched);
  EXPECT_TRUE(patched.error().may_have_applied);
  EXPECT_EQ(transport_->requests().size(), 1u);
  transport_->push(503, status_body(503, "ServiceUnavailable"), {{"Retry-After", "1"}});
  transport_->push(200, "{}");
  EXPECT_TRUE(client.replace(cm_, json{{"metadata", {{"name", "cm"}, {"resourceVersion", "3"}}}}));
  EXPECT_EQ(transport_->requests().size(), 3u);
}

// A write answered 5xx may have been applied: the error says so, and it is
// sent exactly once.
TEST_F(ApiClientTest, WriteAnswered504MayHaveBeenAppliedAndIsSentOnce) {
  auto client = make();
  transport_->push(504, status_body(504, "Timeout"));
  auto replaced =
      client.replace(cm_, json{{"metadata", {{"name", "cm"}, {"resourceVersion", "3"}}}});
  ASSERT_FALSE(replaced);
  EXPECT_TRUE(replaced.error().may_have_applied) << replaced.error().describe();
  EXPECT_EQ(transport_->requests().size(), 1u);
  transport_->push(504, status_body(504, "Timeout"));
  auto created = client.create(cms_, json{{"metadata", {{"name", "cm"}}}});
  ASSERT_FALSE(created);
  EXPECT_TRUE(created.error().may_have_applied) << created.error().describe();
  EXPECT_EQ(transport_->requests().size(), 2u);
  ClientOptions once;
  once.max_attempts = 1;
  auto reader = make(once);
  transport_->push(504, status_body(504, "Timeout"));
  auto read = reader.get(cm_);
  ASSERT_FALSE(read);
  EXPECT_FALSE(read.error().may_have_applied);
}

// client-go's checkWait: a 429 is waited out and resent only when the server
// said how long; without Retry-After the write fails at once.
TEST_F(ApiClientTest, PutIsNotRetriedOn429WithoutRetryAfter) {
  auto client = make();
  transport_->push(429, status_body(429, "TooManyRequests"));
  transport_->push(200, "{}");
  auto r = client.replace(cm_, json{{"metadata", {{"name", "cm"}, {"resourceVersion", "3"}}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::TooManyRequests);
  EXPECT_EQ(transport_->requests().size(), 1u);
}

TEST_F(ApiClientTest, RetryAfterIsCapped) {
  transport_->push(429, status_body(429, "TooManyRequests"), {{"Retry-After", "3600"}});
  transport_->push(200, "{}");
  auto client = make();
  ASSERT_TRUE(client.get(cm_));
  EXPECT_THAT(clock_.sleeps(), ::testing::ElementsAre(seconds(60)));
}

TEST_F(ApiClientTest, UnauthorizedReReadsTokenFileOnceAndRetries) {
  testing::TempDir dir;
  ClusterConfig cfg;
  cfg.token_file = dir.write("token", "old");
  auto tokens = std::make_shared<TokenProvider>(cfg, clock_);
  auto client = make({}, tokens);
  ASSERT_EQ(tokens->token()->reveal(), "old");
  dir.write("token", "new");
  transport_->push(401, status_body(401, "Unauthorized"));
  transport_->push(200, "{}");
  ASSERT_TRUE(client.get(cm_));
  auto reqs = transport_->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].credentials.bearer_token->reveal(), "old");
  EXPECT_EQ(reqs[1].credentials.bearer_token->reveal(), "new");
  transport_->push(401, status_body(401, "Unauthorized"));
  transport_->push(401, status_body(401, "Unauthorized"));
  auto r = client.get(cm_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Unauthorized);
}

TEST_F(ApiClientTest, ListFollowsContinueTokens) {
  transport_->push(
      200, R"({"metadata":{"continue":"c1","resourceVersion":"5"},"items":[{"n":1},{"n":2}]})");
  transport_->push(200, R"({"metadata":{"resourceVersion":"6"},"items":[{"n":3}]})");
  auto client = make();
  ListOptions opts;
  opts.limit = 2;
  auto list = client.list(cms_, opts);
  ASSERT_TRUE(list) << list.error().describe();
  EXPECT_EQ(list->items.size(), 3u);
  EXPECT_EQ(list->resource_version, "6");
  auto reqs = transport_->requests();
  EXPECT_EQ(reqs[0].request.target(), "/api/v1/namespaces/ns/configmaps?limit=2");
  EXPECT_EQ(reqs[1].request.target(), "/api/v1/namespaces/ns/configmaps?limit=2&continue=c1");
}

// As client-go's pager (FullListIfExpired): after an expired continue
// token the list starts over in one unpaged request, the pages before it
// dropped.
TEST_F(ApiClientTest, ListRestartsUnpagedWhenContinueTokenExpires) {
  transport_->push(200, R"({"metadata":{"continue":"c1"},"items":[{"n":1}]})");
  transport_->push(410, status_body(410, "Expired"));
  transport_->push(200, R"({"metadata":{"resourceVersion":"9"},"items":[{"n":1},{"n":2}]})");
  auto client = make();
  ListOptions opts;
  opts.limit = 1;
  auto list = client.list(cms_, opts);
  ASSERT_TRUE(list) << list.error().describe();
  ASSERT_EQ(list->items.size(), 2u);
  EXPECT_EQ(list->items[1]["n"], 2);
  EXPECT_EQ(list->resource_version, "9");
  const auto reqs = transport_->requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[1].request.target(), "/api/v1/namespaces/ns/configmaps?limit=1&continue=c1");
  EXPECT_EQ(reqs[2].request.target(), "/api/v1/namespaces/ns/configmaps");
}

TEST_F(ApiClientTest, ListGoneOnFirstPageIsReturned) {
  transport_->push(410, status_body(410, "Expired"));
  auto client = make();
  auto list = client.list(cms_);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().kind, ErrorKind::Gone);
}

TEST_F(ApiClientTest, ReplaceRequiresResourceVersion) {
  auto client = make();
  auto r = client.replace(cm_, json{{"metadata", {{"name", "cm"}}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::BadRequest);
  EXPECT_TRUE(transport_->requests().empty());
}

TEST_F(ApiClientTest, StatusWritesGoToStatusSubresource) {
  transport_->push(200, "{}");
  transport_->push(200, "{}");
  auto client = make();
  ASSERT_TRUE(client.replace_status(cm_, json{{"metadata", {{"resourceVersion", "3"}}}}));
  ASSERT_TRUE(client.patch_status(cm_, PatchType::Merge, json{{"status", {{"x", 1}}}}));
  auto reqs = transport_->requests();
  EXPECT_EQ(reqs[0].request.method, Method::Put);
  EXPECT_EQ(reqs[0].request.path, "/api/v1/namespaces/ns/configmaps/cm/status");
  EXPECT_EQ(reqs[1].request.path, "/api/v1/namespaces/ns/configmaps/cm/status");
}

TEST_F(ApiClientTest, ApplySendsFieldManagerAndForce) {
  transport_->push(200, "{}");
  auto client = make();
  ASSERT_TRUE(
      client.apply(cm_, json{{"apiVersion", "v1"}, {"kind", "ConfigMap"}}, "rightsizer", true));
  auto req = transport_->requests().at(0).request;
  EXPECT_EQ(req.target(), "/api/v1/namespaces/ns/configmaps/cm?fieldManager=rightsizer&force=true");
  EXPECT_EQ(*req.header("Content-Type"), "application/apply-patch+yaml");
  EXPECT_FALSE(client.patch(cm_, PatchType::Apply, json::object()));  // no field manager
}

TEST_F(ApiClientTest, RemoveMapsErrors) {
  transport_->push(200, status_body(200, ""));
  transport_->push(409, status_body(409, "Conflict"));
  auto client = make();
  EXPECT_TRUE(client.remove(cm_));
  DeleteOptions opts;
  opts.precondition_resource_version = "1";
  auto r = client.remove(cm_, opts);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Conflict);
}

TEST_F(ApiClientTest, RateLimiterSpacesRequestsAfterBurst) {
  ClientOptions opts;
  opts.qps = 10;
  opts.burst = 2;
  transport_->set_handler([](const Request&) -> Result<HttpResponse> {
    return HttpResponse{200, {}, "{}"};
  });
  auto client = make(opts);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(client.get(cm_));
  EXPECT_THAT(clock_.sleeps(), ::testing::ElementsAre(milliseconds(100), milliseconds(100)));
}

// A clock whose every wait is where a stop arrives: the stop is requested as
// the wait begins, then the wait is the fake clock's.
class StopsWhenWaiting final : public Clock {
 public:
  StopsWhenWaiting(testing::FakeClock& base, std::stop_source& stop) : base_(base), stop_(stop) {}
  [[nodiscard]] Monotonic now() const override { return base_.now(); }
  [[nodiscard]] Wall wall_now() const override { return base_.wall_now(); }
  bool sleep_for(std::chrono::nanoseconds d, std::stop_token stop) override {
    stop_.request_stop();
    return base_.sleep_for(d, stop);
  }

 private:
  testing::FakeClock& base_;
  std::stop_source& stop_;
};

// A CallContext's stop reaches the limiter wait: the call ends Cancelled
// there, and nothing is sent.
TEST_F(ApiClientTest, AStopDuringTheLimiterWaitEndsTheCallUnsent) {
  std::stop_source stop;
  StopsWhenWaiting clock(clock_, stop);
  ClientOptions opts;
  opts.qps = 10;
  opts.burst = 1;
  ApiClient client(transport_, nullptr, clock, random_, opts);
  transport_->push(200, "{}");
  ASSERT_TRUE(client.get(cm_));  // takes the burst
  auto r = client.get(cm_, {stop.get_token(), std::nullopt});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Cancelled) << r.error().describe();
  EXPECT_EQ(transport_->requests().size(), 1u);
  EXPECT_TRUE(clock_.sleeps().empty());  // the wait ended at the stop
}

// ... and the retry sleep: no second attempt, and no wait after the stop.
TEST_F(ApiClientTest, AStopDuringARetrySleepEndsTheCallWithoutAnotherAttempt) {
  std::stop_source stop;
  StopsWhenWaiting clock(clock_, stop);
  ClientOptions opts;
  opts.qps = 0;
  ApiClient client(transport_, nullptr, clock, random_, opts);
  transport_->push(503, status_body(503, "ServiceUnavailable"));
  transport_->push(200, "{}");
  auto r = client.get(cm_, {stop.get_token(), std::nullopt});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Cancelled) << r.error().describe();
  EXPECT_EQ(transport_->requests().size(), 1u);
  EXPECT_TRUE(clock_.sleeps().empty());
}

// A deadline bounds the call: the transport is handed what is left of it,
// a retry whose backoff would end past it is not started, and a limiter
// wait that would end past it is not waited.
TEST_F(ApiClientTest, ADeadlineShortensEachAttemptAndStopsRetriesThatCouldNotFinish) {
  transport_->set_handler([](const Request&) -> Result<HttpResponse> {
    return HttpResponse{503, {}, status_body(503, "ServiceUnavailable")};
  });
  auto client = make();
  auto r = client.get(cm_, {{}, clock_.now() + milliseconds(300)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::ServerError);
  auto sent = transport_->requests();
  ASSERT_EQ(sent.size(), 2u);  // the next backoff (400 ms) would pass the deadline
  EXPECT_THAT(clock_.sleeps(), ::testing::ElementsAre(milliseconds(200)));
  EXPECT_EQ(sent[0].request.timeout, milliseconds(300));
  EXPECT_EQ(sent[1].request.timeout, milliseconds(100));

  ClientOptions limited;
  limited.qps = 10;
  limited.burst = 1;
  auto slow = make(limited);
  transport_->push(200, "{}");
  ASSERT_TRUE(slow.get(cm_));  // takes the burst
  clock_.clear_sleeps();
  auto late = slow.get(cm_, {{}, clock_.now() + milliseconds(50)});  // the wait is 100 ms
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().kind, ErrorKind::Timeout) << late.error().describe();
  EXPECT_EQ(transport_->requests().size(), 3u);
  EXPECT_TRUE(clock_.sleeps().empty());
}

TEST_F(ApiClientTest, UpdateWithRetryWinsAgainstConcurrentWriter) {
  int rv = 1;
  transport_->set_handler([&](const Request& req) -> Result<HttpResponse> {
    if (req.method == Method::Get) {
      return HttpResponse{
          200,
          {},
          json{{"metadata", {{"resourceVersion", std::to_string(rv)}}}, {"data", json::object()}}
              .dump()};
    }
    auto body = json::parse(req.body);
    if (body["metadata"]["resourceVersion"] != std::to_string(rv)) {
      return HttpResponse{409, {}, status_body(409, "Conflict")};
    }
    return HttpResponse{200, {}, req.body};
  });
  int calls = 0;
  auto client = make();
  auto r = update_with_retry(client, cm_, [&](json& obj) {
    if (++calls <= 2) ++rv;  // a concurrent writer wins the first two rounds
    obj["data"]["k"] = "v";
    return true;
  });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(calls, 3);
  EXPECT_THAT(clock_.sleeps(), ::testing::ElementsAre(milliseconds(10), milliseconds(20)));
}

TEST_F(ApiClientTest, UpdateWithRetryWritesNothingWhenUnchanged) {
  transport_->push(200, R"({"metadata":{"resourceVersion":"1"}})");
  auto client = make();
  ASSERT_TRUE(update_with_retry(client, cm_, [](json&) { return false; }));
  EXPECT_EQ(transport_->requests().size(), 1u);
}

TEST_F(ApiClientTest, ConflictRetryIsBounded) {
  int attempts = 0;
  std::function<Result<int>()> always_conflict = [&]() -> Result<int> {
    ++attempts;
    return make_error(ErrorKind::Conflict, "stale");
  };
  ConflictRetryPolicy policy;
  policy.attempts = 3;
  random_.set(0.0);  // the low edge of the jitter: 50 %
  auto r = retry_on_conflict(clock_, random_, always_conflict, policy);
  ASSERT_FALSE(r);
  EXPECT_EQ(attempts, 3);
  EXPECT_THAT(clock_.sleeps(), ::testing::ElementsAre(milliseconds(5), milliseconds(10)));
}

}  // namespace
}  // namespace k8s
