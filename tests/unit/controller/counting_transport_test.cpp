#include "controller/counting_transport.h"

#include <gtest/gtest.h>

#include <memory>

#include "controller/operator_metrics.h"
#include "k8s/testing/fake_transport.h"

namespace controller {
namespace {

k8s::Request request(k8s::Method method, std::string path, bool watch = false) {
  k8s::Request r;
  r.method = method;
  r.path = std::move(path);
  r.is_watch = watch;
  return r;
}

TEST(CountingTransportTest, VerbsAreAsSentOnTheWire) {
  using k8s::Method;
  EXPECT_EQ(wire_verb(request(Method::Get, "/api/v1/pods")), "LIST");
  EXPECT_EQ(wire_verb(request(Method::Get, "/api/v1/namespaces/shop/pods")), "LIST");
  EXPECT_EQ(wire_verb(request(Method::Get, "/api/v1/namespaces/shop/pods/web-1")), "GET");
  EXPECT_EQ(wire_verb(request(Method::Get, "/api/v1/namespaces")), "LIST");
  EXPECT_EQ(wire_verb(request(Method::Get, "/api/v1/namespaces/shop")), "GET");
  EXPECT_EQ(wire_verb(request(Method::Get, "/apis/apps/v1/deployments")), "LIST");
  EXPECT_EQ(wire_verb(request(Method::Get, "/apis/apps/v1/namespaces/shop/deployments/web")),
            "GET");
  EXPECT_EQ(wire_verb(request(
                Method::Get, "/apis/rightsizer.io/v1alpha1/namespaces/shop/rightsizings/x/status")),
            "GET");
  EXPECT_EQ(wire_verb(request(Method::Get, "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods")),
            "LIST");
  EXPECT_EQ(wire_verb(request(Method::Get, "/apis/apps/v1/deployments", true)), "WATCH");
  EXPECT_EQ(wire_verb(request(Method::Get, "/version")), "GET");
  EXPECT_EQ(wire_verb(request(Method::Post, "/api/v1/namespaces/shop/events")), "POST");
  EXPECT_EQ(wire_verb(request(Method::Put, "/x")), "PUT");
  EXPECT_EQ(wire_verb(request(Method::Patch, "/x")), "PATCH");
  EXPECT_EQ(wire_verb(request(Method::Delete, "/x")), "DELETE");
}

TEST(CountingTransportTest, CountsEachRequestByVerbAndCode) {
  MetricsRegistry registry;
  OperatorMetrics metrics(registry);
  auto fake = std::make_shared<k8s::testing::FakeTransport>();
  CountingTransport counting(fake, metrics.api_requests);
  fake->push(200, "{}");
  fake->push(409, "{}");
  fake->push(k8s::Result<k8s::HttpResponse>(k8s::Error{}));
  EXPECT_TRUE(counting.send(request(k8s::Method::Get, "/api/v1/pods"), {}).ok());
  EXPECT_TRUE(counting.send(request(k8s::Method::Put, "/api/v1/namespaces/a/pods/b"), {}).ok());
  EXPECT_FALSE(counting.send(request(k8s::Method::Delete, "/api/v1/namespaces/a/pods/b"), {}).ok());
  fake->push_stream_error(k8s::Error{});
  EXPECT_FALSE(counting.stream(request(k8s::Method::Get, "/api/v1/pods", true), {}).ok());
  fake->push_stream({200, {}, std::nullopt});
  EXPECT_TRUE(counting.stream(request(k8s::Method::Get, "/api/v1/pods", true), {}).ok());
  EXPECT_EQ(metrics.api_requests.with({"LIST", "200"}).value(), 1);
  EXPECT_EQ(metrics.api_requests.with({"PUT", "409"}).value(), 1);
  EXPECT_EQ(metrics.api_requests.with({"DELETE", "error"}).value(), 1);
  EXPECT_EQ(metrics.api_requests.with({"WATCH", "200"}).value(), 1);
  EXPECT_EQ(metrics.api_requests.with({"WATCH", "error"}).value(), 1);
  EXPECT_NE(registry.render().find("rightsizer_api_requests_total{verb=\"PUT\",code=\"409\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace controller
