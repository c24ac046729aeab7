#include "controller/run_options.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using controller::CommandEnv;
using controller::LogFormat;
using controller::LogLevel;
using controller::ParseStop;
using controller::RunOptions;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

controller::Parsed<RunOptions> parse(std::vector<std::string> args, CommandEnv env = {}) {
  std::vector<std::string_view> views(args.begin(), args.end());
  return controller::parse_run_options(views, env);
}

RunOptions ok(std::vector<std::string> args, CommandEnv env = {}) {
  auto p = parse(std::move(args), env);
  if (auto* stop = std::get_if<ParseStop>(&p)) {
    ADD_FAILURE() << "unexpected stop: " << stop->text;
    return {};
  }
  return std::get<RunOptions>(p);
}

ParseStop stop(std::vector<std::string> args, CommandEnv env = {}) {
  auto p = parse(std::move(args), env);
  if (!std::holds_alternative<ParseStop>(p)) {
    ADD_FAILURE() << "expected the parse to stop";
    return {};
  }
  return std::get<ParseStop>(p);
}

TEST(RunOptions, Defaults) {
  const RunOptions o = ok({});
  EXPECT_TRUE(o.cluster.in_cluster());
  EXPECT_EQ(o.log.level, LogLevel::Info);
  EXPECT_EQ(o.log.format, LogFormat::Json);  // stdout is not a terminal
  EXPECT_EQ(o.metrics_interval, 60s);
  EXPECT_EQ(o.prometheus_address, "http://prometheus.monitoring:9090");
  EXPECT_TRUE(o.leader_elect);
  EXPECT_EQ(o.leader_election_namespace, "");
  EXPECT_EQ(o.leader_election_id, "rightsizer-leader");
  EXPECT_EQ(o.lease_duration, 15s);
  EXPECT_EQ(o.renew_deadline, 10s);
  EXPECT_EQ(o.retry_period, 2s);
  ASSERT_TRUE(o.metrics_bind_address);
  EXPECT_EQ(o.metrics_bind_address->host, "");
  EXPECT_EQ(o.metrics_bind_address->port, 8080);
  ASSERT_TRUE(o.health_probe_bind_address);
  EXPECT_EQ(o.health_probe_bind_address->port, 8081);
  EXPECT_EQ(o.workers, 2);
}

TEST(RunOptions, LogFormatDefaultsToTextOnATerminal) {
  EXPECT_EQ(ok({}, CommandEnv{.stdout_is_terminal = true, .kubeconfig_env = ""}).log.format,
            LogFormat::Text);
  EXPECT_EQ(
      ok({"--log-format", "json"}, CommandEnv{.stdout_is_terminal = true, .kubeconfig_env = ""})
          .log.format,
      LogFormat::Json);
  EXPECT_EQ(ok({"--log-format=text"}).log.format, LogFormat::Text);
}

TEST(RunOptions, EveryFlag) {
  const RunOptions o = ok({"--kubeconfig",
                           "/k",
                           "--context",
                           "kind",
                           "--log-level",
                           "debug",
                           "--metrics-interval",
                           "30s",
                           "--prometheus-address",
                           "https://prom:9091",
                           "--leader-elect=false",
                           "--leader-election-namespace",
                           "ops",
                           "--leader-election-id",
                           "rs.example.com",
                           "--lease-duration",
                           "30s",
                           "--renew-deadline",
                           "20s",
                           "--retry-period",
                           "4s",
                           "--metrics-bind-address",
                           "127.0.0.1:0",
                           "--health-probe-bind-address",
                           "[::1]:9440",
                           "--workers",
                           "8"});
  EXPECT_EQ(o.cluster.kubeconfig, "/k");
  EXPECT_EQ(o.cluster.context, "kind");
  EXPECT_EQ(o.log.level, LogLevel::Debug);
  EXPECT_EQ(o.metrics_interval, 30s);
  EXPECT_EQ(o.prometheus_address, "https://prom:9091");
  EXPECT_FALSE(o.leader_elect);
  EXPECT_EQ(o.leader_election_namespace, "ops");
  EXPECT_EQ(o.leader_election_id, "rs.example.com");
  EXPECT_EQ(o.lease_duration, 30s);
  EXPECT_EQ(o.renew_deadline, 20s);
  EXPECT_EQ(o.retry_period, 4s);
  ASSERT_TRUE(o.metrics_bind_address);
  EXPECT_EQ(o.metrics_bind_address->host, "127.0.0.1");
  EXPECT_EQ(o.metrics_bind_address->port, 0);
  ASSERT_TRUE(o.health_probe_bind_address);
  EXPECT_EQ(o.health_probe_bind_address->host, "::1");
  EXPECT_EQ(o.health_probe_bind_address->port, 9440);
  EXPECT_EQ(o.workers, 8);
}

