#include "controller/rightsizing_builder.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "policies/usage_checkpoint.h"
#include "tests/unit/controller/reconciler_fixtures.h"

namespace controller {
namespace {

using policies::ConditionStatus;
using policies::RightsizingPhase;
using namespace controller::testing;

const policies::Timestamp kNow = policies::Timestamp(std::chrono::seconds(1'800'000'000));

const policies::Condition& condition(const policies::RightsizingStatus& s, std::string_view type) {
  const auto* c = policies::find_condition(s.conditions, type);
  EXPECT_NE(c, nullptr) << type;
  static const policies::Condition none;
  return c != nullptr ? *c : none;
}

// The decision table: what the caches say → phase, Blocked, Ready, events.
enum class PolicyState { Valid, Missing, Invalid };
enum class Learnt { Nothing, TooLittle, Enough };

struct DecisionCase {
  std::string name;
  PolicyState policy = PolicyState::Valid;
  Learnt learnt = Learnt::Enough;
  bool paused = false;
  std::string hpa_metric;  // "" = no HPA
  bool allow_hpa_conflict = false;
  RightsizingPhase phase;
  std::string blocked_reason;  // "" = Blocked False
  bool ready = false;
  std::vector<std::string> events;
};

class Decisions : public ::testing::TestWithParam<DecisionCase> {};

TEST_P(Decisions, PhaseConditionsAndEvents) {
  const auto& tc = GetParam();
  auto w = engine();
  w.paused = tc.paused;
  auto policy = tc.policy == PolicyState::Invalid ? invalid_policy() : trading_policy();
  policy.parsed.spec.rollout.allow_hpa_conflict = tc.allow_hpa_conflict;
  std::vector<std::shared_ptr<const HpaInfo>> hpas;
  if (!tc.hpa_metric.empty())
    hpas.push_back(std::make_shared<HpaInfo>(hpa_on(w.ref, tc.hpa_metric)));
  RightsizingInput in;
  in.workload = &w;
  in.hpas = hpas;
  in.policy = tc.policy == PolicyState::Missing ? nullptr : &policy;
  if (tc.learnt != Learnt::Nothing) {
    in.usage.emplace("engine",
                     learned(kNow, 300, 200 * kMi, tc.learnt == Learnt::Enough ? 120 : 30));
  }
  in.now = kNow;
  const auto plan = build_rightsizing_status(in);
  EXPECT_EQ(plan.status.phase, tc.phase);
  const auto& blocked = condition(plan.status, kBlockedCondition);
  if (tc.blocked_reason.empty()) {
    EXPECT_EQ(blocked.status, ConditionStatus::False);
  } else {
    EXPECT_EQ(blocked.status, ConditionStatus::True);
    EXPECT_EQ(blocked.reason, tc.blocked_reason);
  }
  EXPECT_EQ(condition(plan.status, kReadyCondition).status,
            tc.ready ? ConditionStatus::True : ConditionStatus::False);
  std::vector<std::string> reasons;
  for (const auto& e : plan.events) reasons.push_back(e.reason);
  EXPECT_EQ(reasons, tc.events);
}

INSTANTIATE_TEST_SUITE_P(Table, Decisions,
                         ::testing::Values(DecisionCase{"NothingLearnt",
                                                        PolicyState::Valid,
                                                        Learnt::Nothing,
                                                        false,
                                                        "",
                                                        false,
                                                        RightsizingPhase::Observing,
                                                        "",
                                                        false,
                                                        {}},
                                           DecisionCase{"TooLittleHistory",
                                                        PolicyState::Valid,
                                                        Learnt::TooLittle,
                                                        false,
                                                        "",
                                                        false,
                                                        RightsizingPhase::Observing,
                                                        "",
                                                        false,
                                                        {}},
                                           DecisionCase{"EnoughHistory",
                                                        PolicyState::Valid,
                                                        Learnt::Enough,
                                                        false,
                                                        "",
                                                        false,
                                                        RightsizingPhase::Recommended,
                                                        "",
                                                        true,
                                                        {"RightsizeRecommended"}},
                                           DecisionCase{"Paused",
                                                        PolicyState::Valid,
                                                        Learnt::Enough,
                                                        true,
                                                        "",
                                                        false,
                                                        RightsizingPhase::Paused,
                                                        "Paused",
                                                        false,
                                                        {"RightsizeBlocked"}},
                                           DecisionCase{
                                               "HpaOnCpu",
                                               PolicyState::Valid,
                                               Learnt::Enough,
                                               false,
                                               "cpu",
                                               false,
                                               RightsizingPhase::Recommended,
                                               "HPAConflict",
                                               false,
                                               {"RightsizeRecommended", "RightsizeBlocked"}},
                                           DecisionCase{"HpaOnMemory",
                                                        PolicyState::Valid,
                                                        Learnt::TooLittle,
                                                        false,
                                                        "memory",
                                                        false,
                                                        RightsizingPhase::Observing,
                                                        "HPAConflict",
                                                        false,
                                                        {"RightsizeBlocked"}},
                                           DecisionCase{"HpaOnACustomMetric",
                                                        PolicyState::Valid,
                                                        Learnt::Enough,
                                                        false,
                                                        "requests",
                                                        false,
                                                        RightsizingPhase::Recommended,
                                                        "",
                                                        true,
                                                        {"RightsizeRecommended"}},
                                           DecisionCase{"HpaConflictAllowed",
                                                        PolicyState::Valid,
                                                        Learnt::Enough,
                                                        false,
                                                        "cpu",
                                                        true,
                                                        RightsizingPhase::Recommended,
                                                        "",
                                                        true,
                                                        {"RightsizeRecommended"}},
                                           DecisionCase{"PausedWinsOverHpa",
                                                        PolicyState::Valid,
                                                        Learnt::Enough,
                                                        true,
                                                        "cpu",
                                                        false,
                                                        RightsizingPhase::Paused,
                                                        "Paused",
                                                        false,
                                                        {"RightsizeBlocked"}},
                                           DecisionCase{"PolicyMissing",
                                                        PolicyState::Missing,
                                                        Learnt::Enough,
                                                        true,
                                                        "cpu",
                                                        false,
                                                        RightsizingPhase::Observing,
                                                        "PolicyNotFound",
                                                        false,
                                                        {"RightsizeBlocked"}},
                                           DecisionCase{"PolicyInvalid",
                                                        PolicyState::Invalid,
                                                        Learnt::Enough,
                                                        true,
                                                        "",
                                                        false,
                                                        RightsizingPhase::Observing,
                                                        "InvalidPolicy",
                                                        false,
                                                        {"RightsizeBlocked"}}),
                         [](const auto& info) { return info.param.name; });

RightsizingInput recommended_input(const Workload& w, const PolicyObject& p) {
  RightsizingInput in;
  in.workload = &w;
  in.policy = &p;
  in.usage.emplace("engine", learned(kNow));
  in.now = kNow;
  return in;
}

TEST(RightsizingBuilder, ContainerFiguresAreCanonicalQuantities) {
  const auto w = engine();
  const auto p = trading_policy();
  const auto s = build_rightsizing_status(recommended_input(w, p)).status;
  ASSERT_EQ(s.containers.size(), 1u);
  const auto& c = s.containers[0];
  EXPECT_EQ(c.name, "engine");
  EXPECT_EQ(c.current->requests, (policies::ResourceList{"16", "16Gi"}));
  EXPECT_EQ(c.current->limits, (policies::ResourceList{"16", "16Gi"}));
  // 300m at p95 (one 5 % bucket up at most) / 0.60 → 550m after roundTo 50m;
  // 200Mi at p99 ends a bucket above 204.8Mi, / 0.80 > 256Mi → 320Mi after
  // roundTo 64Mi; KeepRatio limits (equal to the requests, as they were).
  EXPECT_EQ(c.recommended->requests, (policies::ResourceList{"550m", "320Mi"}));
  EXPECT_EQ(c.recommended->limits, (policies::ResourceList{"550m", "320Mi"}));
  ASSERT_TRUE(c.usage);
  EXPECT_EQ(c.usage->samples, 120);
  EXPECT_EQ(c.usage->cpu_peak, "300m");
  EXPECT_EQ(c.usage->memory_peak, "200Mi");
  EXPECT_EQ(c.usage->observed_since, kNow - std::chrono::minutes(120));
  EXPECT_TRUE(c.usage->cpu_p50 && c.usage->cpu_p95);
  ASSERT_TRUE(c.checkpoint);
  const auto restored = policies::decode_checkpoint_text(*c.checkpoint);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->samples(), 120);
  EXPECT_EQ(s.observed_generation, 3);
  EXPECT_EQ(s.replicas, 2);
}

TEST(RightsizingBuilder, MonthlyCostAndSummaryAreForAllReplicas) {
  const auto w = engine();
  const auto p = trading_policy();
  const auto s = build_rightsizing_status(recommended_input(w, p)).status;
  // 2 × (16 cores × $15 + 16 GiB × $3) = 576.00;
  // 2 × (0.55 × 15 + 0.3125 × 3) = 18.375 → 18.38 (rounded once per workload).
  EXPECT_EQ(s.monthly_cost,
            (policies::MonthlyCostText{"576.00", "18.38", "557.62", "USD", std::nullopt}));
  EXPECT_EQ(s.summary->cpu, "16→550m");
  EXPECT_EQ(s.summary->memory, "16Gi→320Mi");
  EXPECT_EQ(s.summary->last_event, "Recommended");
}

TEST(RightsizingBuilder, WhileObservingOnlyTheCurrentCostIsClaimed) {
  const auto w = engine();
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  in.usage.clear();
  const auto s = build_rightsizing_status(in).status;
  EXPECT_EQ(s.monthly_cost,
            (policies::MonthlyCostText{"576.00", std::nullopt, std::nullopt, "USD", std::nullopt}));
  EXPECT_EQ(s.summary->cpu, "16");
  EXPECT_EQ(s.summary->memory, "16Gi");
  EXPECT_FALSE(s.containers[0].recommended);
  EXPECT_EQ(s.summary->last_event, "Observing");
}

// What the reconciler relies on for zero no-op writes: rebuilding from the
// status it wrote, later, with the same inputs, gives that status again.
TEST(RightsizingBuilder, RebuildingFromItsOwnStatusChangesNothing) {
  const auto w = engine();
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  const auto first = build_rightsizing_status(in);
  in.old = &first.status;
  in.now = kNow + std::chrono::minutes(10);
  const auto second = build_rightsizing_status(in);
  EXPECT_EQ(second.status, first.status);
  EXPECT_TRUE(second.events.empty());
}

TEST(RightsizingBuilder, ConditionsKeepTheirTransitionTimeUntilTheyFlip) {
  const auto w = engine();
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  in.usage.clear();
  const auto observing = build_rightsizing_status(in).status;
  EXPECT_EQ(condition(observing, kReadyCondition).last_transition_time, kNow);
  in.old = &observing;
  in.now = kNow + std::chrono::hours(1);
  in.usage.emplace("engine", learned(in.now));
  const auto recommended = build_rightsizing_status(in).status;
  EXPECT_EQ(condition(recommended, kReadyCondition).last_transition_time, in.now);
  EXPECT_EQ(condition(recommended, kBlockedCondition).last_transition_time, kNow);
  ASSERT_EQ(recommended.history.size(), 2u);
  EXPECT_EQ(recommended.history[0].to, "Observing");
  EXPECT_FALSE(recommended.history[0].from);
  EXPECT_EQ(recommended.history[1].from, "Observing");
  EXPECT_EQ(recommended.history[1].to, "Recommended");
  EXPECT_EQ(recommended.history[1].time, in.now);
}

TEST(RightsizingBuilder, GrowingHistogramsAloneChangeNothingWithoutRefresh) {
  const auto w = engine();
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  const auto first = build_rightsizing_status(in).status;
  in.old = &first;
  in.usage.clear();
  in.usage.emplace("engine", learned(kNow + std::chrono::minutes(5), 300, 200 * kMi, 125));
  in.refresh_learning = false;
  EXPECT_EQ(build_rightsizing_status(in).status, first);
  in.refresh_learning = true;
  const auto refreshed = build_rightsizing_status(in).status;
  EXPECT_EQ(refreshed.containers[0].usage->samples, 125);
  EXPECT_NE(refreshed.containers[0].checkpoint, first.containers[0].checkpoint);
}

TEST(RightsizingBuilder, ANewRecommendationIsAnnouncedAgain) {
  const auto w = engine();
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  const auto first = build_rightsizing_status(in).status;
  in.old = &first;
  in.usage.clear();
  in.usage.emplace("engine", learned(kNow, 1200));
  const auto plan = build_rightsizing_status(in);
  EXPECT_EQ(plan.status.containers[0].recommended->requests->cpu, "2100m");
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].reason, "RightsizeRecommended");
  EXPECT_EQ(plan.events[0].message,
            "recommended requests: cpu 16→2100m, memory 16Gi→320Mi, saving 511.12 USD/month");
}

TEST(RightsizingBuilder, LeavingPauseAnnouncesTheRecommendation) {
  auto w = engine();
  w.paused = true;
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  const auto paused = build_rightsizing_status(in).status;
  EXPECT_EQ(paused.phase, RightsizingPhase::Paused);
  in.old = &paused;
  w.paused = false;
  const auto plan = build_rightsizing_status(in);
  EXPECT_EQ(plan.status.containers[0].recommended, paused.containers[0].recommended);
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].reason, "RightsizeRecommended");
}

