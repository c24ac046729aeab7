// The Deployment actuator: the exact requests of every action, idempotency,
// and observe() on a fake cache.
#include <gtest/gtest.h>

#include "actuator_fixtures.h"
#include "controller/actuator_patches.h"
#include "fake_cluster_view.h"

namespace controller {
namespace {

using nlohmann::json;
using policies::ActionKind;
using policies::RightsizingPhase;
using namespace controller::testing;

constexpr const char* kStep = "rs-00000000000000aa";
constexpr const char* kOther = "rs-00000000000000bb";
constexpr const char* kDeployments = "/apis/apps/v1/namespaces/shop/deployments";
constexpr const char* kCanary = "/apis/apps/v1/namespaces/shop/deployments/web-rightsizer-canary";
constexpr const char* kSmp = "application/strategic-merge-patch+json";
constexpr const char* kWeb = "/apis/apps/v1/namespaces/shop/deployments/web";
const std::string kTemplateHash = pod_template_hash(json::parse(kTemplateJson));

// The workload as the API server returns it (the cached object and
// generation by default): the canary is made from this template, which the
// cache keeps only as a hash.
std::string live_web(const json& tmpl = json::parse(kTemplateJson), std::int64_t generation = 4,
                     const std::string& uid = "uid-web") {
  return json{{"metadata", {{"name", "web"}, {"uid", uid}, {"generation", generation}}},
              {"spec", {{"template", tmpl}}}}
      .dump();
}

class DeploymentActuatorTest : public ::testing::Test {
 protected:
  DeploymentActuatorTest() { policy_.rollout.canary_replicas = 1; }

  StageContext stage(RightsizingPhase phase, policies::ContainerSizes sizes, std::string hash) {
    return {&workload_, &rightsizing_, &policy_, phase, std::move(sizes), std::move(hash)};
  }
  k8s::Result<int> run(ActionKind kind, policies::ContainerSizes sizes, std::string hash) {
    const policies::RolloutAction action{kind, sizes, hash};
    return actuator_->execute(action, stage(RightsizingPhase::Canary, sizes, hash), {});
  }
  // The canary Deployment as the API server would return it.
  static std::string stored_canary(const std::string& marker, const std::string& owner_uid,
                                   const std::string& tmpl = kTemplateHash) {
    return json{
        {"metadata",
         {{"name", "web-rightsizer-canary"},
          {"uid", "uid-canary"},
          {"annotations", {{"rightsizer.io/step", marker}, {"rightsizer.io/template", tmpl}}},
          {"ownerReferences",
           json::array({{{"kind", "Rightsizing"}, {"uid", owner_uid}, {"controller", true}}})}}}}
        .dump();
  }
  Workload canary_workload(const std::string& marker) const {
    Workload c = web();
    c.ref.name = "web-rightsizer-canary";
    c.step_marker = marker;
    c.template_marker = kTemplateHash;
    c.template_hash.clear();  // a canary is not opted in: its template is not hashed
    return c;
  }

