// The actuators against the real API server (kwok makes pods Ready): the
// canary Deployment as created, one generation per promoted step, lastGood
// restored byte for byte, and the StatefulSet partition. The Workload
// values are built from what the server returns, as the caches would.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/actuator.h"
#include "controller/cluster_objects.h"
#include "k8s/connected_client.h"
#include "support/cluster.h"

namespace controller {
namespace {

using nlohmann::json;
using policies::ActionKind;
using namespace std::chrono_literals;

constexpr std::int64_t kMi = std::int64_t{1} << 20;
constexpr std::int64_t kGi = std::int64_t{1} << 30;

json kubectl_json(const std::vector<std::string>& args) {
  auto r = itest::kubectl(args);
  EXPECT_TRUE(r.ok()) << r.err;
  return r.ok() ? json::parse(r.out, nullptr, false) : json();
}

// For a poll: an object that is not there yet (or is being replaced, as a
// StatefulSet's pod during its rolling update) is null, not a failure.
json kubectl_json_or_null(const std::vector<std::string>& args) {
  auto r = itest::kubectl(args);
  return r.ok() ? json::parse(r.out, nullptr, false) : json();
}

// The sizes the workloads start with, as written in their manifests below.
policies::ContainerSizes original() {
  return {{"app", {{2000, kGi}, {4000, 2 * kGi}}}, {"sidecar", {{100, 64 * kMi}, {}}}};
}
// A step down: app 1 core with no CPU limit; sidecar as it was.
policies::ContainerSizes step() {
  return {{"app", {{1000, 512 * kMi}, {std::nullopt, 2 * kGi}}},
          {"sidecar", {{100, 64 * kMi}, {}}}};
}

std::string workload_yaml(const std::string& kind, const std::string& ns) {
  std::string extra = kind == "StatefulSet" ? "  serviceName: web\n" : "";
  return "apiVersion: apps/v1\nkind: " + kind + "\nmetadata:\n  name: web\n  namespace: " + ns +
         "\nspec:\n  replicas: 3\n" + extra +
         "  selector: {matchLabels: {app: web}}\n  template:\n    metadata:\n"
         "      labels: {app: web, tier: front}\n      annotations: {note: kept}\n    spec:\n"
         "      containers:\n      - name: app\n        image: web:1\n"
         "        resources:\n          requests: {cpu: '2', memory: 1Gi}\n"
         "          limits: {cpu: '4', memory: 2Gi}\n"
         "      - name: sidecar\n        image: proxy:1\n"
         "        resources: {requests: {cpu: 100m, memory: 64Mi}}\n";
}

// The workloads' resources after `step()`, as the server returns them.
constexpr const char* kStepResources = R"([
    {"requests":{"cpu":"1","memory":"512Mi"},"limits":{"memory":"2Gi"}},
    {"requests":{"cpu":"100m","memory":"64Mi"}}])";

class ActuatorIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto crds = itest::kubectl({"apply", "-f", std::string(RIGHTSIZER_SOURCE_DIR) + "/crds"});
    ASSERT_TRUE(crds.ok()) << crds.err;
    ASSERT_TRUE(itest::kubectl({"wait", "--for=condition=Established", "--timeout=60s",
                                "crd/rightsizings.rightsizer.io"})
                    .ok());
  }

  void SetUp() override {
    client_ = k8s::itest_support::admin_client();
    ASSERT_TRUE(client_);
    policy_.rollout.canary_replicas = 1;
  }

  void apply(const std::string& yaml) {
    auto r = itest::kubectl({"apply", "-f", "-"}, yaml);
    ASSERT_TRUE(r.ok()) << r.err;
  }

  // Creates the workload and the Rightsizing that owns its canary (a real uid).
  void create(const std::string& kind) {
    kind_ = kind;
    apply(workload_yaml(kind, ns_.name()));
    const std::string lower = kind == "StatefulSet" ? "statefulset" : "deployment";
    apply("apiVersion: rightsizer.io/v1alpha1\nkind: Rightsizing\nmetadata:\n  name: " + lower +
          "-web\n  namespace: " + ns_.name() +
          "\nspec:\n  policyRef: {name: standard}\n  targetRef: {apiVersion: apps/v1, kind: " +
          kind + ", name: web}\n");
    const auto r =
        kubectl_json({"get", "rightsizing", lower + "-web", "-n", ns_.name(), "-o", "json"});
    rightsizing_.namespace_name = ns_.name();
    rightsizing_.name = lower + "-web";
    rightsizing_.uid = r["metadata"]["uid"].get<std::string>();
    ASSERT_FALSE(rightsizing_.uid.empty());
    load();
  }

  json get_workload(const std::string& name = "web") {
    return kubectl_json({"get", kind_, name, "-n", ns_.name(), "-o", "json"});
  }

  // The Workload as the cache would project it from the server's object.
  void load() {
    const json o = get_workload();
    const auto kind = kind_ == "StatefulSet" ? WorkloadKind::StatefulSet : WorkloadKind::Deployment;
    workload_ = project_workload(kind, o);
    workload_.template_hash = pod_template_hash(o["spec"]["template"]);
    workload_.selector_json = o["spec"]["selector"].dump();
    for (const auto& [k, v] : o["spec"]["template"]["metadata"]["labels"].items()) {
      workload_.template_labels[k] = v.get<std::string>();
    }
  }

  std::unique_ptr<Actuator> actuator() {
    return kind_ == "StatefulSet" ? make_stateful_set_actuator(*client_->api)
                                  : make_deployment_actuator(*client_->api);
  }

  k8s::Result<int> run(Actuator& a, ActionKind kind, const policies::ContainerSizes& sizes,
                       const std::string& hash) {
    const StageContext stage{
        &workload_, &rightsizing_, &policy_, policies::RightsizingPhase::Canary, sizes, hash};
    return a.execute({kind, sizes, hash}, stage, {});
  }

  bool canary_exists() {
    return itest::kubectl({"get", "deployment", "web-rightsizer-canary", "-n", ns_.name()}).ok();
  }

  static json resources_of(const json& object) {
    json out = json::array();
    for (const auto& c : object["spec"]["template"]["spec"]["containers"]) {
      out.push_back(c["resources"]);
    }
    return out;
  }

  itest::TestNamespace ns_{"actuator"};
  std::unique_ptr<k8s::itest_support::ConnectedClient> client_;
  std::string kind_;
  Workload workload_;
  RightsizingObject rightsizing_;
  policies::RightsizePolicySpec policy_;
};