TEST(RightsizingBuilder, ABlockedReasonChangeIsAnnouncedAgain) {
  auto w = engine();
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  std::vector<std::shared_ptr<const HpaInfo>> hpas{std::make_shared<HpaInfo>(hpa_on(w.ref, "cpu"))};
  in.hpas = hpas;
  const auto first = build_rightsizing_status(in).status;
  in.old = &first;
  EXPECT_TRUE(build_rightsizing_status(in).events.empty());
  w.paused = true;
  const auto paused = build_rightsizing_status(in);
  ASSERT_EQ(paused.events.size(), 1u);
  EXPECT_EQ(paused.events[0].type, k8s::EventType::Warning);
  EXPECT_EQ(paused.status.summary->last_event, "Blocked: Paused");
}

TEST(RightsizingBuilder, MetricsConditionFollowsSamplingHealth) {
  const auto w = engine();
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  EXPECT_EQ(condition(build_rightsizing_status(in).status, kMetricsCondition).status,
            ConditionStatus::Unknown);
  in.health.last_success = kNow;
  EXPECT_EQ(condition(build_rightsizing_status(in).status, kMetricsCondition).status,
            ConditionStatus::True);
  in.health.last_failure = kNow;
  in.health.consecutive_failures = 2;
  in.health.last_error = "metrics.k8s.io: 503 service unavailable";
  const auto failing = build_rightsizing_status(in).status;
  const auto& m = condition(failing, kMetricsCondition);
  EXPECT_EQ(m.status, ConditionStatus::False);
  EXPECT_EQ(m.reason, "MetricsUnavailable");
  EXPECT_EQ(m.message, "metrics.k8s.io: 503 service unavailable");
}

