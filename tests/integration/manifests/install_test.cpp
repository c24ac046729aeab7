// manifests/ against the real apiserver: `kubectl apply -k manifests/`
// installs everything (server-side dry run first), the operator's pods are
// admitted under restricted Pod Security, and what its ServiceAccount may do
// equals a reviewed golden file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/cluster.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kSource = RIGHTSIZER_SOURCE_DIR;
const fs::path kGolden = kSource / "tests" / "integration" / "manifests" / "golden";
constexpr const char* kNamespace = "rightsizer-system";
constexpr const char* kServiceAccount = "system:serviceaccount:rightsizer-system:rightsizer";

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Applies (or dry-runs) the install; several test processes may do so at
// once under `ctest -j`, and a conflicting concurrent apply is retried.
itest::CommandResult apply(bool dry_run) {
  std::vector<std::string> args{"apply", "-k", (kSource / "manifests").string()};
  if (dry_run) args.push_back("--dry-run=server");
  itest::CommandResult r;
  (void)itest::eventually(
      [&] {
        r = itest::kubectl(args);
        return r.ok();
      },
      30s, 1s);
  return r;
}

TEST(Install, ServerSideDryRunAcceptsEveryObjectWithoutWarnings) {
  // A dry run cannot create the namespace its objects go into: that one
  // object is applied for real first.
  const auto ns =
      itest::kubectl({"apply", "-f", (kSource / "manifests" / "namespace.yaml").string()});
  ASSERT_TRUE(ns.ok()) << ns.err;
  const auto r = apply(/*dry_run=*/true);
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_EQ(r.err.find("Warning"), std::string::npos) << r.err;  // e.g. PodSecurity
  for (const char* object :
       {"namespace/rightsizer-system",
        "customresourcedefinition.apiextensions.k8s.io/"
        "rightsizepolicies.rightsizer.io",
        "customresourcedefinition.apiextensions.k8s.io/rightsizings.rightsizer.io",
        "serviceaccount/rightsizer", "clusterrole.rbac.authorization.k8s.io/rightsizer",
        "clusterrolebinding.rbac.authorization.k8s.io/rightsizer",
        "role.rbac.authorization.k8s.io/rightsizer-leader-election",
        "rolebinding.rbac.authorization.k8s.io/rightsizer-leader-election",
        "service/rightsizer-metrics", "deployment.apps/rightsizer",
        "poddisruptionbudget.policy/rightsizer"})
    EXPECT_NE(r.out.find(std::string(object) + " "), std::string::npos) << object << "\n" << r.out;
}

TEST(Install, OperatorPodsAreAdmittedUnderRestrictedPodSecurity) {
  const auto r = apply(/*dry_run=*/false);
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_EQ(r.err.find("Warning"), std::string::npos) << r.err;
  const auto enforce =
      itest::kubectl({"get", "namespace", kNamespace, "-o",
                      "jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}"});
  EXPECT_EQ(enforce.out, "restricted");
  // Both replicas' pods exist: the ReplicaSet was allowed to create them.
  const auto rollout = itest::kubectl(
      {"rollout", "status", "deployment/rightsizer", "-n", kNamespace, "--timeout=90s"});
  EXPECT_TRUE(rollout.ok()) << rollout.out << rollout.err;
  const auto ready = itest::kubectl(
      {"get", "deployment/rightsizer", "-n", kNamespace, "-o", "jsonpath={.status.readyReplicas}"});
  EXPECT_EQ(ready.out, "2");
}

// `kubectl auth can-i --list` as the operator, compared with a golden file
// (RIGHTSIZER_UPDATE_GOLDEN=1 rewrites it, for review in the diff).
void expect_can_i_matches(const std::string& ns, const std::string& golden_name) {
  const fs::path golden = kGolden / golden_name;
  itest::CommandResult r;
  const auto list = [&] {
    r = itest::kubectl(
        {"auth", "can-i", "--list", "--as=" + std::string(kServiceAccount), "-n", ns});
    return r.ok() && r.out == read(golden);
  };
  if (std::getenv("RIGHTSIZER_UPDATE_GOLDEN")) {
    // Let the authorizer's cache catch up with the bindings first.
    (void)itest::eventually([&] { return list() || r.out.find("leases") != std::string::npos; },
                            30s);
    std::ofstream(golden) << r.out;
  }
  // RBAC changes reach the authorizer's cache within moments.
  EXPECT_TRUE(itest::eventually(list, 30s)) << "kubectl auth can-i --list -n " << ns << ":\n"
                                            << r.out << r.err << "\nexpected (" << golden << "):\n"
                                            << read(golden);
}

TEST(Install, ServiceAccountMayDoExactlyWhatTheGoldenFilesSay) {
  const auto r = apply(/*dry_run=*/false);
  ASSERT_TRUE(r.ok()) << r.err;
  expect_can_i_matches(kNamespace, "can-i-operator-namespace.txt");
  expect_can_i_matches("default", "can-i-other-namespace.txt");
  // Spot checks that do not depend on the table's layout.
  for (const auto& [verb, resource, ns, allowed] :
       std::vector<std::tuple<std::string, std::string, std::string, bool>>{
           {"get", "secrets", "default", false},
           {"list", "secrets", kNamespace, false},
           {"create", "deployments", "default", true},
           {"delete", "deployments", "default", true},
           {"update", "deployments", "default", false},
           {"patch", "deployments", "default", true},
           {"create", "statefulsets", "default", false},
           {"delete", "statefulsets", "default", false},
           {"patch", "statefulsets", "default", true},
           {"list", "poddisruptionbudgets.policy", "default", true},
           {"patch", "poddisruptionbudgets.policy", "default", false},
           {"patch", "pods", "default", false},
           {"update", "leases.coordination.k8s.io", kNamespace, true},
           {"update", "leases.coordination.k8s.io", "default", false},
           {"delete", "leases.coordination.k8s.io", kNamespace, false},
           {"escalate", "clusterroles.rbac.authorization.k8s.io", "", false},
           {"impersonate", "users", "", false},
           {"list", "pods.metrics.k8s.io", "default", true}}) {
    std::vector<std::string> args{"auth", "can-i", verb, resource,
                                  "--as=" + std::string(kServiceAccount)};
    if (!ns.empty()) args.insert(args.end(), {"-n", ns});
    const auto can = itest::kubectl(args);
    EXPECT_EQ(can.out, allowed ? "yes\n" : "no\n") << verb << " " << resource << " in " << ns;
  }
}

}  // namespace
