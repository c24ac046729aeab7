// The cache projections: what the operator keeps of each watched object.
#include "controller/cluster_objects.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace controller {
namespace {

using nlohmann::json;
constexpr std::int64_t kMi = 1024 * 1024;

// A pod as `kubectl get pod -o json` shows it: two containers (one with
// limits only), an OOMKill in the first one's last state, a controller
// owner reference beside a non-controller one.
json trading_pod() {
  return json::parse(R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {
    "name": "engine-7c9d8f-abcde", "namespace": "trading", "uid": "pod-uid-1",
    "resourceVersion": "4711", "generateName": "engine-7c9d8f-",
    "labels": {"app": "engine", "pod-template-hash": "7c9d8f", "rightsizer.io/canary": "true"},
    "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-01T10:00:00Z"},
    "ownerReferences": [
      {"apiVersion": "example.com/v1", "kind": "Tracker", "name": "t", "uid": "tracker-uid"},
      {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "engine-7c9d8f",
       "uid": "rs-uid-1", "controller": true, "blockOwnerDeletion": true}
    ],
    "managedFields": [{"manager": "kube-controller-manager", "operation": "Update"}]
  },
  "spec": {
    "nodeName": "node-1",
    "containers": [
      {"name": "engine", "image": "registry.example.com/engine:v1",
       "env": [{"name": "A", "value": "1"}],
       "resources": {"requests": {"cpu": "16", "memory": "4Gi"},
                     "limits": {"cpu": "16", "memory": "6Gi"}}},
      {"name": "sidecar", "image": "registry.example.com/proxy:v2",
       "resources": {"limits": {"cpu": "250m", "memory": "128Mi"}}}
    ]
  },
  "status": {
    "phase": "Running", "podIP": "10.0.0.7",
    "conditions": [{"type": "PodScheduled", "status": "True"},
                   {"type": "Ready", "status": "True",
                    "lastTransitionTime": "2026-11-02T09:00:05Z"}],
    "containerStatuses": [
      {"name": "sidecar", "restartCount": 0, "ready": true,
       "state": {"running": {"startedAt": "2026-11-01T10:00:00Z"}}},
      {"name": "engine", "restartCount": 3, "ready": true,
       "state": {"running": {"startedAt": "2026-11-02T09:00:00Z"}},
       "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                                    "startedAt": "2026-11-01T10:00:00Z",
                                    "finishedAt": "2026-11-02T08:59:58Z"}}}
    ]
  }
})");
}

TEST(ProjectPodTest, KeepsOwnerCanaryResourcesRestartsAndTheLastTermination) {
  auto p = project_pod(trading_pod());
  EXPECT_EQ(p.namespace_name, "trading");
  EXPECT_EQ(p.name, "engine-7c9d8f-abcde");
  EXPECT_EQ(p.uid, "pod-uid-1");
  ASSERT_TRUE(p.controller.has_value());
  EXPECT_EQ(*p.controller, (OwnerRef{"apps/v1", "ReplicaSet", "engine-7c9d8f", "rs-uid-1", true}));
  EXPECT_TRUE(p.canary);
  EXPECT_EQ(p.phase, "Running");
  ASSERT_EQ(p.containers.size(), 2u);

  const auto& engine = p.containers[0];
  EXPECT_EQ(engine.name, "engine");
  EXPECT_EQ(engine.resources.requests.cpu_millicores, 16000);
  EXPECT_EQ(engine.resources.requests.memory_bytes, 4096 * kMi);
  EXPECT_EQ(engine.resources.limits.cpu_millicores, 16000);
  EXPECT_EQ(engine.resources.limits.memory_bytes, 6144 * kMi);
  EXPECT_EQ(engine.restart_count, 3);
  EXPECT_EQ(engine.last_termination_reason, "OOMKilled");
  ASSERT_TRUE(engine.last_termination_at.has_value());
  EXPECT_EQ(policies::format_timestamp(*engine.last_termination_at), "2026-11-02T08:59:58Z");

  // Limits only: the request stays "not set" (0), as the template wrote it.
  const auto& sidecar = p.containers[1];
  EXPECT_EQ(sidecar.name, "sidecar");
  EXPECT_EQ(sidecar.resources.requests, (policies::Resources{0, 0}));
  EXPECT_EQ(sidecar.resources.limits.cpu_millicores, 250);
  EXPECT_EQ(sidecar.resources.limits.memory_bytes, 128 * kMi);
  EXPECT_EQ(sidecar.restart_count, 0);
  EXPECT_EQ(sidecar.last_termination_reason, "");
  EXPECT_FALSE(sidecar.last_termination_at.has_value());
}

TEST(ProjectPodTest, NonControllerOwnersAreIgnoredAndUnlabelledPodsAreNoCanaries) {
  auto pod = trading_pod();
  pod["metadata"]["ownerReferences"][1].erase("controller");
  pod["metadata"]["labels"].erase("rightsizer.io/canary");
  auto p = project_pod(pod);
  EXPECT_FALSE(p.controller.has_value());
  EXPECT_FALSE(p.canary);

  pod["metadata"]["ownerReferences"][1]["controller"] = false;
  EXPECT_FALSE(project_pod(pod).controller.has_value());
}

