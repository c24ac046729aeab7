// Authentication and TLS verification against the real API server and a TLS
// endpoint of the test's own, signed by another CA.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "connected_client.h"

namespace k8s {
namespace {

using nlohmann::json;
using namespace itest_support;
namespace asio = boost::asio;
namespace http = boost::beast::http;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

ClusterConfig bare_config() {
  ClusterConfig cfg;
  const auto& env = itest::ClusterEnv::get();
  EXPECT_TRUE(parse_server_url(env.apiserver_url, "apiserver", cfg));
  cfg.ca_pem = slurp(env.ca_file);
  cfg.source = "test";
  return cfg;
}

TEST(K8sAuth, ClientCertificateFromKubeconfig) {
  auto c = admin_client();
  ASSERT_TRUE(c);
  auto ns = c->api->get({resources::namespaces(), "", "default", ""});
  ASSERT_TRUE(ns) << ns.error().describe();
  EXPECT_EQ((*ns)["metadata"]["name"], "default");
}

TEST(K8sAuth, NoCredentialsIsRefused) {
  auto c = connect(bare_config());
  ASSERT_TRUE(c);
  auto r = c->api->get({resources::namespaces(), "", "kube-system", ""});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().kind, ::testing::AnyOf(ErrorKind::Unauthorized, ErrorKind::Forbidden));
}

TEST(K8sAuth, ServiceAccountTokenStaticAndFromFile) {
  itest::TestNamespace ns("k8s-auth");
  ASSERT_TRUE(itest::kubectl({"-n", ns.name(), "create", "serviceaccount", "reader"}).ok());
  ASSERT_TRUE(itest::kubectl({"-n", ns.name(), "create", "rolebinding", "reader",
                              "--clusterrole=view", "--serviceaccount=" + ns.name() + ":reader"})
                  .ok());
  auto token = itest::kubectl({"-n", ns.name(), "create", "token", "reader", "--duration=10m"});
  ASSERT_TRUE(token.ok()) << token.err;
  std::string jwt = token.out;
  while (!jwt.empty() && (jwt.back() == '\n' || jwt.back() == ' ')) jwt.pop_back();

  auto cfg = bare_config();
  cfg.token = Secret(jwt);
  auto c = connect(cfg);
  ASSERT_TRUE(c);
  auto allowed = c->api->list(cm_ref(ns.name()));
  ASSERT_TRUE(allowed) << allowed.error().describe();
  auto denied = c->api->list(cm_ref("kube-system"));
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().kind, ErrorKind::Forbidden);

  auto file = std::filesystem::temp_directory_path() / ("k8s-itest-token-" + ns.name());
  std::ofstream(file) << jwt << "\n";
  auto from_file = bare_config();
  from_file.token_file = file.string();
  auto f = connect(from_file);
  ASSERT_TRUE(f);
  auto via_file = f->api->list(cm_ref(ns.name()));
  EXPECT_TRUE(via_file) << via_file.error().describe();
  std::filesystem::remove(file);
}

// A CA of the test's own and a server certificate for 127.0.0.1 it signed.
struct OtherCa {
  std::string dir;
  OtherCa() {
    dir = (std::filesystem::temp_directory_path() / ("k8s-itest-ca-" + std::to_string(::getpid())))
              .string();
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/ext.cnf") << "subjectAltName=IP:127.0.0.1\n";
    auto ok = [](const std::vector<std::string>& argv) {
      auto r = itest::run(argv);
      EXPECT_TRUE(r.ok()) << r.err;
    };
    ok({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", dir + "/ca.key", "-out", dir + "/ca.crt", "-days", "1", "-subj",
        "/CN=another-ca"});
    ok({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", dir + "/srv.key", "-out", dir + "/srv.csr", "-subj", "/CN=127.0.0.1"});
    ok({"openssl", "x509", "-req", "-in", dir + "/srv.csr", "-CA", dir + "/ca.crt", "-CAkey",
        dir + "/ca.key", "-CAcreateserial", "-out", dir + "/srv.crt", "-days", "1", "-extfile",
        dir + "/ext.cnf"});
  }
  ~OtherCa() { std::filesystem::remove_all(dir); }
};

// Accepts `connections` TLS connections one after another; answers each
// HTTP request with 200 {}. Counts handshakes and requests received.
class TlsServer {
 public:
  TlsServer(const OtherCa& ca, int connections) : ctx_(asio::ssl::context::tls_server) {
    ctx_.use_certificate_chain_file(ca.dir + "/srv.crt");
    ctx_.use_private_key_file(ca.dir + "/srv.key", asio::ssl::context::pem);
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port = acceptor_.local_endpoint().port();
    thread_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) serve_one();
    });
  }
  ~TlsServer() { thread_.join(); }

  unsigned short port = 0;
  std::atomic<int> handshakes_ok{0};
  std::atomic<int> requests{0};

 private:
  void serve_one() {
    asio::ssl::stream<asio::ip::tcp::socket> stream(ioc_, ctx_);
    boost::system::error_code ec;
    acceptor_.accept(stream.next_layer(), ec);
    if (ec) return;
    stream.handshake(asio::ssl::stream_base::server, ec);
    if (ec) return;
    handshakes_ok++;
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::read(stream, buf, req, ec);
    if (ec) return;
    requests++;
    http::response<http::string_body> resp{http::status::ok, 11};
    resp.set(http::field::content_type, "application/json");
    resp.body() = "{}";
    resp.keep_alive(false);
    resp.prepare_payload();
    http::write(stream, resp, ec);
    stream.shutdown(ec);
  }

  asio::io_context ioc_;
  asio::ssl::context ctx_;
  asio::ip::tcp::acceptor acceptor_{ioc_};
  std::thread thread_;
};

ClusterConfig local_config(unsigned short port, const std::string& ca_pem) {
  ClusterConfig cfg;
  EXPECT_TRUE(parse_server_url("https://127.0.0.1:" + std::to_string(port), "test", cfg));
  cfg.ca_pem = ca_pem;
  cfg.token = Secret("not-for-strangers");
  return cfg;
}

TEST(K8sTls, ServerOfAnotherCaIsRefusedBeforeAnyRequest) {
  OtherCa ca;
  {
    // Control: trusting that CA, the same server answers.
    TlsServer server(ca, 1);
    auto c = connect(local_config(server.port, slurp(ca.dir + "/ca.crt")));
    ASSERT_TRUE(c);
    auto r = c->api->get(cm_ref("ns", "x"));
    EXPECT_TRUE(r) << r.error().describe();
    EXPECT_EQ(server.requests.load(), 1);
  }
  TlsServer server(ca, 1);
  ClientOptions once;
  once.max_attempts = 1;
  auto c = connect(local_config(server.port, slurp(itest::ClusterEnv::get().ca_file)), once);
  ASSERT_TRUE(c);
  auto r = c->api->get(cm_ref("ns", "x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Transport);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("TLS handshake"));
  EXPECT_EQ(server.handshakes_ok.load(), 0);
  EXPECT_EQ(server.requests.load(), 0);
}

TEST(K8sTls, CertificateForAnotherNameIsRefused) {
  OtherCa ca;
  TlsServer server(ca, 1);
  auto cfg = local_config(server.port, slurp(ca.dir + "/ca.crt"));
  cfg.tls_server_name = "apiserver.example";  // the certificate names only 127.0.0.1
  ClientOptions once;
  once.max_attempts = 1;
  auto c = connect(cfg, once);
  ASSERT_TRUE(c);
  auto r = c->api->get(cm_ref("ns", "x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(server.requests.load(), 0);
}

}  // namespace
}  // namespace k8s
