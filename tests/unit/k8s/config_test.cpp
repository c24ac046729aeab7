#include "k8s/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "k8s/testing/fake_clock.h"
#include "k8s/token_provider.h"
#include "temp_dir.h"

namespace k8s {
namespace {

using ::testing::HasSubstr;

const char* kTwoContexts = R"(
apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
- name: prod
  context: {cluster: prod-cluster, user: prod-user}
clusters:
- name: dev-cluster
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: Q0EtUEVN
- name: prod-cluster
  cluster:
    server: https://[::1]:8443/
    certificate-authority: ca.pem
    tls-server-name: api.prod
users:
- name: dev-user
  user:
    token: dev-token
- name: prod-user
  user:
    client-certificate: certs/client.pem
    client-key-data: S0VZLVBFTQ==
)";

TEST(Kubeconfig, UsesCurrentContext) {
  auto cfg = parse_kubeconfig(kTwoContexts, "kc", "/nowhere");
  ASSERT_TRUE(cfg) << cfg.error().describe();
  EXPECT_EQ(cfg->host, "127.0.0.1");
  EXPECT_EQ(cfg->port, "6443");
  EXPECT_EQ(cfg->ca_pem, "CA-PEM");
  EXPECT_EQ(cfg->token.reveal(), "dev-token");
  EXPECT_EQ(cfg->namespace_, "team-a");
  EXPECT_FALSE(cfg->insecure_skip_tls_verify);
}

TEST(Kubeconfig, ContextOverrideAndFilesRelativeToKubeconfig) {
  testing::TempDir dir;
  dir.write("ca.pem", "CA-FROM-FILE");
  std::filesystem::create_directories(dir.path() + "/certs");
  dir.write("certs/client.pem", "CERT-FROM-FILE");
  auto path = dir.write("config", kTwoContexts);
  auto cfg = load_kubeconfig(path, "prod");
  ASSERT_TRUE(cfg) << cfg.error().describe();
  EXPECT_EQ(cfg->host, "::1");
  EXPECT_EQ(cfg->port, "8443");
  EXPECT_EQ(cfg->tls_server_name, "api.prod");
  EXPECT_EQ(cfg->ca_pem, "CA-FROM-FILE");
  EXPECT_EQ(cfg->client_cert_pem.reveal(), "CERT-FROM-FILE");
  EXPECT_EQ(cfg->client_key_pem.reveal(), "KEY-PEM");
  EXPECT_EQ(cfg->namespace_, "default");
  EXPECT_THAT(cfg->source, HasSubstr("context prod"));
}

TEST(Kubeconfig, TokenFileIsResolvedAndReadThroughProvider) {
  testing::TempDir dir;
  dir.write("token", "file-token\n");
  auto path = dir.write("config", R"(
current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://h"}}]
users: [{name: u, user: {tokenFile: token}}]
)");
  auto cfg = load_kubeconfig(path);
  ASSERT_TRUE(cfg) << cfg.error().describe();
  EXPECT_EQ(cfg->port, "443");
  testing::FakeClock clock;
  TokenProvider tokens(*cfg, clock);
  EXPECT_EQ(tokens.token()->reveal(), "file-token");
}

TEST(Kubeconfig, InsecureSkipVerifyIsHonoured) {
  auto cfg = parse_kubeconfig(R"(
current-context: c
contexts: [{name: c, context: {cluster: k}}]
clusters: [{name: k, cluster: {server: "https://h:1", insecure-skip-tls-verify: true}}]
)",
                              "kc", "");
  ASSERT_TRUE(cfg) << cfg.error().describe();
  EXPECT_TRUE(cfg->insecure_skip_tls_verify);
}

struct BadCase {
  const char* label;
  const char* yaml;
  const char* context;
  const char* expected;  // a substring of the error message
};

class KubeconfigErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(KubeconfigErrorTest, NamesFileFieldAndExpectation) {
  auto cfg = parse_kubeconfig(GetParam().yaml, "/etc/kc", "/etc", GetParam().context);
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().kind, ErrorKind::Config);
  EXPECT_THAT(cfg.error().message, HasSubstr("kubeconfig /etc/kc: "));
  EXPECT_THAT(cfg.error().message, HasSubstr(GetParam().expected));
}

#define CTX "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
#define CLUSTER "clusters: [{name: k, cluster: {server: \"https://h:6443\"}}]\n"