TEST(ProjectPodTest, TheCanaryLabelCountsWhateverItsValue) {
  auto pod = trading_pod();
  pod["metadata"]["labels"]["rightsizer.io/canary"] = "";
  EXPECT_TRUE(project_pod(pod).canary);
  pod["metadata"]["labels"] = {{"rightsizer.io/canary-x", "true"}};
  EXPECT_FALSE(project_pod(pod).canary);
}

TEST(ProjectPodTest, ReadyIsTheReadyConditionTrue) {
  auto pod = trading_pod();
  EXPECT_TRUE(project_pod(pod).ready);
  pod["status"]["conditions"][1]["status"] = "False";
  EXPECT_FALSE(project_pod(pod).ready);
  pod["status"]["conditions"][1]["status"] = "Unknown";
  EXPECT_FALSE(project_pod(pod).ready);
  // Another condition being True is not readiness, nor is a Running phase.
  pod["status"]["conditions"].erase(1);
  EXPECT_FALSE(project_pod(pod).ready);
  pod["status"].erase("conditions");
  EXPECT_FALSE(project_pod(pod).ready);
}

TEST(ProjectPodTest, DeletingAndTheStatefulSetRevisionLabel) {
  auto pod = trading_pod();
  auto p = project_pod(pod);
  EXPECT_FALSE(p.deleting);
  EXPECT_EQ(p.revision, "");  // a ReplicaSet's pod-template-hash is not a revision
  pod["metadata"]["deletionTimestamp"] = "2026-11-02T09:00:00Z";
  pod["metadata"]["labels"]["controller-revision-hash"] = "db-7d8f9c6b5";
  p = project_pod(pod);
  EXPECT_TRUE(p.deleting);
  EXPECT_EQ(p.revision, "db-7d8f9c6b5");
}

struct QuantityCase {
  const char* name;
  json resources;
  policies::ContainerResources want;
};

class ResourceProjectionTest : public ::testing::TestWithParam<QuantityCase> {};