TEST_F(ActuatorIntegrationTest, StartCanaryCreatesTheCanaryDeploymentWhosePodsCarryTheStep) {
  create("Deployment");
  auto a = actuator();
  auto writes = run(*a, ActionKind::StartCanary, step(), "rs-00000000000000aa");
  ASSERT_TRUE(writes) << writes.error().describe();
  EXPECT_EQ(*writes, 1);
  const json c = get_workload("web-rightsizer-canary");
  EXPECT_EQ(c["metadata"]["labels"],
            json({{"app", "web"}, {"tier", "front"}, {"rightsizer.io/canary", "true"}}));
  EXPECT_EQ(c["metadata"]["annotations"]["rightsizer.io/step"], "rs-00000000000000aa");
  EXPECT_FALSE(c["metadata"]["annotations"].contains("rightsizer.io/policy"));
  ASSERT_EQ(c["metadata"]["ownerReferences"].size(), 1u);
  const json owner = c["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["kind"], "Rightsizing");
  EXPECT_EQ(owner["uid"], rightsizing_.uid);
  EXPECT_EQ(owner["controller"], true);
  EXPECT_EQ(c["spec"]["replicas"], 1);
  EXPECT_EQ(c["spec"]["selector"],
            json({{"matchLabels", {{"app", "web"}, {"rightsizer.io/canary", "true"}}}}));
  EXPECT_EQ(c["spec"]["template"]["metadata"]["annotations"], json({{"note", "kept"}}));
  EXPECT_EQ(resources_of(c), json::parse(kStepResources));

  // Its pod (and only it) is the canary; kwok makes it Ready with the step's resources.
  ASSERT_TRUE(itest::eventually(
      [&] {
        const json pods = kubectl_json_or_null(
            {"get", "pods", "-n", ns_.name(), "-l", "rightsizer.io/canary=true", "-o", "json"});
        if (!pods.is_object() || !pods.contains("items") || pods["items"].size() != 1) return false;
        const PodInfo p = project_pod(pods["items"][0]);
        const auto conds = pods["items"][0].value("/status/conditions"_json_pointer, json::array());
        bool ready = false;
        for (const auto& cond : conds)
          ready |= cond.value("type", "") == "Ready" && cond.value("status", "") == "True";
        return ready && p.canary && pod_carries(p, step()) && !pod_carries(p, original());
      },
      90s));

  // A repeat (say after a crash) finds this step's canary and writes nothing.
  writes = run(*a, ActionKind::StartCanary, step(), "rs-00000000000000aa");
  ASSERT_TRUE(writes) << writes.error().describe();
  EXPECT_EQ(*writes, 0);
}

TEST_F(ActuatorIntegrationTest, ACanaryOfAnotherStepIsReplaced) {
  create("Deployment");
  auto a = actuator();
  ASSERT_TRUE(run(*a, ActionKind::StartCanary, original(), "rs-00000000000000bb"));
  auto writes = run(*a, ActionKind::StartCanary, step(), "rs-00000000000000aa");
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Conflict);
  // Retried as the next reconcile would, until the old one is gone.
  ASSERT_TRUE(itest::eventually(
      [&] {
        return static_cast<bool>(run(*a, ActionKind::StartCanary, step(), "rs-00000000000000aa"));
      },
      60s));
  EXPECT_EQ(get_workload("web-rightsizer-canary")["metadata"]["annotations"]["rightsizer.io/step"],
            "rs-00000000000000aa");
}

