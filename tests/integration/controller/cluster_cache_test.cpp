// The operator's caches against the real API server: ClusterInformers with
// the real projectors and masks, read through InformerClusterView. What the
// rollout reads must come out of real objects as the API server writes
// them: managedFields of a GitOps applier, PDB status from the disruption
// controller, pod readiness from the (kwok) kubelet, a canary Deployment
// owned by a Rightsizing. One namespace per test; every wait is bounded.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "controller/cluster_informers.h"
#include "controller/informer_cluster_view.h"
#include "k8s/connected_client.h"
#include "support/cluster.h"

namespace controller {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

json deployment(const std::string& ns, const std::string& name, int replicas, const json& labels) {
  auto d = json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"annotations": {"rightsizer.io/policy": "standard"}},
    "spec": {
      "strategy": {"rollingUpdate": {"maxUnavailable": 0}},
      "template": {"spec": {"containers": [
        {"name": "app", "image": "registry.invalid/app:v1",
         "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                       "limits": {"memory": "128Mi"}}}]}}}})");
  d["metadata"]["name"] = name;
  d["metadata"]["namespace"] = ns;
  d["spec"]["replicas"] = replicas;
  d["spec"]["selector"] = {{"matchLabels", labels}};
  d["spec"]["template"]["metadata"]["labels"] = labels;
  return d;
}

itest::CommandResult apply(const json& object, std::vector<std::string> flags = {}) {
  std::vector<std::string> args{"apply", "-f", "-"};
  args.insert(args.end(), flags.begin(), flags.end());
  return itest::kubectl(args, object.dump());
}

// The real informers of the operator, started on the admin client.
class ClusterCache {
 public:
  ClusterCache()
      : client_(k8s::itest_support::admin_client()),
        informers_(*client_->api, cluster_projectors()),
        view_(informers_.stores()) {
    informers_.start();
  }
  ~ClusterCache() { informers_.stop(); }
  ClusterCache(const ClusterCache&) = delete;
  ClusterCache& operator=(const ClusterCache&) = delete;

  bool synced() {
    return itest::eventually([&] { return informers_.synced(); }, 60s, 100ms);
  }
  const InformerClusterView& view() const { return view_; }

 private:
  std::unique_ptr<k8s::itest_support::ConnectedClient> client_;
  ClusterInformers informers_;
  InformerClusterView view_;
};

int ready_pods(const ClusterView& view, const Workload& w) {
  int n = 0;
  for (const auto& p : view.pods_of(w)) n += p->ready && !p->deleting ? 1 : 0;
  return n;
}

// The operator's own CRDs: its informers sync only once those are listed too.
class InformerClusterViewLive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto crds = itest::kubectl({"apply", "-f", std::string(RIGHTSIZER_SOURCE_DIR) + "/crds"});
    ASSERT_TRUE(crds.ok()) << crds.err;
  }
};

TEST_F(InformerClusterViewLive, AGitOpsAppliedDeploymentItsReadyPodsAndItsPdb) {
  itest::TestNamespace ns("cache-gitops");
  const json labels = {{"app", "web"}};
  auto applied = apply(deployment(ns.name(), "web", 2, labels),
                       {"--server-side", "--field-manager=kustomize-controller"});
  ASSERT_TRUE(applied.ok()) << applied.err;
  auto pdb = apply({{"apiVersion", "policy/v1"},
                    {"kind", "PodDisruptionBudget"},
                    {"metadata", {{"name", "web"}, {"namespace", ns.name()}}},
                    {"spec", {{"minAvailable", 2}, {"selector", {{"matchLabels", labels}}}}}});
  ASSERT_TRUE(pdb.ok()) << pdb.err;

  ClusterCache cache;
  ASSERT_TRUE(cache.synced());
  const WorkloadRef ref{WorkloadKind::Deployment, ns.name(), "web"};
  std::shared_ptr<const Workload> w;
  std::shared_ptr<const PdbInfo> budget;
  ASSERT_TRUE(itest::eventually(
      [&] {
        w = cache.view().workload(ref);
        auto pdbs = cache.view().pdbs_in(ns.name());
        budget = pdbs.empty() ? nullptr : pdbs[0];
        return w && w->ready_replicas == 2 && ready_pods(cache.view(), *w) == 2 && budget &&
               budget->expected_pods == 2;
      },
      90s))
      << "workload " << (w ? "cached" : "missing") << ", pdb " << (budget ? "cached" : "missing");

  EXPECT_EQ(w->gitops_manager, "kustomize-controller");
  EXPECT_EQ(w->max_unavailable, "0");
  EXPECT_EQ(json::parse(w->selector_json), json({{"matchLabels", labels}}));
  EXPECT_EQ(w->template_labels.at("app"), "web");
  EXPECT_EQ(w->template_hash,
            pod_template_hash(json::parse(itest::kubectl({"-n", ns.name(), "get", "deployment",
                                                          "web", "-o", "jsonpath={.spec.template}"})
                                              .out)));
  EXPECT_EQ(w->observed_generation, w->generation);
  EXPECT_EQ(w->updated_replicas, 2);
  EXPECT_EQ(w->available_replicas, 2);

  EXPECT_EQ(budget->min_available, "2");
  EXPECT_EQ(budget->current_healthy, 2);
  EXPECT_EQ(budget->disruptions_allowed, 0);  // 2 healthy, 2 required
  EXPECT_TRUE(pdb_selects(*budget, w->template_labels));
}

TEST_F(InformerClusterViewLive, ACanaryDeploymentsPodsBelongToItsTarget) {
  itest::TestNamespace ns("cache-canary");
  ASSERT_TRUE(apply(deployment(ns.name(), "web", 1, {{"app", "web"}})).ok());
  const json rightsizing = {
      {"apiVersion", "rightsizer.io/v1alpha1"},
      {"kind", "Rightsizing"},
      {"metadata", {{"name", "deployment-web"}, {"namespace", ns.name()}}},
      {"spec",
       {{"policyRef", {{"name", "standard"}}},
        {"targetRef", {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"}}}}}};
  itest::CommandResult created;
  ASSERT_TRUE(itest::eventually([&] { return (created = apply(rightsizing)).ok(); }, 30s))
      << created.err;  // the CRD may take a moment to be served
  auto uid = itest::kubectl({"-n", ns.name(), "get", "rightsizings.rightsizer.io", "deployment-web",
                             "-o", "jsonpath={.metadata.uid}"});
  ASSERT_TRUE(uid.ok() && !uid.out.empty()) << uid.err;

  const json canary_labels = {{"app", "web"}, {kCanaryLabel, "true"}};
  auto canary = deployment(ns.name(), "web-rightsizer-canary", 1, canary_labels);
  canary["metadata"].erase("annotations");
  canary["metadata"]["ownerReferences"] = {{{"apiVersion", "rightsizer.io/v1alpha1"},
                                            {"kind", "Rightsizing"},
                                            {"name", "deployment-web"},
                                            {"uid", uid.out},
                                            {"controller", true},
                                            {"blockOwnerDeletion", false}}};
  auto made = apply(canary);
  ASSERT_TRUE(made.ok()) << made.err;

  ClusterCache cache;
  ASSERT_TRUE(cache.synced());
  const WorkloadRef ref{WorkloadKind::Deployment, ns.name(), "web"};
  std::vector<std::shared_ptr<const PodInfo>> pods;
  ASSERT_TRUE(itest::eventually(
      [&] {
        auto w = cache.view().workload(ref);
        pods = w ? cache.view().pods_of(*w) : decltype(pods){};
        return pods.size() == 2;
      },
      90s))
      << pods.size() << " pods";
  int canaries = 0;
  for (const auto& p : pods) {
    canaries += p->canary ? 1 : 0;
    EXPECT_EQ(cache.view().owner_of(*p), ref) << p->name;
  }
  EXPECT_EQ(canaries, 1);
  auto canary_workload =
      cache.view().workload({WorkloadKind::Deployment, ns.name(), "web-rightsizer-canary"});
  ASSERT_NE(canary_workload, nullptr);
  ASSERT_TRUE(canary_workload->controller.has_value());
  EXPECT_EQ(canary_workload->controller->uid, uid.out);
  EXPECT_FALSE(canary_workload->policy.has_value());
  EXPECT_EQ(canary_workload->template_hash, "");  // not opted in: not hashed
}

}  // namespace
}  // namespace controller