TEST_P(ResourceProjectionTest, ParsesQuantitiesExactlyAndLeavesBadOnesUnset) {
  auto pod = trading_pod();
  pod["spec"]["containers"][0]["resources"] = GetParam().resources;
  EXPECT_EQ(project_pod(pod).containers.at(0).resources, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Quantities, ResourceProjectionTest,
    ::testing::Values(
        QuantityCase{"RoundsCpuUpToAMillicore",
                     {{"requests", {{"cpu", "100500u"}, {"memory", "1.5Gi"}}}},
                     {{101, 1536 * kMi}, {}}},
        QuantityCase{"DecimalMemoryAndSuffixes",
                     {{"requests", {{"cpu", "0.25"}, {"memory", "1G"}}},
                      {"limits", {{"cpu", "1"}, {"memory", "1e3"}}}},
                     {{250, 1'000'000'000}, {1000, 1000}}},
        QuantityCase{"MalformedQuantitiesAreNotSet",
                     {{"requests", {{"cpu", "two"}, {"memory", "4Gi"}}},
                      {"limits", {{"cpu", "2"}, {"memory", "lots"}}}},
                     {{0, 4096 * kMi}, {2000, std::nullopt}}},
        QuantityCase{"WrongTypesAreNotSet",
                     {{"requests", {{"cpu", 2}, {"memory", json::array()}}}, {"limits", "none"}},
                     {}},
        QuantityCase{
            "NegativeQuantitiesAreNotSet", {{"requests", {{"cpu", "-1"}, {"memory", "-1Mi"}}}}, {}},
        QuantityCase{"NoResources", json::object(), {}}),
    [](const auto& info) { return std::string(info.param.name); });

json deployment() {
  return json::parse(R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {
    "name": "engine", "namespace": "trading", "uid": "dep-uid", "resourceVersion": "12",
    "generation": 7,
    "annotations": {"rightsizer.io/policy": "trading-default", "rightsizer.io/paused": "true",
                    "deployment.kubernetes.io/revision": "3"}
  },
  "spec": {
    "replicas": 3,
    "selector": {"matchLabels": {"app": "engine"}},
    "template": {
      "metadata": {"labels": {"app": "engine"}},
      "spec": {"containers": [
        {"name": "engine", "image": "e:v1",
         "resources": {"requests": {"cpu": "16", "memory": "4Gi"}}},
        {"name": "proxy", "image": "p:v1", "resources": {"limits": {"cpu": "500m"}}}
      ]}
    }
  },
  "status": {"replicas": 3, "readyReplicas": 3}
})");
}

TEST(ProjectWorkloadTest, KeepsAnnotationsReplicasAndTemplateResources) {
  auto w = project_workload(WorkloadKind::Deployment, deployment());
  EXPECT_EQ(w.ref, (WorkloadRef{WorkloadKind::Deployment, "trading", "engine"}));
  EXPECT_EQ(w.uid, "dep-uid");
  EXPECT_EQ(w.generation, 7);
  EXPECT_EQ(w.policy, "trading-default");
  EXPECT_TRUE(w.paused);
  EXPECT_EQ(w.replicas, 3);
  ASSERT_EQ(w.containers.size(), 2u);
  EXPECT_EQ(w.containers[0].name, "engine");
  EXPECT_EQ(w.containers[0].resources.requests, (policies::Resources{16000, 4096 * kMi}));
  EXPECT_EQ(w.containers[1].name, "proxy");
  EXPECT_EQ(w.containers[1].resources.limits.cpu_millicores, 500);
  EXPECT_EQ(w.containers[1].resources.requests.cpu_millicores, 0);
  EXPECT_FALSE(w.deleting);
}

TEST(ProjectWorkloadTest, MissingReplicasIsOneAndOtherAnnotationValuesDoNotPause) {
  auto obj = deployment();
  obj["spec"].erase("replicas");
  obj["metadata"]["annotations"]["rightsizer.io/paused"] = "yes";
  obj["metadata"]["annotations"].erase("rightsizer.io/policy");
  obj["metadata"]["deletionTimestamp"] = "2026-11-02T09:00:00Z";
  auto w = project_workload(WorkloadKind::StatefulSet, obj);
  EXPECT_EQ(w.ref.kind, WorkloadKind::StatefulSet);
  EXPECT_EQ(w.replicas, 1);
  EXPECT_FALSE(w.paused);
  EXPECT_FALSE(w.policy.has_value());
  EXPECT_TRUE(w.deleting);

  obj["spec"]["replicas"] = 0;  // scaled to zero is not "absent"
  EXPECT_EQ(project_workload(WorkloadKind::Deployment, obj).replicas, 0);
}

// The deployment during a rollout: a step marker, a strategy, status
// counters, and managedFields from a GitOps applier and from the
// deployment controller.
json rolling_deployment() {
  auto obj = deployment();
  obj["metadata"]["annotations"]["rightsizer.io/step"] = "5f2c0a91";
  obj["metadata"]["managedFields"] = json::parse(R"([
    {"manager": "kube-controller-manager", "operation": "Update", "subresource": "status",
     "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {"f:replicas": {}}}},
    {"manager": "argocd-controller", "operation": "Apply", "fieldsType": "FieldsV1",
     "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
       "k:{\"name\":\"engine\"}": {".": {}, "f:image": {}, "f:name": {},
                                   "f:resources": {"f:requests": {"f:cpu": {}}}}}}}}}}
  ])");
  obj["spec"]["strategy"] = {{"type", "RollingUpdate"},
                             {"rollingUpdate", {{"maxUnavailable", "25%"}, {"maxSurge", 1}}}};
  obj["spec"]["template"]["metadata"]["labels"]["tier"] = "core";
  obj["status"] = {{"observedGeneration", 6},
                   {"replicas", 4},
                   {"updatedReplicas", 2},
                   {"readyReplicas", 3},
                   {"availableReplicas", 3}};
  return obj;
}

TEST(ProjectWorkloadTest, KeepsWhatARolloutObserves) {
  auto obj = rolling_deployment();
  auto w = project_workload(WorkloadKind::Deployment, obj);
  EXPECT_EQ(w.step_marker, "5f2c0a91");
  EXPECT_FALSE(w.controller.has_value());
  EXPECT_EQ(w.template_labels,
            (std::map<std::string, std::string, std::less<>>{{"app", "engine"}, {"tier", "core"}}));
  EXPECT_EQ(w.template_hash, pod_template_hash(obj["spec"]["template"]));
  EXPECT_EQ(w.template_hash.rfind("tp-", 0), 0u);
  EXPECT_EQ(w.selector_json, R"({"matchLabels":{"app":"engine"}})");
  EXPECT_EQ(w.gitops_manager, "argocd-controller");
  EXPECT_EQ(w.max_unavailable, "25%");
  EXPECT_EQ(w.max_surge, "1");
  EXPECT_EQ(w.update_strategy, "RollingUpdate");
  EXPECT_FALSE(w.partition.has_value());
  EXPECT_EQ(w.observed_generation, 6);
  EXPECT_EQ(w.status_replicas, 4);
  EXPECT_EQ(w.updated_replicas, 2);
  EXPECT_EQ(w.ready_replicas, 3);
  EXPECT_EQ(w.available_replicas, 3);
  EXPECT_EQ(w.update_revision, "");
}

TEST(ProjectWorkloadTest, OnlyAnOptedInWorkloadHashesItsTemplate) {
  auto obj = rolling_deployment();
  obj["metadata"]["annotations"].erase("rightsizer.io/policy");
  auto w = project_workload(WorkloadKind::Deployment, obj);
  EXPECT_EQ(w.template_hash, "");
  // What a canary or a PDB needs of any workload stays.
  EXPECT_EQ(w.template_labels.size(), 2u);
  EXPECT_NE(w.selector_json, "");
}

