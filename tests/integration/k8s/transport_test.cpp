// The HTTPS transport's own promises: connection reuse, large bodies, a
// timeout on every operation, TCP keepalive, no resent writes, and host-name
// verification against subjectAltName only.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "connected_client.h"
#include "k8s/watcher.h"
#include "tls_test_server.h"

namespace k8s {
namespace {

using nlohmann::json;
using namespace itest_support;

// Ends a TlsServer's wait for a connection the client never opened.
void poke(unsigned short port) {
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
}

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

// A PUT written in full on a kept-alive connection that then breaks may have
// been applied: it is not sent again (neither by the transport's reconnect
// nor by the client's retries), and the error says the outcome is unknown.
TEST(K8sTransport, PutIsNotResentAfterItWasWrittenOnAReusedConnection) {
  OtherCa ca;
  // Two connections are served, so a resend on a new connection would be seen.
  TlsServer server(ca, 2, 2, "{}", /*drop_last=*/true);
  {
    auto c = connect(local_config(server.port, slurp(ca.dir + "/ca.crt")));
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->api->get(cm_ref("ns", "x")));  // leaves the connection pooled
    auto cm = config_map("ns", "x");
    cm["metadata"]["resourceVersion"] = "7";
    auto r = c->api->replace(cm_ref("ns", "x"), cm);
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_TRUE(r.error().retryable()) << r.error().describe();
      EXPECT_TRUE(r.error().may_have_applied) << r.error().describe();
    }
  }  // closes any pooled connection the server may still be reading
  EXPECT_EQ(server.puts.load(), 1);
  EXPECT_EQ(server.accepted.load(), 1);
  if (server.accepted.load() < 2) poke(server.port);
}

// The transport's own rule, under the client's retries: after a pooled
// connection broke with the request written, only a GET is sent again (on a
// fresh connection); POST, PUT, PATCH and DELETE fail, marked as possibly
// applied, and the server saw each once.
TEST(K8sTransport, OnlyAGetIsResentAfterItWasWrittenOnABrokenReusedConnection) {
  for (Method m : {Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete}) {
    SCOPED_TRACE(std::string(to_string(m)));
    OtherCa ca;
    TlsServer server(ca, 2, 2, "{}", /*drop_last=*/true);
    {
      auto t = make_https_transport(local_config(server.port, slurp(ca.dir + "/ca.crt")));
      ASSERT_TRUE(t);
      ASSERT_TRUE((*t)->send(get_request(cm_ref("ns", "x")), {}));  // pools the connection
      Request req = get_request(cm_ref("ns", "x"));
      req.method = m;
      if (m != Method::Get) req.body = "{}";
      auto r = (*t)->send(req, {});
      if (m == Method::Get) {
        EXPECT_TRUE(r) << r.error().describe();
      } else {
        ASSERT_FALSE(r);
        EXPECT_TRUE(r.error().may_have_applied) << r.error().describe();
      }
    }
    EXPECT_EQ(server.accepted.load(), m == Method::Get ? 2 : 1);
    EXPECT_EQ(server.requests.load(), m == Method::Get ? 3 : 2);
    if (server.accepted.load() < 2) poke(server.port);
  }
}

// A stop that lands after the response was read in full: the response is
// the answer (not Cancelled), and the connection, on which the stop may have
// queued a close, is not reused.
TEST(K8sTransport, StopAfterTheResponseWasReadReturnsItAndDropsTheConnection) {
  OtherCa ca;
  TlsServer server(ca, 2, 2);
  {
    std::stop_source stop;
    int calls = 0;
    TransportOptions topts;
    topts.exchange_test_hook = [&] {
      if (++calls == 1) stop.request_stop();  // the response has just been read
    };
    auto t = make_https_transport(local_config(server.port, slurp(ca.dir + "/ca.crt")), topts);
    ASSERT_TRUE(t);
    auto req = get_request(cm_ref("ns", "x"));
    req.stop = stop.get_token();
    auto first = (*t)->send(req, {});
    EXPECT_TRUE(first) << first.error().describe();
    auto second = (*t)->send(get_request(cm_ref("ns", "x")), {});
    EXPECT_TRUE(second) << second.error().describe();
  }  // closes the pooled connection the server is reading
  EXPECT_EQ(server.accepted.load(), 2);
  EXPECT_EQ(server.requests.load(), 2);
  if (server.accepted.load() < 2) poke(server.port);
}