TEST(RunOptions, ZeroTurnsAListenerOff) {
  const RunOptions o = ok({"--metrics-bind-address", "0", "--health-probe-bind-address=0"});
  EXPECT_FALSE(o.metrics_bind_address);
  EXPECT_FALSE(o.health_probe_bind_address);
}

TEST(RunOptions, KubeconfigFromEnvironmentUnlessTheFlagIsGiven) {
  const CommandEnv env{.stdout_is_terminal = false, .kubeconfig_env = "/env/config"};
  EXPECT_EQ(ok({}, env).cluster.kubeconfig, "/env/config");
  EXPECT_EQ(ok({"--kubeconfig", "/flag"}, env).cluster.kubeconfig, "/flag");
  EXPECT_EQ(ok({"--context", "c"}, env).cluster.context, "c");
}

TEST(RunOptions, HelpExplainsWhatTheCommandDoes) {
  const ParseStop s = stop({"--help"});
  EXPECT_EQ(s.exit_code, 0);
  EXPECT_TRUE(s.text.ends_with(".yaml --log-level debug\n")) << s.text;
  for (const char* text : {"rightsizer.io/policy", "metrics-server", "--kubeconfig", "--config",
                           "Examples:", "--leader-elect", "--log-format", "30s"})
    EXPECT_NE(s.text.find(text), std::string::npos) << text << " missing from:\n" << s.text;
}

struct BadRun {
  std::vector<std::string> args;
  std::string expected;  // in the one error line
};

class RunOptionsRejects : public testing::TestWithParam<BadRun> {};

TEST_P(RunOptionsRejects, WithOneLineNamingTheProblem) {
  const ParseStop s = stop(GetParam().args);
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_EQ(std::count(s.text.begin(), s.text.end(), '\n'), 1) << s.text;
  EXPECT_EQ(s.text.rfind("rightsizer run: ", 0), 0U) << s.text;
  EXPECT_NE(s.text.find(GetParam().expected), std::string::npos) << s.text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, RunOptionsRejects,
    testing::Values(BadRun{{"--frobnicate"}, "--frobnicate"}, BadRun{{"stray"}, "stray"},
                    BadRun{{"--metrics-interval"}, "--metrics-interval"},
                    BadRun{{"--metrics-interval", "soon"}, "not a duration"},
                    BadRun{{"--metrics-interval", "1s"}, "between 5s and 1h"},
                    BadRun{{"--metrics-interval", "2h"}, "between 5s and 1h"},
                    BadRun{{"--prometheus-address", "prom:9090"}, "--prometheus-address"},
                    BadRun{{"--prometheus-address", "http://"}, "--prometheus-address"},
                    BadRun{{"--leader-election-namespace", "Ops"}, "--leader-election-namespace"},
                    BadRun{{"--leader-election-id", "a_b"}, "--leader-election-id"},
                    BadRun{{"--leader-election-id", ""}, "--leader-election-id"},
                    BadRun{{"--lease-duration", "10s"}, "greater than --renew-deadline"},
                    BadRun{{"--renew-deadline", "2400ms"}, "1.2 x --retry-period"},
                    BadRun{{"--retry-period", "0s"}, "--retry-period"},
                    BadRun{{"--metrics-bind-address", "8080"}, "HOST:PORT"},
                    BadRun{{"--metrics-bind-address", ":65536"}, "0 to 65535"},
                    BadRun{{"--metrics-bind-address", ":80x"}, "0 to 65535"},
                    BadRun{{"--metrics-bind-address", "::1:80"}, "brackets"},
                    BadRun{{"--health-probe-bind-address", "[::1:80"},
                           "--health-probe-bind-address"},
                    BadRun{{"--workers", "0"}, "--workers"},
                    BadRun{{"--workers", "65"}, "--workers"},
                    BadRun{{"--workers", "many"}, "--workers"},
                    BadRun{{"--log-level", "loud"}, "--log-level \"loud\""},
                    BadRun{{"--log-format", "xml"}, "--log-format \"xml\""},
                    BadRun{{"--leader-elect=maybe"}, "--leader-elect"},
                    BadRun{{"--context", "c"}, "--context needs a kubeconfig"}));