TEST(ProjectWorkloadTest, ACanaryDeploymentNamesItsRightsizingAsController) {
  auto obj = rolling_deployment();
  obj["metadata"]["name"] = "engine-rightsizer-canary";
  obj["metadata"]["annotations"]["rightsizer.io/template"] = "tp-00000000000000cc";
  obj["metadata"]["ownerReferences"] = json::parse(R"([
    {"apiVersion": "rightsizer.io/v1alpha1", "kind": "Rightsizing", "name": "deployment-engine",
     "uid": "rsz-uid", "controller": true, "blockOwnerDeletion": false}])");
  auto w = project_workload(WorkloadKind::Deployment, obj);
  EXPECT_EQ(w.template_marker, "tp-00000000000000cc");
  ASSERT_TRUE(w.controller.has_value());
  EXPECT_EQ(*w.controller, (OwnerRef{"rightsizer.io/v1alpha1", "Rightsizing", "deployment-engine",
                                     "rsz-uid", true}));
}

TEST(ProjectWorkloadTest, IntegerMaxUnavailableStatefulSetPartitionAndRevisions) {
  auto obj = deployment();
  obj["spec"]["strategy"] = {{"rollingUpdate", {{"maxUnavailable", 0}}}};
  EXPECT_EQ(project_workload(WorkloadKind::Deployment, obj).max_unavailable, "0");
  obj["spec"]["strategy"] = {{"rollingUpdate", {{"maxUnavailable", 2}}}};
  EXPECT_EQ(project_workload(WorkloadKind::Deployment, obj).max_unavailable, "2");
  obj["spec"].erase("strategy");
  EXPECT_EQ(project_workload(WorkloadKind::Deployment, obj).max_unavailable, "");

  obj["spec"]["updateStrategy"] = {{"type", "RollingUpdate"},
                                   {"rollingUpdate", {{"partition", 2}}}};
  obj["status"] = {{"updateRevision", "db-7d8f9c6b5"}, {"currentRevision", "db-5c4b3a2"}};
  auto w = project_workload(WorkloadKind::StatefulSet, obj);
  EXPECT_EQ(w.partition, 2);
  EXPECT_EQ(w.update_revision, "db-7d8f9c6b5");
  EXPECT_EQ(w.current_revision, "db-5c4b3a2");
  obj["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 0;  // set to 0 is not "unset"
  EXPECT_EQ(project_workload(WorkloadKind::StatefulSet, obj).partition, 0);
  obj["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = "2";
  EXPECT_FALSE(project_workload(WorkloadKind::StatefulSet, obj).partition.has_value());
}

TEST(ProjectWorkloadTest, UpdateStrategyTypeAndSpecPaused) {
  auto obj = deployment();
  auto w = project_workload(WorkloadKind::Deployment, obj);
  EXPECT_EQ(w.update_strategy, "");
  EXPECT_FALSE(w.spec_paused);
  obj["spec"]["strategy"] = {{"type", "Recreate"}};
  obj["spec"]["paused"] = true;
  w = project_workload(WorkloadKind::Deployment, obj);
  EXPECT_EQ(w.update_strategy, "Recreate");
  EXPECT_TRUE(w.spec_paused);
  obj["spec"]["paused"] = "true";  // not a boolean: not paused
  EXPECT_FALSE(project_workload(WorkloadKind::Deployment, obj).spec_paused);

  auto sts = deployment();
  sts["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  EXPECT_EQ(project_workload(WorkloadKind::StatefulSet, sts).update_strategy, "OnDelete");
}

struct GitOpsCase {
  const char* name;
  const char* manager;
  json containers_fields;  // fieldsV1 f:spec.f:template.f:spec.f:containers
  const char* want;
};

class GitOpsManagerTest : public ::testing::TestWithParam<GitOpsCase> {};

TEST_P(GitOpsManagerTest, AnArgoOrFluxApplierOwningContainerResources) {
  auto obj = deployment();
  obj["metadata"]["managedFields"] = json::array(
      {{{"manager", "kubectl-client-side-apply"},
        {"operation", "Update"},
        {"fieldsV1",
         {{"f:spec",
           {{"f:template",
             {{"f:spec",
               {{"f:containers",
                 {{R"(k:{"name":"engine"})", {{"f:resources", json::object()}}}}}}}}}}}}}},
       {{"manager", GetParam().manager},
        {"operation", "Apply"},
        {"fieldsV1",
         {{"f:spec",
           {{"f:template", {{"f:spec", {{"f:containers", GetParam().containers_fields}}}}}}}}}}});
  EXPECT_EQ(project_workload(WorkloadKind::Deployment, obj).gitops_manager, GetParam().want);
}

const json kOwnsResources = {{R"(k:{"name":"proxy"})", {{"f:resources", {{"f:limits", {}}}}}}};

INSTANTIATE_TEST_SUITE_P(
    Managers, GitOpsManagerTest,
    ::testing::Values(
        GitOpsCase{"ArgoCdServerSideApply", "argocd-controller", kOwnsResources,
                   "argocd-controller"},
        GitOpsCase{"ArgoCdApplicationController", "argocd-application-controller", kOwnsResources,
                   "argocd-application-controller"},
        GitOpsCase{"FluxKustomization", "kustomize-controller", kOwnsResources,
                   "kustomize-controller"},
        GitOpsCase{"FluxHelmRelease", "helm-controller", kOwnsResources, "helm-controller"},
        // kubectl owning the resources (the first entry) is no GitOps applier.
        GitOpsCase{"OtherManagers", "rightsizer", kOwnsResources, ""},
        GitOpsCase{"ANameThatOnlyStartsLikeOne", "argocd-controller-x", kOwnsResources, ""},
        // The applier owns the containers' images only: resizing does not fight it.
        GitOpsCase{"ApplierWithoutResources",
                   "argocd-controller",
                   {{R"(k:{"name":"proxy"})", {{"f:image", json::object()}}}},
                   ""},
        GitOpsCase{"ApplierWithoutContainers", "kustomize-controller", json::object(), ""},
        GitOpsCase{"MalformedFields", "kustomize-controller", "f:resources", ""}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ProjectReplicaSetTest, KeepsOnlyTheControllerOwner) {
  auto rs = project_replica_set(json::parse(R"({
    "metadata": {"name": "engine-7c9d8f", "namespace": "trading", "uid": "rs-uid-1",
      "ownerReferences": [
        {"apiVersion": "v1", "kind": "Other", "name": "o", "uid": "o-uid"},
        {"apiVersion": "apps/v1", "kind": "Deployment", "name": "engine", "uid": "dep-uid",
         "controller": true}]}})"));
  EXPECT_EQ(rs.namespace_name, "trading");
  EXPECT_EQ(rs.name, "engine-7c9d8f");
  EXPECT_EQ(rs.uid, "rs-uid-1");
  ASSERT_TRUE(rs.controller.has_value());
  EXPECT_EQ(rs.controller->kind, "Deployment");
  EXPECT_EQ(rs.controller->uid, "dep-uid");
  EXPECT_FALSE(
      project_replica_set(json::parse(R"({"metadata": {"name": "x"}})")).controller.has_value());
}

TEST(ProjectHpaTest, ScalingOnCpuThroughResourceAndContainerResourceMetrics) {
  auto h = project_hpa(json::parse(R"({
    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "engine", "namespace": "trading", "uid": "hpa-uid"},
    "spec": {
      "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "engine"},
      "minReplicas": 2, "maxReplicas": 10,
      "metrics": [
        {"type": "Resource", "resource": {"name": "cpu",
          "target": {"type": "Utilization", "averageUtilization": 60}}},
        {"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "engine",
          "target": {"type": "Utilization", "averageUtilization": 60}}},
        {"type": "ContainerResource", "containerResource": {"name": "memory", "container": "engine",
          "target": {"type": "AverageValue", "averageValue": "1Gi"}}},
        {"type": "Pods", "pods": {"metric": {"name": "trades_per_second"},
          "target": {"type": "AverageValue", "averageValue": "1k"}}}
      ]}})"));
  EXPECT_EQ(h.namespace_name, "trading");
  EXPECT_EQ(h.name, "engine");
  EXPECT_EQ(h.target_kind, "Deployment");
  EXPECT_EQ(h.target_name, "engine");
  EXPECT_EQ(h.resource_metrics, (std::vector<std::string>{"cpu", "memory"}));
}

TEST(ProjectHpaTest, CustomMetricsOnlyScaleOnNoResource) {
  auto h = project_hpa(json::parse(R"({
    "metadata": {"name": "h", "namespace": "n"},
    "spec": {"scaleTargetRef": {"kind": "StatefulSet", "name": "s"},
      "metrics": [{"type": "External", "external": {"metric": {"name": "queue"}}},
                  {"type": "Resource"}]}})"));
  EXPECT_EQ(h.target_kind, "StatefulSet");
  EXPECT_TRUE(h.resource_metrics.empty());
}

json pdb() {
  return json::parse(R"({
    "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
    "metadata": {"name": "engine", "namespace": "trading", "uid": "pdb-uid",
                 "resourceVersion": "31", "generation": 1,
                 "annotations": {"owner": "team-trading"}},
    "spec": {"minAvailable": 2,
             "selector": {"matchLabels": {"app": "engine"},
                          "matchExpressions": [{"key": "tier", "operator": "In",
                                                "values": ["core"]}]}},
    "status": {"observedGeneration": 1, "disruptionsAllowed": 1, "currentHealthy": 3,
               "desiredHealthy": 2, "expectedPods": 3,
               "conditions": [{"type": "DisruptionAllowed", "status": "True",
                               "reason": "SufficientPods"}]}})");
}

TEST(ProjectPdbTest, KeepsSelectorBudgetAndStatus) {
  auto d = project_pdb(pdb());
  EXPECT_EQ(d.namespace_name, "trading");
  EXPECT_EQ(d.name, "engine");
  EXPECT_TRUE(d.has_selector);
  EXPECT_EQ(d.match_labels, (std::map<std::string, std::string, std::less<>>{{"app", "engine"}}));
  EXPECT_TRUE(d.has_expressions);
  EXPECT_EQ(d.min_available, "2");
  EXPECT_EQ(d.max_unavailable, "");
  EXPECT_EQ(d.disruptions_allowed, 1);
  EXPECT_EQ(d.current_healthy, 3);
  EXPECT_EQ(d.desired_healthy, 2);
  EXPECT_EQ(d.expected_pods, 3);
}

TEST(ProjectPdbTest, PercentagesNoExpressionsAndNoStatusYet) {
  auto obj = pdb();
  obj["spec"] = {
      {"maxUnavailable", "50%"},
      {"selector", {{"matchLabels", {{"app", "engine"}}}, {"matchExpressions", json::array()}}}};
  obj.erase("status");
  auto d = project_pdb(obj);
  EXPECT_EQ(d.min_available, "");
  EXPECT_EQ(d.max_unavailable, "50%");
  EXPECT_FALSE(d.has_expressions);  // an empty list of expressions constrains nothing
  EXPECT_EQ(d.disruptions_allowed, 0);
  EXPECT_EQ(d.expected_pods, 0);
}

struct SelectCase {
  const char* name;
  json selector;  // nullptr: spec.selector absent
  std::map<std::string, std::string, std::less<>> labels;
  bool want;
};

class PdbSelectsTest : public ::testing::TestWithParam<SelectCase> {};

TEST_P(PdbSelectsTest, AsTheDisruptionControllerSelectsPods) {
  auto obj = pdb();
  obj["spec"].erase("selector");
  if (!GetParam().selector.is_null()) obj["spec"]["selector"] = GetParam().selector;
  EXPECT_EQ(pdb_selects(project_pdb(obj), GetParam().labels), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Selectors, PdbSelectsTest,
    ::testing::Values(
        SelectCase{"MatchingLabels",
                   {{"matchLabels", {{"app", "engine"}}}},
                   {{"app", "engine"}, {"tier", "core"}},
                   true},
        SelectCase{"EveryLabelMustMatch",
                   {{"matchLabels", {{"app", "engine"}, {"tier", "edge"}}}},
                   {{"app", "engine"}, {"tier", "core"}},
                   false},
        SelectCase{"AMissingLabel", {{"matchLabels", {{"zone", "a"}}}}, {{"app", "engine"}}, false},
        SelectCase{"AnEmptySelectorSelectsEveryPod", json::object(), {{"app", "engine"}}, true},
        SelectCase{"NoSelectorSelectsNoPod", nullptr, {{"app", "engine"}}, false},
        SelectCase{"ExpressionsAreAssumedToMatch",
                   json::parse(R"({"matchLabels": {"app": "engine"}, "matchExpressions":
                     [{"key": "tier", "operator": "In", "values": ["edge"]}]})"),
                   {{"app", "engine"}},
                   true}),
    [](const auto& info) { return std::string(info.param.name); });

// Decoding through the mask keeps everything the projector reads.
template <class Projected, class Project>
void expect_mask_keeps_projection(const k8s::FieldMask& mask, const json& object, Project project) {
  auto decoded = mask.decode(object.dump());
  ASSERT_TRUE(decoded.ok());
  Projected full = project(object);
  Projected masked = project(*decoded);
  EXPECT_EQ(masked, full);
  EXPECT_LT(decoded->dump().size(), object.dump().size());
}

TEST(FieldMaskProjectionTest, DecodingThroughTheMaskProjectsTheSameAsTheFullObject) {
  expect_mask_keeps_projection<PodInfo>(pod_mask(), trading_pod(), project_pod);
  auto dep = deployment();
  dep["metadata"]["deletionTimestamp"] = "2026-11-02T09:00:00Z";
  expect_mask_keeps_projection<Workload>(workload_mask(), dep, [](const json& o) {
    return project_workload(WorkloadKind::Deployment, o);
  });
  expect_mask_keeps_projection<ReplicaSetInfo>(replica_set_mask(), json::parse(R"({
    "metadata": {"name": "rs", "namespace": "n", "uid": "u", "resourceVersion": "1",
      "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "d",
                           "uid": "du", "controller": true}]},
    "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "c"}]}}}})"),
                                               project_replica_set);
  expect_mask_keeps_projection<HpaInfo>(hpa_mask(), json::parse(R"({
    "metadata": {"name": "h", "namespace": "n", "uid": "u"},
    "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"},
      "maxReplicas": 5,
      "metrics": [{"type": "Resource", "resource": {"name": "cpu",
        "target": {"type": "Utilization", "averageUtilization": 50}}},
        {"type": "ContainerResource", "containerResource": {"name": "memory", "container": "c",
        "target": {"type": "Utilization", "averageUtilization": 50}}}]},
    "status": {"currentReplicas": 3}})"),
                                        project_hpa);
  expect_mask_keeps_projection<PdbInfo>(pdb_mask(), pdb(), project_pdb);
}

