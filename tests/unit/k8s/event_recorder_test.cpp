#include "k8s/event_recorder.h"

#include <gtest/gtest.h>

#include <thread>

#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"

namespace k8s {
namespace {

using nlohmann::json;

class EventRecorderTest : public ::testing::Test {
 protected:
  EventRecorderTest() : client_(transport_, nullptr, clock_, random_, options()) {
    transport_->set_handler([](const Request& r) -> Result<HttpResponse> {
      return HttpResponse{200, {}, r.body};
    });
  }
  static ClientOptions options() {
    ClientOptions o;
    o.qps = 0;
    return o;
  }
  std::shared_ptr<testing::FakeTransport> transport_ = std::make_shared<testing::FakeTransport>();
  testing::FakeClock clock_;
  testing::FixedRandom random_;
  ApiClient client_;
  InvolvedObject deploy_{"apps/v1", "Deployment", "trading", "engine", "uid-1"};
};

// Sending is asynchronous: wait (bounded) for the recorder's thread.
std::vector<testing::RecordedRequest> sent(EventRecorder& rec, testing::FakeTransport& t) {
  EXPECT_TRUE(rec.flush(std::chrono::seconds(10)));
  return t.requests();
}

TEST_F(EventRecorderTest, CreatesAnEventWithSourceAndObject) {
  EventRecorder rec(client_, {"rightsizer", "pod-1"});
  ASSERT_TRUE(rec.record(deploy_, EventType::Normal, "RightsizeRecommended", "cpu 16 -> 2"));
  auto reqs = sent(rec, *transport_);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].request.method, Method::Post);
  EXPECT_EQ(reqs[0].request.path, "/api/v1/namespaces/trading/events");
  auto ev = json::parse(reqs[0].request.body);
  EXPECT_EQ(ev["involvedObject"]["kind"], "Deployment");
  EXPECT_EQ(ev["involvedObject"]["uid"], "uid-1");
  EXPECT_EQ(ev["reason"], "RightsizeRecommended");
  EXPECT_EQ(ev["type"], "Normal");
  EXPECT_EQ(ev["count"], 1);
  EXPECT_EQ(ev["source"]["component"], "rightsizer");
  EXPECT_EQ(ev["reportingInstance"], "pod-1");
  EXPECT_EQ(ev["firstTimestamp"].get<std::string>().size(), 20u);
}

TEST_F(EventRecorderTest, RepeatsAreFoldedIntoACount) {
  EventRecorder rec(client_, {});
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(rec.record(deploy_, EventType::Warning, "RightsizeBlocked", "blackout"));
  auto reqs = sent(rec, *transport_);
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[1].request.method, Method::Patch);
  std::string name = json::parse(reqs[0].request.body)["metadata"]["name"];
  EXPECT_EQ(reqs[1].request.path, "/api/v1/namespaces/trading/events/" + name);
  EXPECT_EQ(json::parse(reqs[1].request.body)["count"], 2);
  EXPECT_EQ(json::parse(reqs[2].request.body)["count"], 3);
}

TEST_F(EventRecorderTest, DifferentMessageOrExpiredWindowStartsANewEvent) {
  EventRecorder rec(client_, {});
  ASSERT_TRUE(rec.record(deploy_, EventType::Normal, "R", "a"));
  ASSERT_TRUE(rec.record(deploy_, EventType::Normal, "R", "b"));
  clock_.advance(std::chrono::minutes(11));
  ASSERT_TRUE(rec.record(deploy_, EventType::Normal, "R", "a"));
  auto reqs = sent(rec, *transport_);
  ASSERT_EQ(reqs.size(), 3u);
  for (const auto& r : reqs) EXPECT_EQ(r.request.method, Method::Post);
}

TEST_F(EventRecorderTest, EventGoneOnServerIsRecreated) {
  EventRecorder rec(client_, {});
  ASSERT_TRUE(rec.record(deploy_, EventType::Normal, "R", "a"));
  ASSERT_TRUE(rec.flush(std::chrono::seconds(10)));
  transport_->push(404, R"({"kind":"Status","code":404,"reason":"NotFound"})");
  ASSERT_TRUE(rec.record(deploy_, EventType::Normal, "R", "a"));
  auto reqs = sent(rec, *transport_);
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[2].request.method, Method::Post);
}

// An API server that does not answer must not block the caller, and the
// recorder's memory stays bounded: events beyond the queue are dropped and
// counted. (The old recorder sent under its mutex, on the caller's thread.)
TEST_F(EventRecorderTest, RecordNeverWaitsForTheNetworkAndDropsWhenFull) {
  transport_->set_handler(nullptr);
  transport_->hang_when_unscripted();
  EventRecorderConfig cfg;
  cfg.queue_capacity = 3;
  auto started = std::chrono::steady_clock::now();
  {
    EventRecorder rec(client_, cfg);
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    ASSERT_TRUE(rec.record(deploy_, EventType::Normal, "R", "0"));
    while (transport_->hanging() == 0 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_EQ(transport_->hanging(), 1);  // the first event is in flight, unanswered
    for (int i = 1; i <= 10; ++i)
      ASSERT_TRUE(rec.record(deploy_, EventType::Normal, "R", std::to_string(i)));
    EXPECT_EQ(rec.dropped(), 7u);  // 3 queued behind the one in flight
    EXPECT_FALSE(rec.flush(std::chrono::milliseconds(10)));
  }  // the destructor cancels the request in flight
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(transport_->requests().size(), 1u);
}

}  // namespace
}  // namespace k8s
