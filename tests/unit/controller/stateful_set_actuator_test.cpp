// The StatefulSet actuator: one strategic-merge patch per action (template,
// marker, partition), observe() of the partition's ordinals on a fake cache.
#include <gtest/gtest.h>

#include "actuator_fixtures.h"
#include "fake_cluster_view.h"

namespace controller {
namespace {

using nlohmann::json;
using policies::ActionKind;
using policies::RightsizingPhase;
using namespace controller::testing;

constexpr const char* kStep = "rs-00000000000000aa";
constexpr const char* kGood = "rs-00000000000000bb";
constexpr const char* kPath = "/apis/apps/v1/namespaces/shop/statefulsets/web";

class StatefulSetActuatorTest : public ::testing::Test {
 protected:
  StatefulSetActuatorTest() { policy_.rollout.canary_replicas = 1; }

  StageContext stage(RightsizingPhase phase, policies::ContainerSizes sizes, std::string hash) {
    return {&workload_, &rightsizing_, &policy_, phase, std::move(sizes), std::move(hash)};
  }
  k8s::Result<int> run(ActionKind kind, policies::ContainerSizes sizes, std::string hash) {
    const policies::RolloutAction action{kind, sizes, hash};
    return actuator_->execute(action, stage(RightsizingPhase::Canary, sizes, hash), {});
  }
  // The body of the one PATCH the last action sent.
  json patched() const {
    const auto reqs = api_.requests();
    EXPECT_FALSE(reqs.empty());
    if (reqs.empty()) return {};
    EXPECT_EQ(reqs.back().method, k8s::Method::Patch);
    EXPECT_EQ(reqs.back().path, kPath);
    EXPECT_EQ(*reqs.back().header("Content-Type"), "application/strategic-merge-patch+json");
    return json::parse(reqs.back().body);
  }
  // The patch of `containers` (as JSON text), marker and partition.
  static json expected(const char* containers, const std::string& hash, int partition) {
    return {{"metadata", {{"annotations", {{"rightsizer.io/step", hash}}}}},
            {"spec",
             {{"template", {{"spec", {{"containers", json::parse(containers)}}}}},
              {"updateStrategy", {{"rollingUpdate", {{"partition", partition}}}}}}}};
  }
  static constexpr const char* kSidecar =
      R"({"name":"sidecar","resources":{"requests":{"cpu":"100m","memory":"64Mi"},)"
      R"("limits":{"cpu":null,"memory":null}}})";
  static std::string step_containers() {
    return std::string(R"([{"name":"app","resources":{"requests":{"cpu":"1","memory":"1Gi"},)"
                       R"("limits":{"cpu":null,"memory":"2Gi"}}},)") +
           kSidecar + "]";
  }
  static std::string live_containers() {
    return std::string(R"([{"name":"app","resources":{"requests":{"cpu":"2","memory":"1Gi"},)"
                       R"("limits":{"cpu":"4","memory":"2Gi"}}},)") +
           kSidecar + "]";
  }
  // ss/web-0..2 Ready with `sizes` (`canary_sizes` from `from` up).
  void pods(const policies::ContainerSizes& sizes, const policies::ContainerSizes& canary_sizes,
            int from) {
    for (int n = 0; n < workload_.replicas; ++n) {
      view_.put(pod("web-" + std::to_string(n), n >= from ? canary_sizes : sizes), workload_.ref);
    }
  }