class RunConfigFile : public testing::Test {
 protected:
  void SetUp() override {
    std::string name = testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '-');  // parameterized names hold a '/'
    path_ = fs::temp_directory_path() / ("rightsizer-run-config-" + name + ".yaml");
  }
  void TearDown() override { fs::remove(path_); }
  std::string write(const std::string& text) {
    std::ofstream(path_) << text;
    return path_.string();
  }
  fs::path path_;
};

TEST_F(RunConfigFile, KeysMirrorFlagsAndTheCommandLineWins) {
  const std::string file = write(
      "# operator settings\n"
      "metrics-interval: 30s\n"
      "leader-elect: false\n"
      "workers: 4\n"
      "log-level: warn\n"
      "metrics-bind-address: \":9090\"\n");
  const RunOptions o = ok({"--config", file, "--workers", "6"});
  EXPECT_EQ(o.metrics_interval, 30s);
  EXPECT_FALSE(o.leader_elect);
  EXPECT_EQ(o.workers, 6);
  EXPECT_EQ(o.log.level, LogLevel::Warn);
  ASSERT_TRUE(o.metrics_bind_address);
  EXPECT_EQ(o.metrics_bind_address->port, 9090);
}

TEST_F(RunConfigFile, EmptyFileIsAllDefaults) {
  EXPECT_EQ(ok({"--config", write("")}).workers, 2);
}

TEST_F(RunConfigFile, ValuesAreValidatedLikeFlags) {
  const ParseStop s = stop({"--config", write("metrics-interval: soon\n")});
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.text.find("--metrics-interval \"soon\""), std::string::npos) << s.text;
}

struct BadConfig {
  std::string text;
  std::string expected;
};

class RunConfigRejects : public RunConfigFile, public testing::WithParamInterface<BadConfig> {};

TEST_P(RunConfigRejects, NamingTheFile) {
  const std::string file = write(GetParam().text);
  const ParseStop s = stop({"--config", file});
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_EQ(std::count(s.text.begin(), s.text.end(), '\n'), 1) << s.text;
  EXPECT_NE(s.text.find(file + ": "), std::string::npos) << s.text;
  EXPECT_NE(s.text.find(GetParam().expected), std::string::npos) << s.text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, RunConfigRejects,
    testing::Values(BadConfig{"metrics-intervl: 30s\n", "unknown key \"metrics-intervl\""},
                    BadConfig{"config: other.yaml\n", "unknown key \"config\""},
                    BadConfig{"help: true\n", "unknown key \"help\""},
                    BadConfig{"workers: {a: 1}\n", "single value"},
                    BadConfig{"- workers\n", "mapping"},
                    BadConfig{"workers: 1\n---\nworkers: 2\n", "one YAML document"},
                    BadConfig{"workers: [1\n", "line"},
                    BadConfig{"x: " + std::string(70 * 1024, 'a') + "\n", "KiB"}));

TEST(RunOptions, MissingConfigFileIsAUsageError) {
  const ParseStop s = stop({"--config", "/nonexistent/rightsizer.yaml"});
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.text.find("/nonexistent/rightsizer.yaml"), std::string::npos) << s.text;
}

}  // namespace