TEST(FieldMaskProjectionTest, TheWorkloadMaskKeepsEveryRolloutField) {
  auto project = [](const json& o) { return project_workload(WorkloadKind::Deployment, o); };
  auto dep = rolling_deployment();
  dep["spec"]["strategy"]["type"] = "Recreate";
  dep["spec"]["paused"] = true;
  dep["metadata"]["ownerReferences"] = json::parse(R"([
    {"apiVersion": "rightsizer.io/v1alpha1", "kind": "Rightsizing", "name": "r", "uid": "u",
     "controller": true}])");
  expect_mask_keeps_projection<Workload>(workload_mask(), dep, project);

  auto sts = deployment();
  sts["spec"]["updateStrategy"] = {{"type", "OnDelete"}, {"rollingUpdate", {{"partition", 1}}}};
  sts["status"] = {{"updateRevision", "a"}, {"currentRevision", "b"}, {"replicas", 3}};
  sts["metadata"]["managedFields"] = rolling_deployment()["metadata"]["managedFields"];
  expect_mask_keeps_projection<Workload>(workload_mask(), sts, [](const json& o) {
    return project_workload(WorkloadKind::StatefulSet, o);
  });

  // Of the managedFields, only the managers and what they own of the containers.
  auto decoded = workload_mask().decode(dep.dump());
  ASSERT_TRUE(decoded.ok());
  const auto& fields = decoded->at("metadata").at("managedFields");
  EXPECT_FALSE(fields.at(0).contains("operation"));
  EXPECT_FALSE(fields.at(0).at("fieldsV1").contains("f:status"));
  EXPECT_FALSE(fields.at(1).at("fieldsV1").at("f:spec").contains("f:replicas"));
}