INSTANTIATE_TEST_SUITE_P(
    Errors, KubeconfigErrorTest,
    ::testing::Values(
        BadCase{"not_yaml", "a: [b", "", "not valid YAML"},
        BadCase{"not_a_map", "- 1\n- 2\n", "", "expected a map"},
        BadCase{"no_current_context", CTX CLUSTER, "", "current-context: missing"},
        BadCase{"unknown_context", "current-context: c\n" CTX CLUSTER, "other",
                "contexts: no entry named 'other'"},
        BadCase{"unknown_cluster", "current-context: c\n" CTX "clusters: []\n", "",
                "clusters: no entry named 'k'"},
        BadCase{"missing_server", "current-context: c\n" CTX "clusters: [{name: k, cluster: {}}]\n",
                "", "clusters[name=k].cluster.server: missing"},
        BadCase{"http_server",
                "current-context: c\n" CTX "clusters: [{name: k, cluster: {server: 'http://h'}}]\n",
                "", "is not an https URL"},
        BadCase{"bad_port",
                "current-context: c\n" CTX
                "clusters: [{name: k, cluster: {server: 'https://h:x'}}]\n",
                "", "invalid port"},
        BadCase{"bad_ca_data",
                "current-context: c\n" CTX "clusters: [{name: k, cluster: {server: 'https://h', "
                "certificate-authority-data: '***'}}]\n",
                "", "certificate-authority-data: expected base64"},
        BadCase{"missing_ca_file",
                "current-context: c\n" CTX "clusters: [{name: k, cluster: {server: 'https://h', "
                "certificate-authority: nope.pem}}]\n",
                "", "cannot read file '/etc/nope.pem'"},
        BadCase{"insecure_not_bool",
                "current-context: c\n" CTX "clusters: [{name: k, cluster: {server: 'https://h', "
                "insecure-skip-tls-verify: maybe}}]\n",
                "", "insecure-skip-tls-verify: expected true or false"},
        BadCase{
            "insecure_with_ca",
            "current-context: c\n" CTX
            "clusters: [{name: k, cluster: {server: 'https://h', insecure-skip-tls-verify: true, "
            "certificate-authority-data: Q0E=}}]\n",
            "", "cannot be combined"},
        BadCase{"cert_without_key",
                "current-context: c\n" CTX CLUSTER
                "users: [{name: u, user: {client-certificate-data: Q0E=}}]\n",
                "", "client-certificate and client-key must be given together"},
        BadCase{"exec_plugin",
                "current-context: c\n" CTX CLUSTER
                "users: [{name: u, user: {exec: {command: x}}}]\n",
                "", "users[name=u].user.exec: not supported"},
        BadCase{"token_not_string",
                "current-context: c\n" CTX CLUSTER "users: [{name: u, user: {token: [a]}}]\n", "",
                "users[name=u].user.token: expected a string"}),
    [](const auto& info) { return std::string(info.param.label); });

TEST(Kubeconfig, MissingFileNamesIt) {
  auto cfg = load_kubeconfig("/definitely/not/here/config");
  ASSERT_FALSE(cfg);
  EXPECT_THAT(cfg.error().message, HasSubstr("/definitely/not/here/config"));
}

class InClusterTest : public ::testing::Test {
 protected:
  InClusterSources sources(bool with_env) {
    InClusterSources s;
    s.service_account_dir = dir_.path();
    s.getenv = [with_env](const std::string& name) -> std::optional<std::string> {
      if (!with_env) return std::nullopt;
      if (name == "KUBERNETES_SERVICE_HOST") return "10.0.0.1";
      if (name == "KUBERNETES_SERVICE_PORT") return "443";
      return std::nullopt;
    };
    return s;
  }
  testing::TempDir dir_;
};

TEST_F(InClusterTest, ReadsServiceAccountFiles) {
  dir_.write("ca.crt", "CLUSTER-CA");
  dir_.write("token", "sa-token\n");
  dir_.write("namespace", "operators");
  auto cfg = load_in_cluster_config(sources(true));
  ASSERT_TRUE(cfg) << cfg.error().describe();
  EXPECT_EQ(cfg->server, "https://10.0.0.1:443");
  EXPECT_EQ(cfg->ca_pem, "CLUSTER-CA");
  EXPECT_EQ(cfg->namespace_, "operators");
  EXPECT_EQ(cfg->token_file, dir_.path() + "/token");
}

TEST_F(InClusterTest, MissingEnvironmentIsAClearError) {
  auto cfg = load_in_cluster_config(sources(false));
  ASSERT_FALSE(cfg);
  EXPECT_THAT(cfg.error().message, HasSubstr("KUBERNETES_SERVICE_HOST"));
}

TEST_F(InClusterTest, MissingCaNamesTheFile) {
  dir_.write("token", "t");
  auto cfg = load_in_cluster_config(sources(true));
  ASSERT_FALSE(cfg);
  EXPECT_THAT(cfg.error().message, HasSubstr(dir_.path() + "/ca.crt"));
}

TEST_F(InClusterTest, TokenIsReReadEveryMinuteAndAfterInvalidate) {
  ClusterConfig cfg;
  cfg.token_file = dir_.write("token", "one");
  testing::FakeClock clock;
  TokenProvider tokens(cfg, clock);
  EXPECT_EQ(tokens.token()->reveal(), "one");
  dir_.write("token", "two");
  clock.advance(std::chrono::seconds(59));
  EXPECT_EQ(tokens.token()->reveal(), "one");
  clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(tokens.token()->reveal(), "two");
  dir_.write("token", "three");
  tokens.invalidate();
  EXPECT_EQ(tokens.token()->reveal(), "three");
}

TEST_F(InClusterTest, UnreadableTokenKeepsThePreviousOne) {
  ClusterConfig cfg;
  cfg.token_file = dir_.write("token", "one");
  testing::FakeClock clock;
  TokenProvider tokens(cfg, clock);
  EXPECT_EQ(tokens.token()->reveal(), "one");
  std::filesystem::remove(cfg.token_file);
  tokens.invalidate();
  EXPECT_EQ(tokens.token()->reveal(), "one");
}

TEST(Base64, RoundTrips) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\x01\xff\x10"}) {
    auto d = base64_decode(base64_encode(s));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, s);
  }
  EXPECT_FALSE(base64_decode("a*b"));
}

}  // namespace
}  // namespace k8s