  Workload workload_ = web(WorkloadKind::StatefulSet);
  RightsizingObject rightsizing_ = web_rightsizing();
  policies::RightsizePolicySpec policy_;
  ScriptedClient api_;
  std::unique_ptr<Actuator> actuator_ = make_stateful_set_actuator(api_.client);
  FakeClusterView view_;
};

TEST_F(StatefulSetActuatorTest, StartCanaryPatchesTemplateMarkerAndPartitionOnce) {
  api_.transport->push(200, "{}");
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_TRUE(writes) << writes.error().describe();
  EXPECT_EQ(*writes, 1);
  EXPECT_EQ(api_.requests().size(), 1u);
  EXPECT_EQ(patched(), expected(step_containers().c_str(), kStep, 2));  // 3 replicas − 1 canary
}

TEST_F(StatefulSetActuatorTest, ThePartitionIsNeverNegative) {
  policy_.rollout.canary_replicas = 5;
  api_.transport->push(200, "{}");
  ASSERT_TRUE(run(ActionKind::StartCanary, step_sizes(), kStep));
  EXPECT_EQ(patched()["spec"]["updateStrategy"]["rollingUpdate"]["partition"], 0);
}

TEST_F(StatefulSetActuatorTest, AbortPromoteAndRestoreSetPartitionZeroWithTheirSizes) {
  for (auto kind : {ActionKind::AbortCanary, ActionKind::Promote, ActionKind::Restore}) {
    api_.transport->push(200, "{}");
    auto writes = run(kind, live_sizes(), kGood);
    ASSERT_TRUE(writes) << writes.error().describe();
    EXPECT_EQ(*writes, 1);
    EXPECT_EQ(patched(), expected(live_containers().c_str(), kGood, 0));
  }
  EXPECT_EQ(api_.requests().size(), 3u);
}

TEST_F(StatefulSetActuatorTest, ARepeatedActionSendsTheSamePatch) {
  api_.transport->push(200, "{}");
  api_.transport->push(200, "{}");
  ASSERT_TRUE(run(ActionKind::Promote, step_sizes(), kStep));
  ASSERT_TRUE(run(ActionKind::Promote, step_sizes(), kStep));
  const auto reqs = api_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].body, reqs[1].body);
}

TEST_F(StatefulSetActuatorTest, FinishCanaryHasNothingToDo) {
  auto writes = run(ActionKind::FinishCanary, step_sizes(), kStep);
  ASSERT_TRUE(writes);
  EXPECT_EQ(*writes, 0);
  EXPECT_TRUE(api_.requests().empty());
  EXPECT_FALSE(actuator_->canary_exists(view_, workload_));
}

TEST_F(StatefulSetActuatorTest, ACanaryExistsWhileOurMarkedWorkloadKeepsAPartition) {
  workload_.partition = 2;
  EXPECT_FALSE(actuator_->canary_exists(view_, workload_));  // the user's partition
  workload_.step_marker = kStep;
  EXPECT_TRUE(actuator_->canary_exists(view_, workload_));
  workload_.partition = 0;
  EXPECT_FALSE(actuator_->canary_exists(view_, workload_));
  workload_.partition.reset();
  EXPECT_FALSE(actuator_->canary_exists(view_, workload_));
}

TEST_F(StatefulSetActuatorTest, APatchFailureIsReturned) {
  api_.transport->push(409, status_body(409, "Conflict"));
  auto writes = run(ActionKind::StartCanary, step_sizes(), kStep);
  ASSERT_FALSE(writes);
  EXPECT_EQ(writes.error().kind, k8s::ErrorKind::Conflict);
}

// observe() in Canary: the highest ordinals are the canary.

TEST_F(StatefulSetActuatorTest, CanaryIsAppliedWhenTemplateAndPartitionCarryTheStep) {
  const auto s = [&] { return stage(RightsizingPhase::Canary, step_sizes(), kStep); };
  EXPECT_FALSE(actuator_->observe(view_, s()).applied);
  workload_.partition = 2;
  EXPECT_FALSE(actuator_->observe(view_, s()).applied);  // the partition without the template
  workload_ = web(WorkloadKind::StatefulSet, step_sizes());
  EXPECT_FALSE(actuator_->observe(view_, s()).applied);  // no partition
  workload_.partition = 1;
  EXPECT_FALSE(actuator_->observe(view_, s()).applied);  // the wrong one
  workload_.partition = 2;
  EXPECT_TRUE(actuator_->observe(view_, s()).applied);
}