TEST_F(ActuatorIntegrationTest, PromoteTwiceMovesTheGenerationOnceThenFinishDeletesTheCanary) {
  create("Deployment");
  auto a = actuator();
  ASSERT_TRUE(run(*a, ActionKind::StartCanary, step(), "rs-00000000000000aa"));
  const auto before = get_workload()["metadata"]["generation"].get<std::int64_t>();
  for (int i = 0; i < 2; ++i) {
    auto writes = run(*a, ActionKind::Promote, step(), "rs-00000000000000aa");
    ASSERT_TRUE(writes) << writes.error().describe();
    EXPECT_EQ(*writes, 1);
  }
  const json w = get_workload();
  EXPECT_EQ(w["metadata"]["generation"].get<std::int64_t>(), before + 1);
  EXPECT_EQ(w["metadata"]["annotations"]["rightsizer.io/step"], "rs-00000000000000aa");
  EXPECT_EQ(resources_of(w), json::parse(kStepResources));

  auto finished = run(*a, ActionKind::FinishCanary, step(), "rs-00000000000000aa");
  ASSERT_TRUE(finished) << finished.error().describe();
  EXPECT_EQ(*finished, 1);
  EXPECT_TRUE(itest::eventually([&] { return !canary_exists(); }, 60s));
  finished = run(*a, ActionKind::FinishCanary, step(), "rs-00000000000000aa");
  ASSERT_TRUE(finished) << finished.error().describe();
  EXPECT_EQ(*finished, 0);
}

TEST_F(ActuatorIntegrationTest, RestorePutsLastGoodBackByteForByte) {
  create("Deployment");
  const json before = resources_of(get_workload());
  auto a = actuator();
  ASSERT_TRUE(run(*a, ActionKind::Promote, step(), "rs-00000000000000aa"));
  ASSERT_NE(resources_of(get_workload()), before);
  auto writes = run(*a, ActionKind::Restore, original(), "rs-00000000000000bb");
  ASSERT_TRUE(writes) << writes.error().describe();
  const json w = get_workload();
  EXPECT_EQ(resources_of(w).dump(), before.dump());
  EXPECT_EQ(w["metadata"]["annotations"]["rightsizer.io/step"], "rs-00000000000000bb");
}

TEST_F(ActuatorIntegrationTest, AbortCanaryDeletesItAndLeavesTheWorkloadAlone) {
  create("Deployment");
  const json before = get_workload();
  auto a = actuator();
  ASSERT_TRUE(run(*a, ActionKind::StartCanary, step(), "rs-00000000000000aa"));
  auto writes = run(*a, ActionKind::AbortCanary, original(), "rs-00000000000000bb");
  ASSERT_TRUE(writes) << writes.error().describe();
  EXPECT_EQ(*writes, 1);
  EXPECT_TRUE(itest::eventually([&] { return !canary_exists(); }, 60s));
  const json after = get_workload();
  EXPECT_EQ(after["metadata"]["generation"], before["metadata"]["generation"]);
  EXPECT_EQ(resources_of(after), resources_of(before));
}

TEST_F(ActuatorIntegrationTest, StatefulSetPartitionCanaryThenPromotion) {
  create("StatefulSet");
  auto a = actuator();
  auto writes = run(*a, ActionKind::StartCanary, step(), "rs-00000000000000aa");
  ASSERT_TRUE(writes) << writes.error().describe();
  json w = get_workload();
  EXPECT_EQ(w["spec"]["updateStrategy"]["rollingUpdate"]["partition"], 2);
  EXPECT_EQ(resources_of(w), json::parse(kStepResources));
  EXPECT_EQ(w["metadata"]["annotations"]["rightsizer.io/step"], "rs-00000000000000aa");
  // The highest ordinal takes the step; the others keep theirs.
  EXPECT_TRUE(itest::eventually(
      [&] {
        const auto p =
            kubectl_json_or_null({"get", "pod", "web-2", "-n", ns_.name(), "-o", "json"});
        const auto p0 =
            kubectl_json_or_null({"get", "pod", "web-0", "-n", ns_.name(), "-o", "json"});
        return p.is_object() && p0.is_object() && pod_carries(project_pod(p), step()) &&
               pod_carries(project_pod(p0), original());
      },
      90s));

  ASSERT_TRUE(run(*a, ActionKind::Promote, step(), "rs-00000000000000aa"));
  w = get_workload();
  EXPECT_EQ(w["spec"]["updateStrategy"]["rollingUpdate"]["partition"], 0);
  EXPECT_EQ(resources_of(w), json::parse(kStepResources));
}

TEST_F(ActuatorIntegrationTest, StatefulSetRestorePutsTemplateAndPartitionBack) {
  create("StatefulSet");
  const json before = get_workload();
  auto a = actuator();
  ASSERT_TRUE(run(*a, ActionKind::StartCanary, step(), "rs-00000000000000aa"));
  ASSERT_NE(resources_of(get_workload()), resources_of(before));
  auto writes = run(*a, ActionKind::Restore, original(), "rs-00000000000000bb");
  ASSERT_TRUE(writes) << writes.error().describe();
  const json w = get_workload();
  EXPECT_EQ(w["spec"]["updateStrategy"].dump(), before["spec"]["updateStrategy"].dump());
  EXPECT_EQ(resources_of(w).dump(), resources_of(before).dump());
}

}  // namespace
}  // namespace controller