// A stop that lands once the answer is decided, while the connection goes
// back to the pool, must not queue a close on it: the next request reuses
// the connection and succeeds on it (a queued close would run under the next
// request, which would fail or be sent again on a new connection).
TEST(K8sTransport, StopAfterTheAnswerDoesNotPoisonThePooledConnection) {
  OtherCa ca;
  TlsServer server(ca, 2, 2);  // a second connection would be counted
  {
    std::stop_source stop;
    int calls = 0;
    TransportOptions topts;
    topts.exchange_test_hook = [&] {
      if (++calls == 2) stop.request_stop();  // the answer is decided
    };
    auto t = make_https_transport(local_config(server.port, slurp(ca.dir + "/ca.crt")), topts);
    ASSERT_TRUE(t);
    auto req = get_request(cm_ref("ns", "x"));
    req.stop = stop.get_token();
    auto first = (*t)->send(req, {});
    ASSERT_TRUE(first) << first.error().describe();
    auto second = (*t)->send(get_request(cm_ref("ns", "x")), {});
    EXPECT_TRUE(second) << second.error().describe();
  }
  EXPECT_EQ(server.accepted.load(), 1);
  EXPECT_EQ(server.requests.load(), 2);
  if (server.accepted.load() < 2) poke(server.port);
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

// A pooled connection has TCP keepalive on: /proc/net/tcp shows its
// keepalive timer (timer kind 2) while it sits idle.
TEST(K8sTransport, ConnectionsHaveTcpKeepalive) {
  OtherCa ca;
  TlsServer server(ca, 1, 2);
  auto c = connect(local_config(server.port, slurp(ca.dir + "/ca.crt")));
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->api->get(cm_ref("ns", "x")));  // the connection is now idle in the pool
  char want[8];
  std::snprintf(want, sizeof want, ":%04X", server.port);
  std::ifstream tcp("/proc/net/tcp");
  std::string line, timer;
  std::getline(tcp, line);  // header
  while (std::getline(tcp, line)) {
    std::istringstream in(line);
    std::string sl, local, remote, st, queues;
    in >> sl >> local >> remote >> st >> queues >> timer;
    if (remote.ends_with(want) && st == "01") break;  // ESTABLISHED, client side
    timer.clear();
  }
  EXPECT_TRUE(timer.starts_with("02:")) << "timer " << timer;
  ASSERT_TRUE(c->api->get(cm_ref("ns", "x")));  // lets the server finish
}

// A watch that sends one event and then nothing: with a 2 s idle timeout the
// read ends with a Timeout, and the next watch resumes from that event's
// resourceVersion.
TEST(K8sTransport, StalledWatchTimesOutAndResumesFromTheLastVersion) {
  OtherCa ca;
  ScriptedTlsServer server(ca, 2, [](ScriptedTlsServer::Stream& s, int connection) {
    std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    boost::system::error_code ec;
    if (connection > 0) {  // the re-watch: a head, then silence until the client leaves
      asio::write(s, asio::buffer(head), ec);
      return;
    }
    std::string event =
        R"({"type":"ADDED","object":{"metadata":{"name":"a","namespace":"ns","resourceVersion":"5"}}})"
        "\n";
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", event.size());
    asio::write(s, asio::buffer(head + size + event + "\r\n"), ec);
  });
  TransportOptions topts;
  topts.stream_idle_timeout = std::chrono::seconds(2);
  ClientOptions opts;
  opts.max_attempts = 1;
  auto c = connect(local_config(server.port, slurp(ca.dir + "/ca.crt")), opts, nullptr, topts);
  ASSERT_TRUE(c);
  WatcherConfig cfg;
  cfg.collection = cm_ref("ns");
  Watcher w(*c->api, cfg);
  w.resume_from("1");
  auto next = [&]() -> Result<std::optional<WatcherEvent>> {
    for (int i = 0; i < 20; ++i) {
      auto r = w.step();
      if (!r || *r) return r;
    }
    return make_error(ErrorKind::Decode, "no event in 20 steps");
  };
  auto ev = next();
  ASSERT_TRUE(ev && *ev) << (ev ? "no event" : ev.error().describe());
  auto started = std::chrono::steady_clock::now();
  auto stalled = next();
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(stalled);
  EXPECT_EQ(stalled.error().kind, ErrorKind::Timeout) << stalled.error().describe();
  EXPECT_LT(took, std::chrono::seconds(5));
  ASSERT_TRUE(w.step());  // re-opens
  auto targets = server.targets();
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_NE(targets[1].find("resourceVersion=5"), std::string::npos) << targets[1];
}

// Go (>= 1.15) refuses a certificate that names its host only in the
// subject CN; so do we. The same CA with a subjectAltName passes.
TEST(K8sTransport, CertificateWithoutSubjectAltNameIsRefused) {
  OtherCa ca;
  for (bool with_san : {false, true}) {
    std::string name = with_san ? "san" : "nosan";
    std::ofstream(ca.dir + "/" + name + ".cnf")
        << (with_san ? "subjectAltName=DNS:localhost\n" : "\n");
    auto ok = [](const std::vector<std::string>& argv) {
      auto r = itest::run(argv);
      EXPECT_TRUE(r.ok()) << r.err;
    };
    ok({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", ca.dir + "/srv.key", "-out", ca.dir + "/srv.csr", "-subj", "/CN=localhost"});
    ok({"openssl", "x509", "-req", "-in", ca.dir + "/srv.csr", "-CA", ca.dir + "/ca.crt", "-CAkey",
        ca.dir + "/ca.key", "-CAcreateserial", "-out", ca.dir + "/srv.crt", "-days", "1",
        "-extfile", ca.dir + "/" + name + ".cnf"});
    TlsServer server(ca, 1);
    auto cfg = local_config(server.port, slurp(ca.dir + "/ca.crt"));
    cfg.tls_server_name = "localhost";
    ClientOptions once;
    once.max_attempts = 1;  // the server accepts one connection
    auto c = connect(cfg, once);
    ASSERT_TRUE(c);
    auto r = c->api->get(cm_ref("ns", "x"));
    EXPECT_EQ(bool(r), with_san) << name << ": " << (r ? "accepted" : r.error().describe());
    if (r) continue;
    EXPECT_NE(r.error().message.find("handshake"), std::string::npos) << r.error().describe();
  }
}

}  // namespace
}  // namespace k8s