  Workload workload_ = web();
  RightsizingObject rightsizing_ = web_rightsizing();
  policies::RightsizePolicySpec policy_;
  ScriptedClient api_;
  std::unique_ptr<Actuator> actuator_ = make_deployment_actuator(api_.client);
  FakeClusterView view_;
};

TEST_F(DeploymentActuatorTest, StartCanaryPostsTheTemplateWithTheCanaryLabelOwnerAndResources) {
  api_.transport->push(200, live_web());
  api_.transport->push(201, "{}");
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_TRUE(writes) << writes.error().describe();
  EXPECT_EQ(*writes, 1);
  const auto reqs = api_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, k8s::Method::Get);  // the template, read live
  EXPECT_EQ(reqs[0].path, kWeb);
  EXPECT_EQ(reqs[1].method, k8s::Method::Post);
  EXPECT_EQ(reqs[1].path, kDeployments);
  EXPECT_EQ(*reqs[1].header("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(reqs[1].body), json::parse(R"({
    "apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"web-rightsizer-canary","namespace":"shop",
      "labels":{"app":"web","tier":"front","rightsizer.io/canary":"true"},
      "annotations":{"rightsizer.io/step":"rs-00000000000000aa",
                     "rightsizer.io/template":")" + kTemplateHash +
                                                   R"("},
      "ownerReferences":[{"apiVersion":"rightsizer.io/v1alpha1","kind":"Rightsizing",
        "name":"deployment-web","uid":"uid-rsz","controller":true,"blockOwnerDeletion":false}]},
    "spec":{"replicas":1,
      "selector":{"matchLabels":{"app":"web","rightsizer.io/canary":"true"}},
      "template":{"metadata":{"labels":{"app":"web","tier":"front","rightsizer.io/canary":"true"},
                              "annotations":{"note":"kept"}},
        "spec":{"containers":[
          {"name":"app","image":"web:1","resources":{
            "requests":{"cpu":"1","memory":"1Gi","ephemeral-storage":"1Gi"},
            "limits":{"memory":"2Gi"}}},
          {"name":"sidecar","image":"proxy:1","resources":{
            "requests":{"cpu":"100m","memory":"64Mi"}}}]}}}})"));
}

TEST_F(DeploymentActuatorTest, StartCanaryUsesCanaryReplicas) {
  policy_.rollout.canary_replicas = 3;
  api_.transport->push(200, live_web());
  api_.transport->push(201, "{}");
  ASSERT_TRUE(run(ActionKind::StartCanary, step_sizes(), kStep));
  EXPECT_EQ(json::parse(api_.requests().at(1).body)["spec"]["replicas"], 3);
}

TEST_F(DeploymentActuatorTest, StartCanaryWithoutACachedTemplateSendsNothing) {
  workload_.template_hash.clear();
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Invalid);
  EXPECT_TRUE(api_.requests().empty());
}

TEST_F(DeploymentActuatorTest, AMalformedTemplateOrSelectorIsAnErrorNotAnException) {
  for (const char* tmpl :
       {R"({"metadata":"x","spec":{"containers":[]}})",
        R"({"metadata":{"labels":[]},"spec":{"containers":[]}})", R"({"spec":{"containers":{}}})",
        R"({"spec":{"containers":[1]}})", R"({"spec":[]})", "[]"}) {
    api_.transport->push(200, live_web(json::parse(tmpl)));
    auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
    ASSERT_FALSE(writes) << tmpl;
    EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Invalid) << tmpl;
  }
  workload_ = web();
  workload_.selector_json = R"({"matchLabels":"app"})";
  api_.transport->push(200, live_web());
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Invalid);
  for (const auto& r : api_.requests()) EXPECT_EQ(r.method, k8s::Method::Get);  // nothing created
}

// The cache lags the API server: the Deployment read live is a newer
// generation (or a new object of the same name) than the one the step was
// planned on and whose template hash the canary would record. No canary is
// made of it until the cache has caught up.
TEST_F(DeploymentActuatorTest, AWorkloadChangedSinceTheCacheIsAConflictAndNothingIsCreated) {
  auto newer = json::parse(kTemplateJson);
  newer["spec"]["containers"][0]["image"] = "web:2";
  api_.transport->push(200, live_web(newer, 5));
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Conflict);
  api_.transport->push(200, live_web(json::parse(kTemplateJson), 4, "uid-recreated"));
  writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Conflict);
  ASSERT_EQ(api_.requests().size(), 2u);
  for (const auto& r : api_.requests()) EXPECT_EQ(r.method, k8s::Method::Get);
}

// The same generation is the same spec, even when an API server of another
// version answers with a field defaulted that the cache's did not have: the
// canary is made, and records the cached template's hash.
TEST_F(DeploymentActuatorTest, TheSameGenerationWithAFieldDefaultedIsTheCachedTemplate) {
  auto defaulted = json::parse(kTemplateJson);
  defaulted["spec"]["containers"][0]["terminationMessagePolicy"] = "File";
  api_.transport->push(200, live_web(defaulted));
  api_.transport->push(201, "{}");
  ASSERT_TRUE(run(ActionKind::StartCanary, step_sizes(), kStep));
  const auto post = api_.requests().back();
  ASSERT_EQ(post.method, k8s::Method::Post);
  const auto body = json::parse(post.body);
  EXPECT_EQ(body["metadata"]["annotations"]["rightsizer.io/template"], kTemplateHash);
  EXPECT_EQ(body["spec"]["template"]["spec"]["containers"][0]["terminationMessagePolicy"], "File");
}

