// The HTTPS transport's own promises: connection reuse, large bodies, and a
// timeout on every operation.
#include <gtest/gtest.h>

#include "connected_client.h"
#include "tls_test_server.h"

namespace k8s {
namespace {

using nlohmann::json;
using namespace itest_support;

TEST(K8sTransport, KeepAliveReusesOneConnection) {
  OtherCa ca;
  TlsServer server(ca, 1, 3);
  auto c = connect(local_config(server.port, slurp(ca.dir + "/ca.crt")));
  ASSERT_TRUE(c);
  for (int i = 0; i < 3; ++i) {
    auto r = c->api->get(cm_ref("ns", "x"));
    ASSERT_TRUE(r) << r.error().describe();
  }
  EXPECT_EQ(server.accepted.load(), 1);
  EXPECT_EQ(server.requests.load(), 3);
}

TEST(K8sTransport, BodyLargerThanBeastsDefaultLimit) {
  OtherCa ca;
  std::string big = json{{"data", std::string(12u << 20, 'x')}}.dump();
  TlsServer server(ca, 1, 1, big);
  auto c = connect(local_config(server.port, slurp(ca.dir + "/ca.crt")));
  ASSERT_TRUE(c);
  auto r = c->api->get(cm_ref("ns", "x"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ((*r)["data"].get_ref<const std::string&>().size(), 12u << 20);
}

TEST(K8sTransport, ListOfMoreThanEightMegabytesFromTheApiServer) {
  itest::TestNamespace ns("k8s-big");
  auto c = admin_client();
  ASSERT_TRUE(c);
  std::string chunk(900 * 1024, 'y');
  for (int i = 0; i < 10; ++i) {
    auto r = c->api->create(cm_ref(ns.name()),
                            config_map(ns.name(), "big-" + std::to_string(i), {{"blob", chunk}}));
    ASSERT_TRUE(r) << r.error().describe();
  }
  auto list = c->api->list(cm_ref(ns.name()));  // one page of ~9 MB
  ASSERT_TRUE(list) << list.error().describe();
  EXPECT_GE(list->items.size(), 10u);
}

TEST(K8sTransport, SilentServerTimesOut) {
  asio::io_context ioc;
  asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  auto port = acceptor.local_endpoint().port();
  asio::ip::tcp::socket held(ioc);
  std::thread accept_thread([&] {
    boost::system::error_code ec;
    acceptor.accept(held, ec);  // accepts, then never speaks TLS
  });
  TransportOptions opts;
  opts.connect_timeout = std::chrono::seconds(1);
  auto transport = make_https_transport(local_config(port, ""), opts);
  ASSERT_TRUE(transport);
  auto started = std::chrono::steady_clock::now();
  auto r = (*transport)->send(get_request(cm_ref("ns", "x")), {});
  auto took = std::chrono::steady_clock::now() - started;
  accept_thread.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Timeout) << r.error().describe();
  EXPECT_LT(took, std::chrono::seconds(5));
}

}  // namespace
}  // namespace k8s
