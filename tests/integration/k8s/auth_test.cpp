// Authentication and TLS verification against the real API server and a TLS
// endpoint of the test's own, signed by another CA.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "connected_client.h"
#include "tls_test_server.h"

namespace k8s {
namespace {

using nlohmann::json;
using namespace itest_support;

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