TEST(FieldMaskProjectionTest, ThePodMaskDropsWhatThePodCacheDoesNotRead) {
  auto decoded = pod_mask().decode(trading_pod().dump());
  ASSERT_TRUE(decoded.ok());
  EXPECT_FALSE(decoded->at("metadata").contains("managedFields"));
  EXPECT_FALSE(decoded->at("metadata").contains("annotations"));
  EXPECT_FALSE(decoded->at("spec").contains("nodeName"));
  EXPECT_FALSE(decoded->at("spec").at("containers").at(0).contains("env"));
  EXPECT_FALSE(decoded->at("status").at("conditions").at(1).contains("lastTransitionTime"));
  EXPECT_FALSE(decoded->at("status").at("containerStatuses").at(1).contains("state"));
  // What every cache needs for its keys and resumption stays.
  EXPECT_EQ(decoded->at("metadata").at("resourceVersion"), "4711");
}

json policy_object() {
  return json::parse(R"({
    "apiVersion": "rightsizer.io/v1alpha1", "kind": "RightsizePolicy",
    "metadata": {"name": "trading-default", "namespace": "trading", "uid": "pol-uid",
                 "resourceVersion": "99", "generation": 4},
    "spec": {"mode": "Recommend"},
    "status": {"observedGeneration": 3, "workloads": 2,
               "conditions": [{"type": "Valid", "status": "True", "reason": "Valid",
                               "message": "", "lastTransitionTime": "2026-11-01T10:00:00Z"}]}})");
}