TEST(RightsizingBuilder, AHealthNotKnownYetKeepsTheStoredMetricsCondition) {
  auto w = engine();
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  in.health.last_success = kNow;
  const auto before = build_rightsizing_status(in).status;
  // A new process, its first pass not done: the stored condition stands.
  in.health = {};
  in.old = &before;
  w.generation = 7;
  const auto after = build_rightsizing_status(in).status;
  const auto& m = condition(after, kMetricsCondition);
  EXPECT_EQ(m.status, ConditionStatus::True);
  EXPECT_EQ(m.reason, "MetricsAvailable");
  EXPECT_EQ(m.message, condition(before, kMetricsCondition).message);
  EXPECT_EQ(m.last_transition_time, condition(before, kMetricsCondition).last_transition_time);
  EXPECT_EQ(m.observed_generation, 7);
  // A stored outage stands as well.
  in.health.last_failure = kNow;
  in.health.consecutive_failures = 1;
  in.health.last_error = "Timeout: metrics.k8s.io: timed out";
  const auto failing = build_rightsizing_status(in).status;
  in.old = &failing;
  in.health = {};
  EXPECT_EQ(condition(build_rightsizing_status(in).status, kMetricsCondition).message,
            "Timeout: metrics.k8s.io: timed out");
}

TEST(RightsizingBuilder, AnInvalidPolicyFreezesTheRecommendation) {
  const auto w = engine();
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  const auto first = build_rightsizing_status(in).status;
  const auto bad = invalid_policy();
  in.old = &first;
  in.policy = &bad;
  in.usage.clear();
  in.usage.emplace("engine", learned(kNow, 1200));
  const auto s = build_rightsizing_status(in).status;
  EXPECT_EQ(s.phase, RightsizingPhase::Recommended);
  EXPECT_EQ(s.containers[0].recommended, first.containers[0].recommended);
  EXPECT_EQ(s.monthly_cost, first.monthly_cost);
  EXPECT_EQ(condition(s, kBlockedCondition).message,
            "RightsizePolicy \"trading\" is invalid: spec.cpu.targetUtilization: must be in (0, "
            "1]; spec.cpu.min: must not exceed spec.cpu.max");
}