TEST_F(DeploymentActuatorTest, AFailedReadOfTheWorkloadIsReturnedAndNothingIsCreated) {
  api_.transport->push(404, status_body(404, "NotFound"));
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::NotFound);
  ASSERT_EQ(api_.requests().size(), 1u);
  EXPECT_EQ(api_.requests()[0].method, k8s::Method::Get);
  EXPECT_EQ(api_.requests()[0].path, kWeb);
}

TEST_F(DeploymentActuatorTest, AnExistingCanaryThatIsNotAnObjectIsReplaced) {
  api_.transport->push(200, live_web());
  api_.transport->push(409, status_body(409, "AlreadyExists"));
  api_.transport->push(200, R"({"metadata":{"uid":"uid-canary","annotations":[],)"
                            R"("ownerReferences":{}}})");
  api_.transport->push(200, "{}");
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Conflict);
  ASSERT_EQ(api_.requests().size(), 4u);
  EXPECT_EQ(json::parse(api_.requests()[3].body)["preconditions"]["uid"], "uid-canary");
}

TEST_F(DeploymentActuatorTest, ACanaryOfTheSameStepIsNotRecreated) {
  api_.transport->push(200, live_web());
  api_.transport->push(409, status_body(409, "AlreadyExists"));
  api_.transport->push(200, stored_canary(kStep, "uid-rsz"));
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_TRUE(writes) << writes.error().describe();
  EXPECT_EQ(*writes, 0);
  const auto reqs = api_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[2].method, k8s::Method::Get);
  EXPECT_EQ(reqs[2].path, kCanary);
}

TEST_F(DeploymentActuatorTest, ACanaryOfAnotherStepIsDeletedByUidAndTheCallerRetries) {
  api_.transport->push(200, live_web());
  api_.transport->push(409, status_body(409, "AlreadyExists"));
  api_.transport->push(200, stored_canary(kOther, "uid-rsz"));
  api_.transport->push(200, "{}");
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Conflict);
  const auto reqs = api_.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[3].method, k8s::Method::Delete);
  EXPECT_EQ(reqs[3].path, kCanary);
  const auto body = json::parse(reqs[3].body);
  EXPECT_EQ(body["propagationPolicy"], "Background");
  EXPECT_EQ(body["preconditions"], json({{"uid", "uid-canary"}}));
}

TEST_F(DeploymentActuatorTest, ACanaryOfTheSameStepButAnOlderTemplateIsReplaced) {
  api_.transport->push(200, live_web());
  api_.transport->push(409, status_body(409, "AlreadyExists"));
  api_.transport->push(200, stored_canary(kStep, "uid-rsz", "tp-0000000000000001"));
  api_.transport->push(200, "{}");
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Conflict);
  const auto reqs = api_.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[3].method, k8s::Method::Delete);
  EXPECT_EQ(json::parse(reqs[3].body)["preconditions"], json({{"uid", "uid-canary"}}));
}

TEST_F(DeploymentActuatorTest, ACanaryOfAnotherOwnerIsReplacedEvenWithTheSameMarker) {
  api_.transport->push(200, live_web());
  api_.transport->push(409, status_body(409, "AlreadyExists"));
  api_.transport->push(200, stored_canary(kStep, "uid-old-rightsizing"));
  api_.transport->push(200, "{}");
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Conflict);
  ASSERT_EQ(api_.requests().size(), 4u);
  EXPECT_EQ(api_.requests()[3].method, k8s::Method::Delete);
}

TEST_F(DeploymentActuatorTest, ACanaryOurRightsizingDoesNotControlIsReplaced) {
  api_.transport->push(200, live_web());
  api_.transport->push(409, status_body(409, "AlreadyExists"));
  auto stored = json::parse(stored_canary(kStep, "uid-rsz"));
  stored["metadata"]["ownerReferences"][0]["controller"] = false;
  api_.transport->push(200, stored.dump());
  api_.transport->push(200, "{}");
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Conflict);
  ASSERT_EQ(api_.requests().size(), 4u);
  EXPECT_EQ(api_.requests()[3].method, k8s::Method::Delete);
}