TEST(ProjectPolicyTest, ParsesSpecAndStatus) {
  auto p = project_policy(policy_object());
  EXPECT_EQ(p.namespace_name, "trading");
  EXPECT_EQ(p.name, "trading-default");
  EXPECT_EQ(p.uid, "pol-uid");
  EXPECT_EQ(p.resource_version, "99");
  EXPECT_EQ(p.generation, 4);
  EXPECT_TRUE(p.parsed.valid()) << (p.parsed.problems.empty() ? "" : p.parsed.problems[0].message);
  EXPECT_EQ(p.status.observed_generation, 3);
  EXPECT_EQ(p.status.workloads, 2);
  ASSERT_EQ(p.status.conditions.size(), 1u);
  EXPECT_EQ(p.status_error, "");
}

TEST(ProjectPolicyTest, AnInvalidSpecIsListedAndABadStatusIsAnErrorNotAThrow) {
  auto obj = policy_object();
  obj["spec"]["cpu"] = {{"targetUtilization", 7}};
  obj["status"] = {{"workloads", "many"}};
  auto p = project_policy(obj);
  EXPECT_FALSE(p.parsed.valid());
  EXPECT_NE(p.status_error, "");
  EXPECT_EQ(p.status, policies::PolicyStatus{});

  obj.erase("status");
  EXPECT_EQ(project_policy(obj).status_error, "");
}

