// What the operator may do, asked as the operator: `kubectl auth can-i
// --list` authenticated with the same TokenRequest token the e2e operator
// runs with (not by impersonation), compared with the reviewed golden files
// of tests/integration/manifests/golden/ (install_tests compares the
// impersonated `--as=system:serviceaccount:...` list with the same files).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/cluster.h"
#include "support/operator_process.h"
#include "support/workloads.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kGolden =
    fs::path(RIGHTSIZER_SOURCE_DIR) / "tests" / "integration" / "manifests" / "golden";

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// kubectl with no kubeconfig at all: the apiserver, its CA and the token,
// as the operator's in-cluster config has them.
itest::CommandResult kubectl_as_operator(const e2e::ServiceAccountFiles& sa,
                                         std::vector<std::string> args) {
  const auto& env = itest::ClusterEnv::get();
  std::vector<std::string> argv{
      env.bin("kubectl"), "--kubeconfig=/dev/null", "--server=" + env.apiserver_url,
      "--certificate-authority=" + sa.dir() + "/ca.crt", "--token=" + sa.token()};
  argv.insert(argv.end(), args.begin(), args.end());
  return itest::run(argv);
}

class OperatorIdentity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { e2e::install_operator(); }
};

TEST_F(OperatorIdentity, TokenAuthenticatesAsTheServiceAccount) {
  const e2e::ServiceAccountFiles sa;
  const auto who =
      kubectl_as_operator(sa, {"auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"});
  ASSERT_TRUE(who.ok()) << who.err;
  EXPECT_EQ(who.out, e2e::kServiceAccountUser);
}

// The harness itself: a program run as the operator is (kubectl, which has
// an in-cluster config like ours) reaches the apiserver through
// KUBERNETES_SERVICE_HOST/PORT, verifies it with the mounted ca.crt and is
// the ServiceAccount by the mounted token; the mount is the process's own.
TEST_F(OperatorIdentity, ProcessRunLikeAPodUsesTheMountedServiceAccount) {
  const e2e::ServiceAccountFiles sa;
  const auto& env = itest::ClusterEnv::get();
  const auto who = e2e::run_in_pod(
      sa, {env.bin("kubectl"), "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"});
  ASSERT_TRUE(who.ok()) << who.err;
  EXPECT_EQ(who.out, e2e::kServiceAccountUser);
  const auto ns =
      e2e::run_in_pod(sa, {"cat", "/var/run/secrets/kubernetes.io/serviceaccount/namespace"});
  EXPECT_EQ(ns.out, e2e::kOperatorNamespace) << ns.err;
  // (On a machine that is itself a pod, the path exists with its own token.)
  EXPECT_NE(read("/var/run/secrets/kubernetes.io/serviceaccount/token"), sa.token())
      << "the mount leaked out of the process's mount namespace";
}

TEST_F(OperatorIdentity, CanIListWithItsTokenEqualsTheGoldenFiles) {
  const e2e::ServiceAccountFiles sa;
  for (const auto& [ns, golden] :
       {std::pair{std::string(e2e::kOperatorNamespace), "can-i-operator-namespace.txt"},
        std::pair{std::string("default"), "can-i-other-namespace.txt"}}) {
    itest::CommandResult r;
    const std::string want = read(kGolden / golden);
    ASSERT_FALSE(want.empty()) << kGolden / golden;
    // RBAC changes reach the authorizer's cache within moments.
    EXPECT_TRUE(itest::eventually(
        [&] {
          r = kubectl_as_operator(sa, {"auth", "can-i", "--list", "-n", ns});
          return r.ok() && r.out == want;
        },
        30s))
        << "kubectl auth can-i --list -n " << ns << " (as the operator's token):\n"
        << r.out << r.err << "\nexpected (" << golden << "):\n"
        << want;
  }
}

}  // namespace