TEST_F(DeploymentActuatorTest, AnotherCreateFailureIsReturnedAsIs) {
  api_.transport->push(200, live_web());
  api_.transport->push(403, status_body(403, "Forbidden"));
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Forbidden);
  EXPECT_EQ(api_.requests().size(), 2u);
}

TEST_F(DeploymentActuatorTest, AbortAndFinishDeleteTheCanaryInTheBackground) {
  for (auto kind : {ActionKind::AbortCanary, ActionKind::FinishCanary}) {
    api_.transport->push(200, "{}");
    auto writes = run(kind, live_sizes(), kOther);
    ASSERT_TRUE(writes) << writes.error().describe();
    EXPECT_EQ(*writes, 1);
    const auto req = api_.requests().back();
    EXPECT_EQ(req.method, k8s::Method::Delete);
    EXPECT_EQ(req.path, kCanary);
    EXPECT_EQ(json::parse(req.body)["propagationPolicy"], "Background");
  }
}

TEST_F(DeploymentActuatorTest, DeletingACanaryThatIsGoneIsDoneWithNoWrite) {
  api_.transport->push(404, status_body(404, "NotFound"));
  auto writes = run(ActionKind::AbortCanary, live_sizes(), kOther);
  ASSERT_TRUE(writes) << writes.error().describe();
  EXPECT_EQ(*writes, 0);
}

TEST_F(DeploymentActuatorTest, PromoteAndRestorePatchTheWorkloadOnceAndRepeatIdentically) {
  for (auto kind : {ActionKind::Promote, ActionKind::Restore}) {
    api_.transport->push(200, "{}");
    api_.transport->push(200, "{}");
    ASSERT_TRUE(run(kind, step_sizes(), kStep));
    ASSERT_TRUE(run(kind, step_sizes(), kStep));
    const auto reqs = api_.requests();
    ASSERT_GE(reqs.size(), 2u);
    const auto& first = reqs[reqs.size() - 2];
    const auto& second = reqs.back();
    EXPECT_EQ(first.method, k8s::Method::Patch);
    EXPECT_EQ(first.path, "/apis/apps/v1/namespaces/shop/deployments/web");
    EXPECT_EQ(*first.header("Content-Type"), kSmp);
    EXPECT_EQ(json::parse(first.body)["metadata"]["annotations"]["rightsizer.io/step"], kStep);
    EXPECT_EQ(json::parse(first.body)["spec"]["template"]["spec"]["containers"][0],
              json::parse(R"({"name":"app","resources":{"requests":{"cpu":"1","memory":"1Gi"},
                              "limits":{"cpu":null,"memory":"2Gi"}}})"));
    EXPECT_EQ(first.body, second.body);
  }
  EXPECT_EQ(api_.requests().size(), 4u);
}

TEST_F(DeploymentActuatorTest, APatchFailureIsReturned) {
  api_.transport->push(422, status_body(422, "Invalid"));
  auto writes = run(ActionKind::Promote, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Invalid);
}

TEST_F(DeploymentActuatorTest, CanaryExistsWhenTheCacheHoldsTheCanaryDeployment) {
  EXPECT_FALSE(actuator_->canary_exists(view_, workload_));
  view_.put(canary_workload(kOther));
  EXPECT_TRUE(actuator_->canary_exists(view_, workload_));
}

// observe() in Canary.

TEST_F(DeploymentActuatorTest, CanaryIsAppliedOnlyWhenTheCanaryCarriesThisStepsMarker) {
  const auto s = stage(RightsizingPhase::Canary, step_sizes(), kStep);
  EXPECT_FALSE(actuator_->observe(view_, s).applied);
  view_.put(canary_workload(kOther));
  EXPECT_FALSE(actuator_->observe(view_, s).applied);
  view_.put(canary_workload(kStep));
  EXPECT_TRUE(actuator_->observe(view_, s).applied);
}