json rightsizing_object() {
  return json::parse(R"({
    "apiVersion": "rightsizer.io/v1alpha1", "kind": "Rightsizing",
    "metadata": {"name": "deployment-engine", "namespace": "trading", "uid": "rsz-uid",
      "resourceVersion": "5", "labels": {"rightsizer.io/policy": "trading-default"},
      "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "engine",
                           "uid": "dep-uid", "controller": true, "blockOwnerDeletion": false}]},
    "spec": {"policyRef": {"name": "trading-default"},
             "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "engine"}},
    "status": {"phase": "Observing", "replicas": 3}})");
}

TEST(FieldMaskProjectionTest, TheRightsizingMaskKeepsWhatTheProjectorReadsAndNoManagedFields) {
  auto obj = rightsizing_object();
  obj["metadata"]["annotations"] = {{"rightsizer.io/action", "promote"}};
  obj["metadata"]["deletionTimestamp"] = "2026-11-02T09:00:00Z";
  obj["metadata"]["creationTimestamp"] = "2026-11-01T09:00:00Z";
  obj["metadata"]["managedFields"] = json::parse(R"([{"manager": "rightsizer",
    "operation": "Update", "subresource": "status", "fieldsType": "FieldsV1",
    "fieldsV1": {"f:status": {"f:phase": {}, "f:replicas": {}}}}])");
  obj["status"]["containers"] = json::parse(R"([{"name": "app",
    "current": {"requests": {"cpu": "2", "memory": "1Gi"}},
    "usage": {"cpuP95": "250m", "samples": 12}}])");
  expect_mask_keeps_projection<RightsizingObject>(rightsizing_mask(), obj, project_rightsizing);
  auto decoded = rightsizing_mask().decode(obj.dump());
  ASSERT_TRUE(decoded.ok());
  EXPECT_FALSE(decoded->at("metadata").contains("managedFields"));
  EXPECT_EQ(project_rightsizing(*decoded).status.containers.at(0).usage->samples, 12);
}

TEST(ProjectRightsizingTest, ParsesRefsOwnersLabelAndStatus) {
  auto r = project_rightsizing(rightsizing_object());
  EXPECT_EQ(r.namespace_name, "trading");
  EXPECT_EQ(r.name, "deployment-engine");
  EXPECT_EQ(r.uid, "rsz-uid");
  EXPECT_EQ(r.resource_version, "5");
  ASSERT_EQ(r.owners.size(), 1u);
  EXPECT_EQ(r.owners[0], (OwnerRef{"apps/v1", "Deployment", "engine", "dep-uid", true}));
  EXPECT_EQ(r.policy_label, "trading-default");
  EXPECT_EQ(r.policy_ref, "trading-default");
  EXPECT_EQ(r.target, (WorkloadRef{WorkloadKind::Deployment, "trading", "engine"}));
  EXPECT_EQ(r.status.phase, policies::RightsizingPhase::Observing);
  EXPECT_EQ(r.status.replicas, 3);
  EXPECT_EQ(r.status_error, "");
  EXPECT_FALSE(r.deleting);
  EXPECT_FALSE(r.action.has_value());
}

TEST(ProjectRightsizingTest, TheManualActionAnnotation) {
  auto obj = rightsizing_object();
  obj["metadata"]["annotations"] = {{"rightsizer.io/action", "promote"},
                                    {"rightsizer.io/actions", "abort"}};
  EXPECT_EQ(project_rightsizing(obj).action, "promote");
  obj["metadata"]["annotations"]["rightsizer.io/action"] = "";
  EXPECT_EQ(project_rightsizing(obj).action, "");  // present but empty is still an action to reject
}

TEST(ProjectRightsizingTest, ForeignTargetsAreNotOursAndABadStatusIsAnError) {
  auto obj = rightsizing_object();
  obj["spec"]["targetRef"]["kind"] = "DaemonSet";
  EXPECT_FALSE(project_rightsizing(obj).target.has_value());
  obj["spec"]["targetRef"] = {
      {"apiVersion", "apps/v1beta2"}, {"kind", "Deployment"}, {"name", "engine"}};
  EXPECT_FALSE(project_rightsizing(obj).target.has_value());
  obj["spec"]["targetRef"] = {{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"name", ""}};
  EXPECT_FALSE(project_rightsizing(obj).target.has_value());

  obj["status"] = {{"phase", "Sideways"}};
  obj["metadata"]["deletionTimestamp"] = "2026-11-02T09:00:00Z";
  obj["metadata"].erase("labels");
  auto r = project_rightsizing(obj);
  EXPECT_NE(r.status_error, "");
  EXPECT_TRUE(r.deleting);
  EXPECT_FALSE(r.policy_label.has_value());
}

}  // namespace
}  // namespace controller