TEST_F(StatefulSetActuatorTest, CanaryPodsAreTheOrdinalsFromThePartitionUp) {
  workload_ = web(WorkloadKind::StatefulSet, step_sizes());
  workload_.partition = 2;
  const auto s = stage(RightsizingPhase::Canary, step_sizes(), kStep);
  pods(live_sizes(), live_sizes(), 3);
  auto obs = actuator_->observe(view_, s);
  EXPECT_FALSE(obs.effective);  // web-2 still has the old size
  EXPECT_EQ(obs.pods, std::vector<std::string>{"web-2"});

  pods(live_sizes(), step_sizes(), 2);
  obs = actuator_->observe(view_, s);
  EXPECT_TRUE(obs.effective);
  EXPECT_EQ(obs.pods, std::vector<std::string>{"web-2"});
  EXPECT_EQ(obs.baseline_pods, (std::vector<std::string>{"web-0", "web-1"}));

  view_.put(pod("web-2", step_sizes(), /*ready=*/false), workload_.ref);
  EXPECT_FALSE(actuator_->observe(view_, s).effective);
}

TEST_F(StatefulSetActuatorTest, CanaryNeedsEveryCanaryOrdinal) {
  policy_.rollout.canary_replicas = 2;
  workload_ = web(WorkloadKind::StatefulSet, step_sizes());
  workload_.partition = 1;
  view_.put(pod("web-0", live_sizes()), workload_.ref);
  view_.put(pod("web-2", step_sizes()), workload_.ref);
  view_.put(pod("web-10", step_sizes()), workload_.ref);  // beyond replicas: not counted
  const auto s = stage(RightsizingPhase::Canary, step_sizes(), kStep);
  EXPECT_FALSE(actuator_->observe(view_, s).effective);
  view_.put(pod("web-1", step_sizes()), workload_.ref);
  auto obs = actuator_->observe(view_, s);
  EXPECT_TRUE(obs.effective);
  EXPECT_EQ(obs.pods, (std::vector<std::string>{"web-1", "web-2"}));
  EXPECT_EQ(obs.baseline_pods, std::vector<std::string>{"web-0"});
}

TEST_F(StatefulSetActuatorTest, PodsThatAreNotOrdinalsOfTheSetAreIgnored) {
  workload_ = web(WorkloadKind::StatefulSet, step_sizes());
  workload_.partition = 2;
  view_.put(pod("web-2", step_sizes()), workload_.ref);
  view_.put(pod("web-x", live_sizes()), workload_.ref);
  view_.put(pod("webby-0", live_sizes()), workload_.ref);
  view_.put(pod("web-", live_sizes()), workload_.ref);
  view_.put(pod("webx2", live_sizes()), workload_.ref);
  view_.put(pod("web-1x", live_sizes()), workload_.ref);
  const auto obs = actuator_->observe(view_, stage(RightsizingPhase::Canary, step_sizes(), kStep));
  EXPECT_TRUE(obs.effective);
  EXPECT_EQ(obs.pods, std::vector<std::string>{"web-2"});
  EXPECT_TRUE(obs.baseline_pods.empty());
}

TEST_F(StatefulSetActuatorTest, TerminatingOrUnreadyPodsAreNeitherCanaryNorBaseline) {
  workload_ = web(WorkloadKind::StatefulSet, step_sizes());
  workload_.partition = 2;
  view_.put(pod("web-0", live_sizes()), workload_.ref);
  view_.put(pod("web-1", live_sizes(), /*ready=*/false), workload_.ref);
  auto going = pod("web-2", step_sizes());
  going.deleting = true;
  view_.put(going, workload_.ref);
  const auto s = stage(RightsizingPhase::Canary, step_sizes(), kStep);
  auto obs = actuator_->observe(view_, s);
  EXPECT_FALSE(obs.effective);
  EXPECT_TRUE(obs.pods.empty());
  EXPECT_EQ(obs.baseline_pods, std::vector<std::string>{"web-0"});
  view_.put(pod("web-2", step_sizes()), workload_.ref);
  EXPECT_TRUE(actuator_->observe(view_, s).effective);
}

