// MetricsServerUsageSource against a scripted transport.
#include "controller/usage_source.h"

#include <gtest/gtest.h>

#include <memory>

#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"
#include "policies/status_conditions.h"

namespace controller {
namespace {

class MetricsServerUsageSourceTest : public ::testing::Test {
 protected:
  k8s::ApiClient client() {
    k8s::ClientOptions opts;
    opts.qps = 0;
    return k8s::ApiClient(transport_, nullptr, clock_, random_, opts);
  }
  std::shared_ptr<k8s::testing::FakeTransport> transport_ =
      std::make_shared<k8s::testing::FakeTransport>();
  k8s::testing::FakeClock clock_;
  k8s::testing::FixedRandom random_;
};

constexpr const char* kTwoPods = R"({
  "kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {},
  "items": [
    {"metadata": {"name": "engine-abc", "namespace": "trading",
                  "creationTimestamp": "2026-11-02T09:00:20Z"},
     "timestamp": "2026-11-02T09:00:05Z", "window": "15.021s",
     "containers": [
       {"name": "engine", "usage": {"cpu": "123456789n", "memory": "1234Ki"}},
       {"name": "proxy", "usage": {"cpu": "250m", "memory": "64Mi"}}]},
    {"metadata": {"name": "guardian-0", "namespace": "trading"},
     "timestamp": "2026-11-02T09:00:07Z", "window": "1m0s",
     "containers": [{"name": "scanner", "usage": {"cpu": "2", "memory": "1Gi"}}]}
  ]})";

TEST_F(MetricsServerUsageSourceTest, ListsTheNamespaceAndRoundsCpuUp) {
  transport_->push(200, kTwoPods);
  auto c = client();
  MetricsServerUsageSource source(c);
  auto pods = source.list("trading", {});
  ASSERT_TRUE(pods.ok()) << pods.error().describe();
  auto requests = transport_->requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& req = requests[0].request;
  EXPECT_EQ(req.method, k8s::Method::Get);
  EXPECT_EQ(req.path, "/apis/metrics.k8s.io/v1beta1/namespaces/trading/pods");
  EXPECT_EQ(req.query_value("limit"), nullptr);

  ASSERT_EQ(pods->size(), 2u);
  const auto& engine = (*pods)[0];
  EXPECT_EQ(engine.namespace_name, "trading");
  EXPECT_EQ(engine.pod, "engine-abc");
  EXPECT_EQ(policies::format_timestamp(engine.timestamp), "2026-11-02T09:00:05Z");
  EXPECT_EQ(engine.window, std::chrono::seconds(15));
  ASSERT_EQ(engine.containers.size(), 2u);
  EXPECT_EQ(engine.containers[0].name, "engine");
  EXPECT_EQ(engine.containers[0].cpu_millicores, 124);  // 123.456789m, rounded up
  EXPECT_EQ(engine.containers[0].memory_bytes, 1234 * 1024);
  EXPECT_EQ(engine.containers[1].cpu_millicores, 250);
  EXPECT_EQ(engine.containers[1].memory_bytes, 64 << 20);
  EXPECT_EQ((*pods)[1].window, std::chrono::seconds(60));
  EXPECT_EQ((*pods)[1].containers.at(0).cpu_millicores, 2000);
  EXPECT_EQ(source.malformed(), 0u);
}

TEST_F(MetricsServerUsageSourceTest, MalformedContainersAndPodsAreSkippedAndCountedNeverZero) {
  transport_->push(200, R"({"items": [
    {"metadata": {"name": "a"}, "timestamp": "2026-11-02T09:00:05Z", "window": "15s",
     "containers": [
       {"name": "bad-cpu", "usage": {"cpu": "fast", "memory": "1Mi"}},
       {"name": "no-memory", "usage": {"cpu": "1m"}},
       {"name": "number", "usage": {"cpu": 5, "memory": "1Mi"}},
       {"usage": {"cpu": "1m", "memory": "1Mi"}},
       {"name": "good", "usage": {"cpu": "10m", "memory": "2Mi"}}]},
    {"metadata": {"name": "no-time"}, "window": "15s",
     "containers": [{"name": "c", "usage": {"cpu": "1m", "memory": "1Mi"}}]},
    {"metadata": {"name": "bad-time"}, "timestamp": "yesterday",
     "containers": [{"name": "c", "usage": {"cpu": "1m", "memory": "1Mi"}}]},
    {"metadata": {}, "timestamp": "2026-11-02T09:00:05Z",
     "containers": [{"name": "c", "usage": {"cpu": "1m", "memory": "1Mi"}}]},
    {"metadata": {"name": "all-bad"}, "timestamp": "2026-11-02T09:00:05Z",
     "containers": [{"name": "c", "usage": {"cpu": "-1", "memory": "1Mi"}}]},
    {"metadata": {"name": "no-containers"}, "timestamp": "2026-11-02T09:00:05Z"}
  ]})");
  auto c = client();
  MetricsServerUsageSource source(c);
  auto pods = source.list("trading", {});
  ASSERT_TRUE(pods.ok()) << pods.error().describe();
  ASSERT_EQ(pods->size(), 1u);
  EXPECT_EQ((*pods)[0].pod, "a");
  ASSERT_EQ((*pods)[0].containers.size(), 1u);
  EXPECT_EQ((*pods)[0].containers[0].name, "good");
  EXPECT_EQ((*pods)[0].containers[0].cpu_millicores, 10);
  // 4 containers of "a", 3 pods without name or time, 1 container of "all-bad", 1 pod without
  // containers.
  EXPECT_EQ(source.malformed(), 9u);
}

