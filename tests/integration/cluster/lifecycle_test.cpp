// hack/cluster's own contract, on a second cluster of its own: `up` is
// idempotent, `down` stops exactly what it started and removes its data,
// and `up` after `down` gives a working cluster again.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/cluster.h"

namespace {

using namespace std::chrono_literals;

class ClusterLifecycle : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* dir = std::getenv("RIGHTSIZER_LIFECYCLE_DIR");
    ASSERT_NE(dir, nullptr) << "run through ctest";
    // As hack/cluster resolves it: processes are found by this path.
    dir_ = std::filesystem::weakly_canonical(dir).string();
    ASSERT_FALSE(std::filesystem::path(dir_).filename().empty()) << dir_;
    // hack/cluster reads the directory from the environment.
    setenv("RIGHTSIZER_CLUSTER_DIR", dir_.c_str(), 1);
  }
  void TearDown() override { cluster("down"); }

  itest::CommandResult cluster(const std::string& verb) {
    return itest::run({std::string(RIGHTSIZER_SOURCE_DIR) + "/hack/cluster", verb});
  }

  // Processes whose command line names this cluster's directory.
  int processes_of_cluster() {
    auto r = itest::run({"pgrep", "-f", "-c", dir_});
    return r.ok() ? std::stoi(r.out) : 0;
  }

  std::string pid_of(const std::string& component) {
    std::ifstream in(dir_ + "/pids/" + component + ".pid");
    std::string pid;
    in >> pid;
    return pid;
  }

  bool apiserver_ready() {
    std::string kubeconfig = dir_ + "/admin.kubeconfig";
    auto r = itest::run({"curl", "-sf", "--max-time", "5", "--cacert", dir_ + "/certs/ca.crt",
                         "--cert", dir_ + "/certs/admin.crt", "--key", dir_ + "/certs/admin.key",
                         apiserver_url() + "/readyz"});
    return r.ok() && r.out == "ok";
  }

  std::string apiserver_url() {
    std::ifstream in(dir_ + "/env");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("KUBE_APISERVER_URL=", 0) == 0) return line.substr(19);
    }
    return {};
  }

  std::string dir_;
};

TEST_F(ClusterLifecycle, UpIsIdempotentDownStopsEverythingAndUpWorksAgain) {
  auto up = cluster("up");
  ASSERT_TRUE(up.ok()) << up.err;
  EXPECT_TRUE(apiserver_ready());
  EXPECT_TRUE(cluster("status").ok());
  const std::string apiserver_pid = pid_of("kube-apiserver");

  auto again = cluster("up");
  ASSERT_TRUE(again.ok()) << again.err;
  EXPECT_NE(again.err.find("already up"), std::string::npos) << again.err;
  EXPECT_EQ(pid_of("kube-apiserver"), apiserver_pid) << "a second up restarted the apiserver";

  EXPECT_GE(processes_of_cluster(), 7);
  auto down = cluster("down");
  ASSERT_TRUE(down.ok()) << down.err;
  EXPECT_EQ(processes_of_cluster(), 0);
  EXPECT_FALSE(std::filesystem::exists(dir_));
  EXPECT_FALSE(cluster("status").ok());

  // Up again, the directory named relative to the working directory: the
  // kubeconfigs must still find their certificates (they name them by path).
  const std::filesystem::path abs(dir_);
  auto up2 = itest::run({"env", "-C", abs.parent_path().string(),
                         "RIGHTSIZER_CLUSTER_DIR=" + abs.filename().string(),
                         std::string(RIGHTSIZER_SOURCE_DIR) + "/hack/cluster", "up"});
  ASSERT_TRUE(up2.ok()) << up2.err;
  EXPECT_TRUE(apiserver_ready());
  auto nodes =
      itest::run({itest::ClusterEnv::get().bin("kubectl"),
                  "--kubeconfig=" + dir_ + "/admin.kubeconfig", "get", "nodes", "-o", "name"});
  EXPECT_TRUE(nodes.ok()) << nodes.err;
  EXPECT_NE(nodes.out.find("node/kwok-node-2"), std::string::npos) << nodes.out;
}

}  // namespace
