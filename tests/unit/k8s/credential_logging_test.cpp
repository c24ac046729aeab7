// No credential may reach a log line, at any verbosity.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "k8s/api_client.h"
#include "k8s/config.h"
#include "k8s/secret.h"
#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"
#include "k8s/watcher.h"
#include "temp_dir.h"

namespace k8s {
namespace {

constexpr const char* kToken = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl";
constexpr const char* kKey =
    "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----";

class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(Redact, MasksBearerAuthorizationJwtAndKeys) {
  std::string text =
      std::string("Authorization: Bearer ") + kToken + "\nkey=" + kKey + " token " + kToken;
  std::string out = redact(text);
  EXPECT_EQ(out.find("c2VjcmV0LXBheWxvYWQ"), std::string::npos) << out;
  EXPECT_EQ(out.find("MHcCAQEEIB"), std::string::npos) << out;
  EXPECT_NE(out.find("<redacted"), std::string::npos);
}

TEST(Secret, MaskedNeverShowsTheValue) {
  Secret s(kToken);
  EXPECT_EQ(s.masked(), "<redacted>");
  EXPECT_EQ(s.reveal(), kToken);
}

TEST(CredentialLogging, ClientRetriesRefreshesAndFailuresLogNoToken) {
  CapturedLog log;
  testing::TempDir dir;
  ClusterConfig cfg;
  cfg.token_file = dir.write("token", kToken);
  testing::FakeClock clock;
  testing::FixedRandom random;
  auto transport = std::make_shared<testing::FakeTransport>();
  auto tokens = std::make_shared<TokenProvider>(cfg, clock);
  ApiClient client(transport, tokens, clock, random, {});
  transport->push(401, "{}");
  transport->push(503, std::string("upstream saw Authorization: Bearer ") + kToken);
  transport->push(500, std::string("<html>") + kToken + "</html>");
  transport->push(make_error(ErrorKind::Transport, "reset"));
  transport->push(200, "{}");
  auto r = client.get({resources::pods(), "ns", "p", ""});
  ASSERT_TRUE(r);
  std::remove((dir.path() + "/token").c_str());
  tokens->invalidate();
  transport->push(403, R"({"kind":"Status","code":403,"reason":"Forbidden"})");
  auto forbidden = client.get({resources::pods(), "ns", "p", ""});
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().describe().find("c2VjcmV0LXBheWxvYWQ"), std::string::npos);
  std::string text = log.text();
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.find("c2VjcmV0LXBheWxvYWQ"), std::string::npos) << text;
}

TEST(CredentialLogging, KubeconfigWarningsAndErrorsShowNoKeyOrToken) {
  CapturedLog log;
  std::string yaml = std::string(R"(
current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://h", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: ")") +
                     kToken + R"(", client-certificate-data: "!!notbase64"}}]
)";
  auto cfg = parse_kubeconfig(yaml, "kc", "");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().message.find("c2VjcmV0LXBheWxvYWQ"), std::string::npos);
  EXPECT_EQ(log.text().find("c2VjcmV0LXBheWxvYWQ"), std::string::npos);
}

}  // namespace
}  // namespace k8s