PodInfo pod_with(std::string name, std::string reason, std::optional<policies::Timestamp> at,
                 std::int64_t memory_request, bool canary = false) {
  PodInfo pod;
  pod.namespace_name = "trading";
  pod.name = std::move(name);
  pod.canary = canary;
  PodContainer c;
  c.name = "engine";
  c.resources.requests.memory_bytes = memory_request;
  c.last_termination_reason = std::move(reason);
  c.last_termination_at = at;
  pod.containers.push_back(c);
  return pod;
}

TEST(RightsizingBuilder, TheLatestOomKillOfTheContainerCounts) {
  std::vector<std::shared_ptr<const PodInfo>> pods{
      std::make_shared<PodInfo>(pod_with("b", "OOMKilled", kNow - std::chrono::hours(1), 2 * kGi)),
      std::make_shared<PodInfo>(pod_with("a", "OOMKilled", kNow - std::chrono::hours(2), kGi)),
      std::make_shared<PodInfo>(pod_with("c", "Error", kNow, 3 * kGi)),
      std::make_shared<PodInfo>(pod_with("d", "OOMKilled", kNow, 4 * kGi, true)),
      std::make_shared<PodInfo>(pod_with("e", "OOMKilled", std::nullopt, 5 * kGi))};
  const auto oom = latest_oom_kill(pods, "engine");
  ASSERT_TRUE(oom);
  EXPECT_EQ(oom->at, kNow - std::chrono::hours(1));
  EXPECT_EQ(oom->request_bytes, 2 * kGi);
  EXPECT_FALSE(latest_oom_kill(pods, "sidecar"));
}

