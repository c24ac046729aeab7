// `rightsizer run` as a process against the local cluster, with the admin
// kubeconfig: /readyz after the caches synced, /metrics, the Rightsizing of
// an annotated Deployment, SIGTERM → exit 0 with the lease released, and a
// lease taken over by another holder → exit 1. Every wait is bounded.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cluster.h"

extern char** environ;

namespace {

using namespace std::chrono_literals;

// A free port on 127.0.0.1 now (the operator binds it right after).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The operator process, its output in a log file.
class Operator {
 public:
  Operator(const std::vector<std::string>& argv, std::string log) : log_(std::move(log)) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid = -1;
    if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) == 0) pid_ = pid;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Operator() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  // Sends `sig` (0: none) and waits up to `bound` for the exit; its code.
  std::optional<int> wait_exit(int sig, std::chrono::seconds bound) {
    if (pid_ <= 0) return std::nullopt;
    if (sig != 0) ::kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(50ms);
    }
    return std::nullopt;
  }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
};

std::string http_get(int port, const std::string& path, std::string* body = nullptr) {
  auto r =
      itest::run({"curl", "-s", "-m", "5", "-o", body ? "-" : "/dev/null", "-w",
                  body ? "" : "%{http_code}", "http://127.0.0.1:" + std::to_string(port) + path});
  if (body) {
    *body = r.out;
    return r.ok() ? "200" : "";
  }
  return r.out;
}

class OperatorRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto crds = itest::kubectl({"apply", "-f", std::string(RIGHTSIZER_SOURCE_DIR) + "/crds"});
    ASSERT_TRUE(crds.ok()) << crds.err;
    ASSERT_TRUE(
        itest::kubectl({"wait", "--for=condition=Established", "--timeout=60s",
                        "crd/rightsizepolicies.rightsizer.io", "crd/rightsizings.rightsizer.io"})
            .ok());
  }

  void apply(const std::string& yaml) {
    auto r = itest::kubectl({"apply", "-f", "-"}, yaml);
    ASSERT_TRUE(r.ok()) << r.err;
  }

  void apply_policy_and_workload(const std::string& ns) {
    apply(
        "apiVersion: rightsizer.io/v1alpha1\nkind: RightsizePolicy\nmetadata:\n  name: standard\n"
        "  namespace: " +
        ns + "\nspec:\n  mode: Recommend\n");
    apply("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: " + ns +
          "\n  annotations: {rightsizer.io/policy: standard}\nspec:\n  replicas: 1\n"
          "  selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n"
          "      labels: {app: web}\n"
          "      annotations: {kwok.x-k8s.io/usage-cpu: 300m, kwok.x-k8s.io/usage-memory: 200Mi}\n"
          "    spec:\n"
          "      containers:\n      - name: app\n        image: web:1\n"
          "        resources: {requests: {cpu: '2', memory: 1Gi}}\n");
  }

  std::unique_ptr<Operator> start(const std::string& ns, int health, int metrics) {
    const auto& env = itest::ClusterEnv::get();
    return std::make_unique<Operator>(
        std::vector<std::string>{
            RIGHTSIZER_BIN, "run", "--kubeconfig", env.kubeconfig, "--metrics-interval", "5s",
            "--log-format", "json", "--health-probe-bind-address",
            "127.0.0.1:" + std::to_string(health), "--metrics-bind-address",
            "127.0.0.1:" + std::to_string(metrics), "--leader-election-namespace", ns},
        env.data_dir + "/logs/operator-" + ns + ".log");
  }
};