TEST_F(StatefulSetActuatorTest, TerminatedPodsAreNeitherCanaryNorBaseline) {
  workload_ = web(WorkloadKind::StatefulSet, step_sizes());
  workload_.partition = 2;
  auto evicted = pod("web-0", live_sizes());
  evicted.phase = "Failed";
  view_.put(evicted, workload_.ref);
  view_.put(pod("web-1", live_sizes()), workload_.ref);
  auto done = pod("web-2", step_sizes());
  done.phase = "Succeeded";
  view_.put(done, workload_.ref);
  const auto s = stage(RightsizingPhase::Canary, step_sizes(), kStep);
  auto obs = actuator_->observe(view_, s);
  EXPECT_FALSE(obs.effective);
  EXPECT_TRUE(obs.pods.empty());
  EXPECT_EQ(obs.baseline_pods, std::vector<std::string>{"web-1"});
}

TEST_F(StatefulSetActuatorTest, AnEvictedPodDoesNotHoldThePromotionBack) {
  workload_ = web(WorkloadKind::StatefulSet, step_sizes());
  pods(step_sizes(), step_sizes(), 0);
  auto evicted = pod("web-3", live_sizes(), /*ready=*/false);
  evicted.phase = "Failed";
  view_.put(evicted, workload_.ref);
  const auto obs =
      actuator_->observe(view_, stage(RightsizingPhase::Verifying, step_sizes(), kStep));
  EXPECT_TRUE(obs.effective) << obs.detail;
  EXPECT_EQ(obs.pods, (std::vector<std::string>{"web-0", "web-1", "web-2"}));
}

// observe() after promotion.

TEST_F(StatefulSetActuatorTest, PromotedIsAppliedOnlyWithPartitionZero) {
  workload_ = web(WorkloadKind::StatefulSet, step_sizes());
  pods(step_sizes(), step_sizes(), 0);
  const auto s = [&] { return stage(RightsizingPhase::Promoting, step_sizes(), kStep); };
  workload_.partition = 2;
  EXPECT_FALSE(actuator_->observe(view_, s()).applied);
  workload_.partition = 0;
  EXPECT_TRUE(actuator_->observe(view_, s()).applied);
  EXPECT_TRUE(actuator_->observe(view_, s()).effective);
  workload_.partition.reset();
  const auto obs = actuator_->observe(view_, s());
  EXPECT_TRUE(obs.effective);
  EXPECT_EQ(obs.pods, (std::vector<std::string>{"web-0", "web-1", "web-2"}));
}

TEST_F(StatefulSetActuatorTest, PromotedIsEffectiveOnceTheRevisionsMeet) {
  workload_ = web(WorkloadKind::StatefulSet, step_sizes());
  pods(step_sizes(), step_sizes(), 0);
  const auto s = [&] { return stage(RightsizingPhase::Verifying, step_sizes(), kStep); };
  workload_.update_revision = "web-rev2";
  EXPECT_FALSE(actuator_->observe(view_, s()).effective);
  workload_.current_revision = "web-rev2";
  EXPECT_TRUE(actuator_->observe(view_, s()).effective);
  workload_.ready_replicas = 2;
  EXPECT_FALSE(actuator_->observe(view_, s()).effective);
}

TEST_F(StatefulSetActuatorTest, RolledBackIsEffectiveWhenEveryPodHasLastGoodAgain) {
  const auto s = [&] { return stage(RightsizingPhase::RolledBack, live_sizes(), kGood); };
  pods(live_sizes(), step_sizes(), 2);
  EXPECT_TRUE(actuator_->observe(view_, s()).applied);
  EXPECT_FALSE(actuator_->observe(view_, s()).effective);
  pods(live_sizes(), live_sizes(), 2);
  EXPECT_TRUE(actuator_->observe(view_, s()).effective);
}

}  // namespace
}  // namespace controller