TEST(RightsizingBuilder, AnOomKillRaisesMemoryWithoutHistory) {
  const auto w = engine();
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  in.usage.clear();
  std::vector<std::shared_ptr<const PodInfo>> pods{std::make_shared<PodInfo>(
      pod_with("a", "OOMKilled", kNow - std::chrono::minutes(3), 16 * kGi))};
  in.pods = pods;
  const auto s = build_rightsizing_status(in).status;
  EXPECT_EQ(s.phase, RightsizingPhase::Observing);
  EXPECT_EQ(s.containers[0].oom_killed_at, kNow - std::chrono::minutes(3));
  ASSERT_TRUE(s.containers[0].recommended);
  EXPECT_EQ(s.containers[0].recommended->requests->cpu, "16");
}

// A container killed before its first sample: the kill is learnt and
// checkpointed, but there are no usage figures (no "0 samples observed
// since 1970").
TEST(RightsizingBuilder, AKillWithoutSamplesIsCheckpointedWithoutUsageFigures) {
  const auto w = engine();
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  in.usage.clear();
  policies::ContainerUsage only_kill(std::chrono::hours(24));
  ASSERT_TRUE(only_kill.record_oom(kNow - std::chrono::minutes(3), 3 * kGi));
  in.usage.emplace("engine", only_kill);
  in.refresh_learning = true;
  const auto s = build_rightsizing_status(in).status;
  EXPECT_FALSE(s.containers[0].usage);
  ASSERT_TRUE(s.containers[0].checkpoint);
  auto back = policies::decode_checkpoint_text(*s.containers[0].checkpoint);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->memory_interval_oom_bytes(), 3 * kGi);
}