TEST_F(DeploymentActuatorTest, ACanaryOfAnOlderTemplateIsNotApplied) {
  view_.put(canary_workload(kStep));
  const auto s = stage(RightsizingPhase::Canary, step_sizes(), kStep);
  ASSERT_TRUE(actuator_->observe(view_, s).applied);
  // The workload's own resources changing (a promotion) is not a new template.
  auto tmpl = json::parse(kTemplateJson);
  tmpl["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "1";
  workload_.template_hash = pod_template_hash(tmpl);
  EXPECT_TRUE(actuator_->observe(view_, s).applied);
  // CI deploys image web:2 while the canary runs web:1.
  tmpl["spec"]["containers"][0]["image"] = "web:2";
  workload_.template_hash = pod_template_hash(tmpl);
  const auto obs = actuator_->observe(view_, s);
  EXPECT_FALSE(obs.applied);
  EXPECT_FALSE(obs.effective);
  EXPECT_NE(obs.detail.find("older template"), std::string::npos) << obs.detail;
  // A canary made before the template was recorded is stale too.
  auto unmarked = canary_workload(kStep);
  unmarked.template_marker.reset();
  view_.put(unmarked);
  workload_ = web();
  EXPECT_FALSE(actuator_->observe(view_, s).applied);
}

TEST_F(DeploymentActuatorTest, CanaryIsEffectiveWithEnoughReadyCanaryPodsCarryingTheStep) {
  view_.put(canary_workload(kStep));
  view_.put(pod("web-a", live_sizes()), workload_.ref);
  view_.put(pod("web-b", live_sizes()), workload_.ref);
  view_.put(pod("web-c", live_sizes(), /*ready=*/false), workload_.ref);
  const auto s = stage(RightsizingPhase::Canary, step_sizes(), kStep);
  EXPECT_FALSE(actuator_->observe(view_, s).effective);  // no canary pod yet

  view_.put(pod("web-canary-old", live_sizes(), true, /*canary=*/true), workload_.ref);
  auto unready = pod("web-canary-x", step_sizes(), /*ready=*/false, true);
  view_.put(unready, workload_.ref);
  EXPECT_FALSE(actuator_->observe(view_, s).effective);

  auto going = pod("web-canary-y", step_sizes(), true, true);
  going.deleting = true;
  view_.put(going, workload_.ref);
  EXPECT_FALSE(actuator_->observe(view_, s).effective);

  view_.put(pod("web-canary-z", step_sizes(), true, true), workload_.ref);
  const auto obs = actuator_->observe(view_, s);
  EXPECT_TRUE(obs.applied);
  EXPECT_TRUE(obs.effective);
  EXPECT_EQ(obs.pods, std::vector<std::string>{"web-canary-z"});
  EXPECT_EQ(obs.baseline_pods, (std::vector<std::string>{"web-a", "web-b"}));
}

TEST_F(DeploymentActuatorTest, TerminatedPodsAreNeitherCanaryNorBaseline) {
  view_.put(canary_workload(kStep));
  view_.put(pod("web-a", live_sizes()), workload_.ref);
  auto evicted = pod("web-b", live_sizes());
  evicted.phase = "Failed";
  view_.put(evicted, workload_.ref);
  auto done = pod("web-canary-y", step_sizes(), true, true);
  done.phase = "Succeeded";
  view_.put(done, workload_.ref);
  const auto s = stage(RightsizingPhase::Canary, step_sizes(), kStep);
  auto obs = actuator_->observe(view_, s);
  EXPECT_FALSE(obs.effective);
  EXPECT_TRUE(obs.pods.empty());
  EXPECT_EQ(obs.baseline_pods, std::vector<std::string>{"web-a"});
}

TEST_F(DeploymentActuatorTest, CanaryNeedsCanaryReplicasPods) {
  policy_.rollout.canary_replicas = 2;
  view_.put(canary_workload(kStep));
  view_.put(pod("web-canary-z", step_sizes(), true, true), workload_.ref);
  const auto s = stage(RightsizingPhase::Canary, step_sizes(), kStep);
  EXPECT_FALSE(actuator_->observe(view_, s).effective);
  view_.put(pod("web-canary-w", step_sizes(), true, true), workload_.ref);
  EXPECT_TRUE(actuator_->observe(view_, s).effective);
}

TEST_F(DeploymentActuatorTest, CanaryPodsOfAnotherStepMarkerAreNotEffective) {
  view_.put(canary_workload(kOther));
  view_.put(pod("web-canary-z", step_sizes(), true, true), workload_.ref);
  const auto obs = actuator_->observe(view_, stage(RightsizingPhase::Canary, step_sizes(), kStep));
  EXPECT_FALSE(obs.applied);
  EXPECT_FALSE(obs.effective);
}

// observe() after promotion (Promoting, Verifying, RolledBack).

class DeploymentPromotedTest : public DeploymentActuatorTest,
                               public ::testing::WithParamInterface<RightsizingPhase> {
 protected:
  void promote_all() {
    workload_ = web(WorkloadKind::Deployment, step_sizes());
    for (const char* name : {"web-a", "web-b", "web-c"}) {
      view_.put(pod(name, step_sizes()), workload_.ref);
    }
  }
  policies::StageObservation observe() {
    return actuator_->observe(view_, stage(GetParam(), step_sizes(), kStep));
  }
};

TEST_P(DeploymentPromotedTest, AppliedWhenTheTemplateCarriesTheSizes) {
  EXPECT_FALSE(observe().applied);
  promote_all();
  EXPECT_TRUE(observe().applied);
  auto partial = step_sizes();
  partial.erase("sidecar");
  workload_ = web(WorkloadKind::Deployment, partial);
  EXPECT_FALSE(observe().applied);
}

TEST_P(DeploymentPromotedTest, EffectiveWhenRolledOutAndEveryPodCarriesTheSizes) {
  promote_all();
  view_.put(pod("web-canary-z", live_sizes(), true, true), workload_.ref);  // ignored
  auto old = pod("web-old", live_sizes());
  old.deleting = true;
  view_.put(old, workload_.ref);  // terminating: ignored
  auto obs = observe();
  EXPECT_TRUE(obs.effective);
  EXPECT_EQ(obs.pods, (std::vector<std::string>{"web-a", "web-b", "web-c"}));
  EXPECT_TRUE(obs.baseline_pods.empty());

  view_.put(pod("web-d", live_sizes()), workload_.ref);
  EXPECT_FALSE(observe().effective);
  view_.put(pod("web-d", step_sizes(), /*ready=*/false), workload_.ref);
  EXPECT_FALSE(observe().effective);
}

TEST_P(DeploymentPromotedTest, AnEvictedPodOfTheOldReplicaSetDoesNotHoldThePromotionBack) {
  promote_all();
  for (const char* phase : {"Failed", "Succeeded"}) {
    auto evicted = pod(std::string("web-old-") + phase, live_sizes(), /*ready=*/false);
    evicted.phase = phase;
    view_.put(evicted, workload_.ref);
  }
  const auto obs = observe();
  EXPECT_TRUE(obs.effective) << obs.detail;
  EXPECT_EQ(obs.pods, (std::vector<std::string>{"web-a", "web-b", "web-c"}));
}

TEST_P(DeploymentPromotedTest, NotEffectiveUntilTheControllerHasRolledOut) {
  promote_all();
  ASSERT_TRUE(observe().effective);
  const Workload done = workload_;
  workload_.observed_generation = done.generation - 1;
  EXPECT_FALSE(observe().effective);
  workload_ = done;
  workload_.updated_replicas = 2;
  EXPECT_FALSE(observe().effective);
  workload_ = done;
  workload_.ready_replicas = 2;
  EXPECT_FALSE(observe().effective);
  workload_ = done;
  workload_.available_replicas = 2;
  EXPECT_FALSE(observe().effective);
  workload_ = done;
  workload_.status_replicas = 4;  // an old pod still counted
  EXPECT_FALSE(observe().effective);
}

INSTANTIATE_TEST_SUITE_P(Phases, DeploymentPromotedTest,
                         ::testing::Values(RightsizingPhase::Promoting, RightsizingPhase::Verifying,
                                           RightsizingPhase::RolledBack));

}  // namespace
}  // namespace controller