TEST_F(MetricsServerUsageSourceTest, AnEmptyNamespaceIsAnEmptySuccess) {
  transport_->push(200, R"({"kind": "PodMetricsList", "items": []})");
  auto c = client();
  MetricsServerUsageSource source(c);
  auto pods = source.list("quiet", {});
  ASSERT_TRUE(pods.ok());
  EXPECT_TRUE(pods->empty());
}

TEST_F(MetricsServerUsageSourceTest, PodsListedButNoneReadableIsAnError) {
  transport_->push(200, R"({"items": [{"metadata": {"name": "a"}, "timestamp": "x"}]})");
  auto c = client();
  MetricsServerUsageSource source(c);
  auto pods = source.list("trading", {});
  ASSERT_FALSE(pods.ok());
  EXPECT_EQ(pods.error().kind, k8s::ErrorKind::Decode);
  EXPECT_EQ(source.malformed(), 1u);
}

TEST_F(MetricsServerUsageSourceTest, AnAbsentMetricsApiIsAnError) {
  transport_->push(404, R"({"kind": "Status", "apiVersion": "v1", "status": "Failure",
    "message": "the server could not find the requested resource", "reason": "NotFound",
    "code": 404})");
  auto c = client();
  MetricsServerUsageSource source(c);
  auto pods = source.list("trading", {});
  ASSERT_FALSE(pods.ok());
  EXPECT_EQ(pods.error().kind, k8s::ErrorKind::NotFound);
}

TEST_F(MetricsServerUsageSourceTest, AnUnavailableMetricsApiIsAnError) {
  // The aggregator answers 503 while metrics-server is down; the client's
  // read retries see the same answer each time.
  transport_->set_handler([](const k8s::Request&) {
    return k8s::Result<k8s::HttpResponse>(k8s::HttpResponse{
        503,
        {},
        R"({"kind":"Status","status":"Failure","reason":"ServiceUnavailable","code":503})"});
  });
  auto c = client();
  MetricsServerUsageSource source(c);
  auto pods = source.list("trading", {});
  ASSERT_FALSE(pods.ok());
  EXPECT_EQ(pods.error().kind, k8s::ErrorKind::ServerError);
  EXPECT_EQ(pods.error().http_status, 503);
}

// A namespace's list is the largest document read each interval: only what
// a sample needs is decoded (a pod's labels and creation time are not).
TEST(PodMetricsListMask, KeepsWhatASampleReadsAndDropsTheRest) {
  auto doc = pod_metrics_list_mask().decode(R"({"kind": "PodMetricsList",
    "metadata": {"resourceVersion": ""},
    "items": [{"metadata": {"name": "engine-abc", "namespace": "trading",
                            "creationTimestamp": "2026-11-02T09:00:06Z",
                            "labels": {"app": "engine", "pod-template-hash": "7d9f"}},
               "timestamp": "2026-11-02T09:00:05Z", "window": "15s",
               "containers": [{"name": "engine",
                               "usage": {"cpu": "123456789n", "memory": "1234Ki"}}]}]})");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(*doc, nlohmann::json::parse(R"({"items": [{"metadata": {"name": "engine-abc"},
    "timestamp": "2026-11-02T09:00:05Z", "window": "15s",
    "containers": [{"name": "engine", "usage": {"cpu": "123456789n", "memory": "1234Ki"}}]}],
    "metadata": {"resourceVersion": ""}})"));
}

// A 200 whose body is not a list must not read as an empty namespace (that
// would clear the outage condition while no sample arrives).
TEST_F(MetricsServerUsageSourceTest, AnAnswerThatIsNotAListIsAnErrorNotAnEmptyNamespace) {
  for (const char* body :
       {"{}", R"({"kind":"Status","status":"Success"})", "[]", "null", R"({"items":{}})"}) {
    transport_->push(200, body);
    auto c = client();
    MetricsServerUsageSource source(c);
    auto pods = source.list("trading", {});
    ASSERT_FALSE(pods.ok()) << body;
    EXPECT_EQ(pods.error().kind, k8s::ErrorKind::Decode) << body;
  }
}

TEST_F(MetricsServerUsageSourceTest, AMalformedBodyIsAnError) {
  transport_->push(200, R"({"items": [{"metadata": )");
  auto c = client();
  MetricsServerUsageSource source(c);
  auto pods = source.list("trading", {});
  ASSERT_FALSE(pods.ok());
  EXPECT_EQ(pods.error().kind, k8s::ErrorKind::Decode);
}

}  // namespace
}  // namespace controller