TEST(RightsizingBuilder, TheLastOomKillStaysInStatusAfterItsPodIsGone) {
  const auto w = engine();
  const auto p = trading_policy();
  auto in = recommended_input(w, p);
  std::vector<std::shared_ptr<const PodInfo>> pods{std::make_shared<PodInfo>(
      pod_with("a", "OOMKilled", kNow - std::chrono::minutes(3), 16 * kGi))};
  in.pods = pods;
  const auto killed = build_rightsizing_status(in).status;
  ASSERT_EQ(killed.containers[0].oom_killed_at, kNow - std::chrono::minutes(3));
  in.old = &killed;
  in.pods = {};  // the bump's rollout replaced the pod
  EXPECT_EQ(build_rightsizing_status(in).status.containers[0].oom_killed_at,
            kNow - std::chrono::minutes(3));
  // An older record on a pod never moves it back.
  std::vector<std::shared_ptr<const PodInfo>> older{std::make_shared<PodInfo>(
      pod_with("b", "OOMKilled", kNow - std::chrono::hours(2), 16 * kGi))};
  in.pods = older;
  EXPECT_EQ(build_rightsizing_status(in).status.containers[0].oom_killed_at,
            kNow - std::chrono::minutes(3));
}

TEST(RightsizingBuilder, EveryContainerNeedsARecommendation) {
  auto w = engine();
  auto sidecar = w.containers[0];
  sidecar.name = "sidecar";
  w.containers.push_back(sidecar);
  const auto p = trading_policy();
  const auto s = build_rightsizing_status(recommended_input(w, p)).status;
  EXPECT_EQ(s.phase, RightsizingPhase::Observing);
  EXPECT_TRUE(s.containers[0].recommended);
  EXPECT_FALSE(s.containers[1].recommended);
  EXPECT_FALSE(s.monthly_cost->savings);
}

TEST(RightsizingBuilder, AWorkloadWithoutContainersIsObserving) {
  auto w = engine();
  w.containers.clear();
  const auto p = trading_policy();
  EXPECT_EQ(build_rightsizing_status(recommended_input(w, p)).status.phase,
            RightsizingPhase::Observing);
}

TEST(RightsizingBuilder, HpaOfAnotherWorkloadIsNoConflict) {
  const auto w = engine();
  auto other = w.ref;
  other.name = "feed";
  auto sts = w.ref;
  sts.kind = WorkloadKind::StatefulSet;
  std::vector<std::shared_ptr<const HpaInfo>> hpas{std::make_shared<HpaInfo>(hpa_on(other, "cpu")),
                                                   std::make_shared<HpaInfo>(hpa_on(sts, "cpu"))};
  EXPECT_FALSE(hpa_conflicts(w, hpas));
  hpas.push_back(std::make_shared<HpaInfo>(hpa_on(w.ref, "memory")));
  EXPECT_TRUE(hpa_conflicts(w, hpas));
}

TEST(RightsizingBuilder, AMissingRequestIsItsLimitAsOnThePods) {
  auto w = engine();
  w.containers[0].resources.requests = {};
  const auto p = trading_policy();
  const auto s = build_rightsizing_status(recommended_input(w, p)).status;
  EXPECT_EQ(s.containers[0].current->requests, (policies::ResourceList{"16", "16Gi"}));
  EXPECT_EQ(s.monthly_cost->current, "576.00");
}

TEST(RightsizingBuilder, StatusResourcesLeaveUnsetFiguresOut) {
  policies::ContainerResources r;
  EXPECT_EQ(to_status_resources(r), policies::StatusResources{});
  r.requests.cpu_millicores = 1500;
  r.limits.memory_bytes = 1536 * kMi;
  const auto s = to_status_resources(r);
  EXPECT_EQ(s.requests, (policies::ResourceList{"1500m", std::nullopt}));
  EXPECT_EQ(s.limits, (policies::ResourceList{std::nullopt, "1536Mi"}));
}

}  // namespace
}  // namespace controller