TEST_F(OperatorRunTest, ReadyAfterSyncRecommendsAndStopsCleanlyOnSigterm) {
  itest::TestNamespace ns("op-run");
  apply_policy_and_workload(ns.name());
  const int health = free_port(), metrics = free_port();
  auto op = start(ns.name(), health, metrics);
  EXPECT_EQ(http_get(health, "/healthz").empty(), false);
  ASSERT_TRUE(itest::eventually([&] { return http_get(health, "/readyz") == "200"; }, 60s))
      << op->log();
  EXPECT_EQ(http_get(health, "/healthz"), "200");

  // The reconciler creates the annotated Deployment's Rightsizing.
  EXPECT_TRUE(itest::eventually(
      [&] {
        return itest::kubectl(
                   {"-n", ns.name(), "get", "rightsizings.rightsizer.io", "deployment-web"})
            .ok();
      },
      90s))
      << op->log();

  // ... and keeps its status: still learning (the policy's minObservation).
  std::string phase;
  EXPECT_TRUE(itest::eventually(
      [&] {
        phase = itest::kubectl({"-n", ns.name(), "get", "rightsizings.rightsizer.io",
                                "deployment-web", "-o", "jsonpath={.status.phase}"})
                    .out;
        return phase == "Observing";
      },
      60s))
      << phase << "\n"
      << op->log();

  // `rightsizer recommend` reads it back (one LIST, no operator needed).
  const auto& env = itest::ClusterEnv::get();
  auto rec = itest::run(
      {RIGHTSIZER_BIN, "recommend", "--kubeconfig", env.kubeconfig, "-n", ns.name(), "-o", "json"});
  ASSERT_TRUE(rec.ok()) << rec.err;
  auto items = nlohmann::json::parse(rec.out, nullptr, false)["items"];
  ASSERT_EQ(items.size(), 1u) << rec.out;
  EXPECT_EQ(items[0]["workload"], "Deployment/web");
  EXPECT_EQ(items[0]["container"], "app");
  EXPECT_EQ(items[0]["current"]["requests"]["cpu"], "2");

  std::string text;
  ASSERT_TRUE(itest::eventually(
      [&] {
        http_get(metrics, "/metrics", &text);
        return text.find("rightsizer_leader 1") != std::string::npos &&
               text.find("rightsizer_usage_samples_total 0") == std::string::npos;
      },
      60s))
      << text;
  EXPECT_NE(text.find("rightsizer_api_requests_total{verb=\"WATCH\",code=\"200\"}"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rightsizer_reconciles_total{result="), std::string::npos);
  EXPECT_NE(text.find("rightsizer_workqueue_depth"), std::string::npos);

  auto code = op->wait_exit(SIGTERM, 30s);
  ASSERT_TRUE(code.has_value()) << op->log();
  EXPECT_EQ(*code, 0) << op->log();
  // The lease was handed over on the way out.
  auto holder = itest::kubectl({"-n", ns.name(), "get", "lease", "rightsizer-leader", "-o",
                                "jsonpath={.spec.holderIdentity}"});
  ASSERT_TRUE(holder.ok()) << holder.err;
  EXPECT_EQ(holder.out, "");
}

TEST_F(OperatorRunTest, ALeaseTakenByAnotherHolderEndsTheProcessWithOne) {
  itest::TestNamespace ns("op-lease");
  const int health = free_port(), metrics = free_port();
  auto op = start(ns.name(), health, metrics);
  std::string text;
  ASSERT_TRUE(itest::eventually(
      [&] {
        http_get(metrics, "/metrics", &text);
        return text.find("rightsizer_leader 1") != std::string::npos;
      },
      60s))
      << op->log();
  auto r =
      itest::kubectl({"-n", ns.name(), "patch", "lease", "rightsizer-leader", "--type=merge", "-p",
                      R"({"spec":{"holderIdentity":"someone-else","leaseDurationSeconds":60}})"});
  ASSERT_TRUE(r.ok()) << r.err;
  auto code = op->wait_exit(0, 30s);
  ASSERT_TRUE(code.has_value()) << op->log();
  EXPECT_EQ(*code, 1) << op->log();
  EXPECT_NE(op->log().find("lost the leader lease"), std::string::npos) << op->log();
}

TEST_F(OperatorRunTest, RecommendSamplesMetricsServerItselfWithoutAnOperator) {
  itest::TestNamespace ns("op-sample");
  apply_policy_and_workload(ns.name());
  // metrics-server reports the kwok pod once it has two scrapes of it.
  const std::string path = "/apis/metrics.k8s.io/v1beta1/namespaces/" + ns.name() + "/pods";
  ASSERT_TRUE(itest::eventually(
      [&] {
        auto r = itest::kubectl({"get", "--raw", path});
        auto j = nlohmann::json::parse(r.out, nullptr, false);
        return r.ok() && j.is_object() && j["items"].size() == 1;
      },
      120s));
  const auto& env = itest::ClusterEnv::get();
  auto rec = itest::run({RIGHTSIZER_BIN, "recommend", "--kubeconfig", env.kubeconfig, "-n",
                         ns.name(), "--sample", "10s", "--metrics-interval", "5s"});
  ASSERT_TRUE(rec.ok()) << rec.err;
  EXPECT_NE(rec.out.find("minObservation is ignored"), std::string::npos) << rec.out;
  // 300m of usage on a 2-core request: a recommendation well below 2 cores.
  EXPECT_NE(rec.out.find("Deployment/web   app         Recommended   2→"), std::string::npos)
      << rec.out << rec.err;
  EXPECT_EQ(rec.out.find("2→2 "), std::string::npos) << rec.out;
  // Nothing was written: no Rightsizing exists without the operator.
  auto list = itest::kubectl({"-n", ns.name(), "get", "rightsizings.rightsizer.io", "-o", "name"});
  ASSERT_TRUE(list.ok()) << list.err;
  EXPECT_EQ(list.out, "");
}

}  // namespace
