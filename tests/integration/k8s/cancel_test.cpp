// Stop requests reach requests that wait on the network: against a server
// that accepts, reads the request and never answers, an ApiClient call, an
// informer and a leader elector all stop within a second.
#include <gtest/gtest.h>

#include <thread>

#include "connected_client.h"
#include "k8s/informer.h"
#include "k8s/leader_election.h"
#include "tls_test_server.h"

namespace k8s {
namespace {

using namespace itest_support;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Waits (bounded) until the silent server has read one request.
bool request_arrived(ScriptedTlsServer& server) {
  return itest::eventually([&] { return server.requests.load() > 0; }, std::chrono::seconds(10),
                           milliseconds(5));
}

TEST(K8sCancel, StopEndsACallWaitingForAnAnswer) {
  OtherCa ca;
  ScriptedTlsServer server(ca, 1);
  auto c = connect(local_config(server.port, slurp(ca.dir + "/ca.crt")));
  ASSERT_TRUE(c);
  std::stop_source stop;
  std::thread stopper([&] {
    if (request_arrived(server)) stop.request_stop();
  });
  auto started = steady_clock::now();
  auto r = c->api->get(cm_ref("ns", "x"), {stop.get_token(), std::nullopt});
  auto took = steady_clock::now() - started;
  stopper.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Cancelled) << r.error().describe();
  EXPECT_LT(took, std::chrono::seconds(2));  // the request timeout is 60 s
}

TEST(K8sCancel, DeadlineShortensTheTransportTimeout) {
  OtherCa ca;
  ScriptedTlsServer server(ca, 1);
  auto c = connect(local_config(server.port, slurp(ca.dir + "/ca.crt")));
  ASSERT_TRUE(c);
  auto started = steady_clock::now();
  auto r = c->api->get(cm_ref("ns", "x"), {{}, c->clock.now() + milliseconds(500)});
  auto took = steady_clock::now() - started;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Timeout) << r.error().describe();
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST(K8sCancel, InformerStopReturnsPromptlyWhileListing) {
  OtherCa ca;
  ScriptedTlsServer server(ca, 1);
  auto c = connect(local_config(server.port, slurp(ca.dir + "/ca.crt")));
  ASSERT_TRUE(c);
  WatcherConfig cfg;
  cfg.collection = cm_ref("ns");
  Informer<nlohmann::json> inf(*c->api, cfg, keep_json);
  inf.start();
  ASSERT_TRUE(request_arrived(server));
  auto started = steady_clock::now();
  inf.stop();
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_FALSE(inf.synced());
}

TEST(K8sCancel, ElectorStopReturnsPromptlyWhileCampaigning) {
  OtherCa ca;
  ScriptedTlsServer server(ca, 1);
  auto c = connect(local_config(server.port, slurp(ca.dir + "/ca.crt")));
  ASSERT_TRUE(c);
  auto elector = LeaderElector::create(*c->api, {"ns", "lease", "me"}, {});
  ASSERT_TRUE(elector);
  std::jthread run([&](std::stop_token stop) { (*elector)->run(stop); });
  ASSERT_TRUE(request_arrived(server));
  auto started = steady_clock::now();
  run.request_stop();
  run.join();
  EXPECT_LT(steady_clock::now() - started, std::chrono::seconds(1));
}

}  // namespace
}  // namespace k8s
