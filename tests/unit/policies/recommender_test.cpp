#include "policies/recommender.h"

#include "policies/step_planner.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace {

using namespace std::chrono_literals;
using policies::ContainerResources;
using policies::Limits;
using policies::LimitsPolicy;
using policies::RightsizePolicySpec;

constexpr std::int64_t kMi = 1LL << 20;
constexpr std::int64_t kGi = 1LL << 30;
const policies::Time kT0{std::chrono::sys_days{std::chrono::year{2024} / 3 / 1}.time_since_epoch()};

struct SizeCase {
  std::int64_t raw, min, max, round_to, expected;
};
class SizeToPolicy : public testing::TestWithParam<SizeCase> {};
TEST_P(SizeToPolicy, ClampThenRound) {
  const auto& c = GetParam();
  EXPECT_EQ(policies::size_to_policy(c.raw, c.min, c.max, c.round_to), c.expected);
}
INSTANTIATE_TEST_SUITE_P(Table, SizeToPolicy,
                         testing::Values(SizeCase{1234, 100, 32000, 50, 1250},
                                         SizeCase{20, 100, 32000, 50, 100},       // min
                                         SizeCase{50000, 100, 32000, 50, 32000},  // max
                                         SizeCase{1001, 100, 32000, 1000, 2000},  // whole cores
                                         SizeCase{10, 100, 32000, 1000, 1000},    // min, rounded
                                         SizeCase{2400, 100, 2500, 1000, 2000},   // max wins
                                         SizeCase{2000, 100, 32000, 1000, 2000}));

struct LimitsCase {
  const char* name;
  LimitsPolicy mode;
  Limits current_limits;
  policies::Resources new_requests;
  Limits expected;
};
class PlanLimits : public testing::TestWithParam<LimitsCase> {};
TEST_P(PlanLimits, Table) {
  const ContainerResources current{{4000, 8 * kGi}, GetParam().current_limits};
  EXPECT_EQ(policies::plan_limits(GetParam().mode, current, GetParam().new_requests,
                                  RightsizePolicySpec{}),
            GetParam().expected);
}
INSTANTIATE_TEST_SUITE_P(
    Table, PlanLimits,
    testing::Values(
        LimitsCase{"KeepRatio",
                   LimitsPolicy::KeepRatio,
                   {6000, 16 * kGi},
                   {2000, 4 * kGi},
                   {3000, 8 * kGi}},
        LimitsCase{"KeepRatioRoundsUp",
                   LimitsPolicy::KeepRatio,
                   {5000, 10 * kGi},
                   {1010, kGi},
                   {1300, 1280 * kMi}},  // 1262.5m → 1300m; 1.25Gi
        LimitsCase{"KeepRatioNoLimit", LimitsPolicy::KeepRatio, {}, {2000, 4 * kGi}, {}},
        LimitsCase{
            "EqualToRequests", LimitsPolicy::EqualToRequests, {}, {2000, 4 * kGi}, {2000, 4 * kGi}},
        LimitsCase{"Unset", LimitsPolicy::Unset, {6000, 16 * kGi}, {2000, 4 * kGi}, {}},
        LimitsCase{"Unchanged",
                   LimitsPolicy::Unchanged,
                   {6000, 16 * kGi},
                   {2000, 4 * kGi},
                   {6000, 16 * kGi}},
        // Raised to exactly the request would make the pod Guaranteed: the
        // limit keeps its ratio instead, 8000 × 6000/4000 and 20Gi × 16/8.
        LimitsCase{"UnchangedRaisedAboveRequest",
                   LimitsPolicy::Unchanged,
                   {6000, 16 * kGi},
                   {8000, 20 * kGi},
                   {12000, 40 * kGi}},
        LimitsCase{"UnchangedGuaranteedFollowsRequest",
                   LimitsPolicy::Unchanged,
                   {4000, 8 * kGi},
                   {2000, 4 * kGi},
                   {2000, 4 * kGi}},
        LimitsCase{"KeepRatioGuaranteedNotRounded",
                   LimitsPolicy::KeepRatio,
                   {4000, 8 * kGi},
                   {2010, 1000 * kMi},
                   {2010, 1000 * kMi}}),
    [](const auto& info) { return std::string(info.param.name); });

// A container observed for `hours` hours, one sample a minute, at `cpu`
// millicores and `mem` bytes.
policies::ContainerUsage steady(int hours, std::int64_t cpu, std::int64_t mem) {
  policies::ContainerUsage u(24h);
  for (int m = 0; m <= hours * 60; ++m) u.add_sample(kT0 + std::chrono::minutes(m), cpu, mem);
  return u;
}

struct RecommendCase {
  const char* name;
  int hours;
  std::int64_t cpu_usage, mem_usage;
  void (*tweak)(RightsizePolicySpec&, policies::RecommendationInput&);
  policies::RecommendationStatus status;
  std::int64_t cpu, mem;  // expected requests
};

class Recommend : public testing::TestWithParam<RecommendCase> {};

TEST_P(Recommend, Table) {
  const auto& c = GetParam();
  const auto usage = steady(c.hours, c.cpu_usage, c.mem_usage);
  RightsizePolicySpec policy;
  policies::RecommendationInput in{&usage, {{16000, 15 * kGi}, {}}, {}, {}, usage.last_sample()};
  if (c.tweak) c.tweak(policy, in);
  const auto r = policies::recommend(policy, in);
  ASSERT_EQ(r.status, c.status) << r.reason;
  EXPECT_EQ(r.target.requests.cpu_millicores, c.cpu);
  EXPECT_EQ(r.target.requests.memory_bytes, c.mem);
}

using Status = policies::RecommendationStatus;

// Steady 1180m and 13 GiB. CPU: 1180m is in bucket 83, which ends at
// (1.05^84 − 1) / 0.05 = 1184.84m; / 0.6 = 1974.74 → 2000m (roundTo 50m).
// Memory: 13312Mi is in bucket 133, ending at (1.05^134 − 1) / 0.05 Mi =
// 13796.44Mi; / 0.8 = 17245.55Mi → 17280Mi (roundTo 64Mi).
INSTANTIATE_TEST_SUITE_P(
    Table, Recommend,
    testing::Values(
        RecommendCase{"Defaults", 2, 1180, 13 * kGi, nullptr, Status::Ready, 2000, 17280 * kMi},
        RecommendCase{"WholeCores", 2, 1180, 13 * kGi,
                      [](RightsizePolicySpec& p, auto&) {
                        p.cpu.round_to_millicores = 1000;  // 1184.84 / 0.5 = 2369.7 → 3 cores
                        p.cpu.target_utilization = 0.5;
                      },
                      Status::Ready, 3000, 17280 * kMi},
        RecommendCase{"TooLittleData", 0, 1180, 13 * kGi, nullptr, Status::NotEnoughData, 16000,
                      15 * kGi},
        RecommendCase{"MinObservationZero", 0, 1180, 13 * kGi,
                      [](RightsizePolicySpec& p, auto&) { p.history.min_observation = 0s; },
                      Status::Ready, 2000, 17280 * kMi},
        RecommendCase{"ClampedToMin", 2, 5, 10 * kMi, nullptr, Status::Ready, 100, 128 * kMi},
        RecommendCase{"ClampedToMax", 2, 60000, 100 * kGi, nullptr, Status::Ready, 32000, 64 * kGi},
        RecommendCase{"OomBump", 2, 1180, 13 * kGi,
                      [](RightsizePolicySpec&, policies::RecommendationInput& in) {
                        in.oom = policies::OomKill{15 * kGi, 16 * kGi, kT0};
                      },
                      Status::Ready, 2000, 24 * kGi},  // 16Gi × 1.2 / 0.8 = 24Gi
        // The floor is exclusive: 4000m just failed, so 4001m → 4050m.
        RecommendCase{"CooldownFloor", 2, 1180, 13 * kGi,
                      [](RightsizePolicySpec&, policies::RecommendationInput& in) {
                        in.cooldown = policies::CooldownFloor{{4000, kGi}, in.now + 1h};
                      },
                      Status::Ready, 4050, 17280 * kMi},
        // Whole cores: 4 cores failed, the next try is 5; memory 17280Mi
        // (the target itself, a step down from 32Gi) failed, the next is 17344Mi.
        RecommendCase{"CooldownFloorWholeCores", 2, 1180, 13 * kGi,
                      [](RightsizePolicySpec& p, policies::RecommendationInput& in) {
                        p.cpu.round_to_millicores = 1000;
                        in.current.requests.memory_bytes = 32 * kGi;
                        in.cooldown = policies::CooldownFloor{{4000, 17280 * kMi}, in.now + 1h};
                      },
                      Status::Ready, 5000, 17344 * kMi},
        // The raw target equals the failed size: 1184.84 / 0.6 = 1974.74 →
        // 1975m, which just failed; at roundTo 1m the next try is 1976m.
        RecommendCase{"CooldownFloorEqualToTheTarget", 2, 1180, 13 * kGi,
                      [](RightsizePolicySpec& p, policies::RecommendationInput& in) {
                        p.cpu.round_to_millicores = 1;
                        in.cooldown = policies::CooldownFloor{{1975, 0}, in.now + 1h};
                      },
                      Status::Ready, 1976, 17280 * kMi},
        // The target is above the failed size, but only because max (32
        // cores, which failed as a step down from 64) pulls it back down:
        // the current 64 cores stay.
        RecommendCase{"CooldownFloorAtMaxWithTargetAbove", 2, 60000, 13 * kGi,
                      [](RightsizePolicySpec&, policies::RecommendationInput& in) {
                        in.current.requests.cpu_millicores = 64000;
                        in.cooldown = policies::CooldownFloor{{32000, 0}, in.now + 1h};
                      },
                      Status::Ready, 64000, 17280 * kMi},
        // A memory-only step (32Gi → 16Gi) failed at 2 whole cores: the CPU
        // floor is the unchanged 2 cores, which is no floor; CPU keeps its
        // target 1975m → 2000m (not 3 cores), memory 17280Mi is above 16Gi.
        RecommendCase{"CooldownFloorOnlyForAResourceTheFailedStepChanged", 2, 1180, 13 * kGi,
                      [](RightsizePolicySpec& p, policies::RecommendationInput& in) {
                        p.cpu.round_to_millicores = 1000;
                        in.current.requests = {2000, 32 * kGi};
                        in.cooldown = policies::CooldownFloor{{2000, 16 * kGi}, in.now + 1h};
                      },
                      Status::Ready, 2000, 17280 * kMi},
        // Nothing the policy allows lies above the failed 4000m (max 4000m):
        // the current 16000m stays, rather than retrying 4000m.
        RecommendCase{"CooldownFloorAtMax", 2, 1180, 13 * kGi,
                      [](RightsizePolicySpec& p, policies::RecommendationInput& in) {
                        p.cpu.max_millicores = 4000;
                        in.cooldown = policies::CooldownFloor{{4000, 0}, in.now + 1h};
                      },
                      Status::Ready, 16000, 17280 * kMi},
        RecommendCase{"ExpiredCooldown", 2, 1180, 13 * kGi,
                      [](RightsizePolicySpec&, policies::RecommendationInput& in) {
                        in.cooldown = policies::CooldownFloor{{4000, kGi}, in.now};
                      },
                      Status::Ready, 2000, 17280 * kMi},
        RecommendCase{"LowerUtilization", 2, 1180, 13 * kGi,
                      [](RightsizePolicySpec& p, auto&) { p.cpu.target_utilization = 0.3; },
                      Status::Ready, 3950, 17280 * kMi}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Recommend, NoUsageIsNotReady) {
  const policies::RecommendationInput in{nullptr, {{1000, kGi}, {}}, {}, {}, kT0};
  EXPECT_EQ(policies::recommend(RightsizePolicySpec{}, in).status, Status::NotEnoughData);
}

TEST(Recommend, LimitsFollowThePolicy) {
  const auto usage = steady(2, 1180, 13 * kGi);
  RightsizePolicySpec policy;
  policies::RecommendationInput in{
      &usage, {{16000, 15 * kGi}, {32000, 30 * kGi}}, {}, {}, usage.last_sample()};
  const auto r = policies::recommend(policy, in);
  ASSERT_EQ(r.status, Status::Ready);
  EXPECT_EQ(r.target.limits.cpu_millicores, 4000);
  EXPECT_EQ(r.target.limits.memory_bytes, 2 * 17280 * kMi);
}

// A workload template may set a limit without a request: its pods get the
// limit as their request (Guaranteed when both are set so). The limit follows
// the new request as for any limit equal to its request, keeping Guaranteed.
TEST(PlanLimits, ALimitWithoutARequestFollowsTheNewRequest) {
  const ContainerResources current{{0, 0}, {4000, 8 * kGi}};
  for (auto mode : {LimitsPolicy::KeepRatio, LimitsPolicy::Unchanged}) {
    EXPECT_EQ(policies::plan_limits(mode, current, {2000, 2 * kGi}, RightsizePolicySpec{}),
              (Limits{2000, 2 * kGi}));
    EXPECT_EQ(policies::plan_limits(mode, current, {6000, 2 * kGi}, RightsizePolicySpec{}),
              (Limits{6000, 2 * kGi}));
  }
}

struct OomFloorCase {
  const char* name;
  std::int64_t request;
  std::optional<std::int64_t> limit;
  std::int64_t peak;
  double ratio;
  std::int64_t expected;
};
class OomFloor : public testing::TestWithParam<OomFloorCase> {};
TEST_P(OomFloor, AsVpaRecordOom) {
  const auto& c = GetParam();
  EXPECT_EQ(policies::oom_floor_bytes({c.request, c.limit, kT0}, c.peak, c.ratio), c.expected);
}
INSTANTIATE_TEST_SUITE_P(
    Table, OomFloor,
    testing::Values(
        // The limit is the memory at the kill: 2Gi × 1.2 = 2576980377.6 bytes, rounded up.
        OomFloorCase{"LimitTimesRatio", kGi, 2 * kGi, 3 * kGi, 1.2, 2'576'980'378},
        // 200Mi + 100Mi = 300Mi beats 200Mi × 1.2 = 240Mi.
        OomFloorCase{"SmallGetsAtLeast100Mi", 200 * kMi, 200 * kMi, 0, 1.2, 300 * kMi},
        // No limit: max(request 1Gi, peak 1.5Gi) = 1536Mi; × 1.2 = 1843.2Mi.
        OomFloorCase{"NoLimitUsesThePeak", kGi, std::nullopt, 1536 * kMi, 1.2, 1'932'735'284},
        // No limit, peak below the request: 1Gi × 1.2 = 1228.8Mi.
        OomFloorCase{"NoLimitUsesTheRequest", kGi, std::nullopt, 512 * kMi, 1.2, 1'288'490'189},
        // Ratio 1: 1Gi + 100Mi.
        OomFloorCase{"RatioOne", kGi, kGi, 0, 1.0, 1124 * kMi}),
    [](const auto& info) { return std::string(info.param.name); });

// A workload OOMKilled after 10 minutes of history (minObservation 1h) gets
// its memory bump now, not after an hour: limit 2Gi × 1.2 / 0.8 = 3Gi (the
// size the learnt kill settles on: one step); CPU stays at its request.
TEST(Recommend, OomBumpDoesNotWaitForMinObservation) {
  const policies::ContainerUsage usage = steady(0, 300, 900 * kMi);  // one sample
  policies::ContainerUsage young(24h);
  for (int m = 0; m <= 10; ++m) young.add_sample(kT0 + std::chrono::minutes(m), 300, 900 * kMi);
  RightsizePolicySpec policy;
  const policies::ContainerUsage* const both[] = {&young, &usage};
  for (const policies::ContainerUsage* u : both) {
    policies::RecommendationInput in{u, {{1500, kGi}, {{3000}, {2 * kGi}}}, {}, {}, kT0 + 10min};
    in.oom = policies::OomKill{kGi, 2 * kGi, kT0 + 9min};
    const auto r = policies::recommend(policy, in);
    EXPECT_EQ(r.status, Status::OomOnly) << r.reason;
    EXPECT_EQ(r.target.requests.memory_bytes, 3 * kGi);
    EXPECT_EQ(r.target.requests.cpu_millicores, 1500);
    const auto step = policies::plan_step(policy, in.current, r);
    EXPECT_EQ(step.memory, policies::StepDirection::Up);
    EXPECT_EQ(step.cpu, policies::StepDirection::None);
    EXPECT_EQ(step.resources.requests.memory_bytes, 3 * kGi);
  }
}

// A 40Gi spike three days before the kill does not inflate the bump: the
// memory at the kill (no limit) is max(request 1Gi, the kill's interval peak
// 2Gi) = 2Gi; max(2Gi + 100Mi, 2Gi × 1.2 = 2457.6Mi) / 0.8 = 3Gi, not
// 40Gi × 1.2 / 0.8. minObservation 1000h keeps it OomOnly.
TEST(Recommend, OomBumpUsesThePeakOfTheKillsIntervalNotAnOldSpike) {
  policies::ContainerUsage usage(24h);
  usage.add_sample(kT0 + 1h, 300, 40 * kGi);
  for (int m = 0; m <= 120; ++m)
    usage.add_sample(kT0 + 72h + std::chrono::minutes(m), 300, 2 * kGi);
  RightsizePolicySpec policy;
  policy.history.min_observation = 1000h;
  policies::RecommendationInput in{&usage, {{1000, kGi}, {}}, {}, {}, kT0 + 74h};
  in.oom = policies::OomKill{kGi, std::nullopt, kT0 + 74h};
  const auto r = policies::recommend(policy, in);
  EXPECT_EQ(r.status, Status::OomOnly);
  EXPECT_EQ(r.target.requests.memory_bytes, 3 * kGi);
  // A kill outside the interval in progress has no peak: the request 1Gi
  // × 1.2 / 0.8 = 1.5Gi.
  EXPECT_EQ(usage.memory_interval_peak_bytes(kT0 + 74h), 2 * kGi);
  EXPECT_EQ(usage.memory_interval_peak_bytes(kT0 + 96h), 0);
  in.oom = policies::OomKill{kGi, std::nullopt, kT0 + 96h};
  EXPECT_EQ(policies::recommend(policy, in).target.requests.memory_bytes, 1536 * kMi);
}

// Checkpoint lost, no usage at all, no limit: memory at the kill is the
// request 1Gi; 1Gi × 1.2 / 0.8 = 1.5Gi.
TEST(Recommend, OomBumpWithoutAnyUsage) {
  policies::RecommendationInput in{nullptr, {{1000, kGi}, {}}, {}, {}, kT0};
  in.oom = policies::OomKill{kGi, std::nullopt, kT0};
  const auto r = policies::recommend(RightsizePolicySpec{}, in);
  EXPECT_EQ(r.status, Status::OomOnly);
  EXPECT_EQ(r.target.requests.memory_bytes, 1536 * kMi);
  EXPECT_EQ(r.target.requests.cpu_millicores, 1000);
}

// Any OOM whose target is above the current request is urgent. minChange
// 0.5, current request = limit = 1024Mi, OOMKilled at 1024Mi, steady usage
// 1000Mi. Usage: 1000Mi is in bucket 80 (1.05^80 = 49.56 ≤ 51 < 1.05^81 =
// 52.04), which ends at (52.04 − 1)/0.05 = 1020.8Mi; / 0.8 = 1276.0Mi. The
// OOM figure is max(1124Mi, 1228.8Mi) / 0.8 = 1536Mi, the larger.
// Target 1536Mi: +512Mi is exactly 50 % of 1024Mi, inside the hysteresis
// band, yet the step must happen because of the OOM.
TEST(Recommend, OomIncreaseSkipsHysteresisWhicheverFigureIsLarger) {
  const auto usage = steady(2, 500, 1000 * kMi);
  RightsizePolicySpec policy;
  policy.rollout.min_change = 0.5;
  policies::RecommendationInput in{
      &usage, {{500, 1024 * kMi}, {{500}, {1024 * kMi}}}, {}, {}, usage.last_sample()};
  in.oom = policies::OomKill{1024 * kMi, 1024 * kMi, usage.last_sample()};
  const auto r = policies::recommend(policy, in);
  ASSERT_EQ(r.status, Status::Ready);
  EXPECT_EQ(r.target.requests.memory_bytes, 1536 * kMi);
  const auto step = policies::plan_step(policy, in.current, r);
  EXPECT_EQ(step.memory, policies::StepDirection::Up);
  EXPECT_EQ(step.resources.requests.memory_bytes, 1536 * kMi);
  EXPECT_FALSE(step.needs_canary);
  // Without the OOM the same target is inside the band: no step.
  in.oom.reset();
  EXPECT_EQ(policies::plan_step(policy, in.current, policies::recommend(policy, in)).memory,
            policies::StepDirection::None);
}

struct ConfidenceCase {
  const char* name;
  int samples;
  std::chrono::minutes every;
  std::chrono::seconds expected;
};
class Confidence : public testing::TestWithParam<ConfidenceCase> {};
TEST_P(Confidence, SmallerOfSpanAndSampleMinutes) {
  policies::ContainerUsage u(24h);
  for (int i = 0; i < GetParam().samples; ++i) u.add_sample(kT0 + i * GetParam().every, 100, kGi);
  EXPECT_EQ(policies::confidence(u), GetParam().expected);
}
INSTANTIATE_TEST_SUITE_P(
    Table, Confidence,
    testing::Values(ConfidenceCase{"TwoSamplesAnHourApart", 2, 60min, 2min},  // span 1h
                    ConfidenceCase{"EveryMinuteForAnHour", 61, 1min, 60min},  // span 60m, 61m
                    ConfidenceCase{"EveryFiveMinutes", 25, 5min, 25min},      // span 2h
                    ConfidenceCase{"NoSamples", 0, 1min, 0min},
                    ConfidenceCase{"OneSample", 1, 1min, 0min}),
    [](const auto& info) { return std::string(info.param.name); });

// Two samples an hour apart cover minObservation's hour of span but are two
// minutes of samples: not enough. One sample a minute for the hour is.
TEST(Recommend, MinObservationNeedsSampleDensityNotOnlySpan) {
  policies::ContainerUsage sparse(24h);
  sparse.add_sample(kT0, 1180, 13 * kGi);
  sparse.add_sample(kT0 + 1h, 1180, 13 * kGi);
  const RightsizePolicySpec policy;  // minObservation 1h
  policies::RecommendationInput in{&sparse, {{16000, 15 * kGi}, {}}, {}, {}, kT0 + 1h};
  const auto r = policies::recommend(policy, in);
  EXPECT_EQ(r.status, Status::NotEnoughData);
  EXPECT_NE(r.reason.find("2 samples"), std::string::npos) << r.reason;
  const auto dense = steady(1, 1180, 13 * kGi);  // 61 samples over 1h
  in.usage = &dense;
  EXPECT_EQ(policies::recommend(policy, in).status, Status::Ready);
}

// The analysis's desk as one aggregated container (the README's worked
// example; the demo sizes its six components one by one instead, see
// tests/unit/controller/demo_policy_test.cpp): steady 1180m and 13 GiB.
// CPU: bucket 83 ends at 1184.84m, / 0.6 = 1974.74 → 2000m. Memory at the
// default 0.80: bucket 133 ends at 13796.44Mi, / 0.8 = 17245.55 → 17280Mi,
// 16.875 GiB × $3 = $50.625, so $80.63 in all. At 0.825: 16722.96Mi →
// 16768Mi (262 × 64Mi), 16.375 GiB × $3 = $49.125, $79.125 → $79.13, within
// $0.50 of the analysis's $79.05.
TEST(Recommend, AggregatedDeskLandsNearTheAnalysisMoney) {
  const auto usage = steady(2, 1180, 13 * kGi);
  RightsizePolicySpec policy;
  policies::RecommendationInput in{&usage, {{16000, 15 * kGi}, {}}, {}, {}, usage.last_sample()};
  auto r = policies::recommend(policy, in);
  ASSERT_EQ(r.status, Status::Ready);
  EXPECT_EQ(r.target.requests, (policies::Resources{2000, 17280 * kMi}));
  EXPECT_EQ(policies::monthly_cost(r.target.requests, policy.pricing.prices).value, 8063);
  policy.memory.target_utilization = 0.825;
  r = policies::recommend(policy, in);
  ASSERT_EQ(r.status, Status::Ready);
  EXPECT_EQ(r.target.requests, (policies::Resources{2000, 16768 * kMi}));
  const auto cents = policies::monthly_cost(r.target.requests, policy.pricing.prices).value;
  EXPECT_EQ(cents, 7913);
  EXPECT_LE(std::abs(cents - 7905), 50);
}

// The status says when the floor, not the usage, set a target.
TEST(Recommend, CooldownFloorAppliedIsReported) {
  const auto usage = steady(2, 1180, 13 * kGi);  // raw targets 1975m and 17245.55Mi
  policies::RecommendationInput in{&usage, {{16000, 32 * kGi}, {}}, {}, {}, usage.last_sample()};
  in.cooldown = policies::CooldownFloor{{1000, kGi}, in.now + 1h};  // both below the targets
  EXPECT_FALSE(policies::recommend(RightsizePolicySpec{}, in).cooldown_floor_applied);
  in.cooldown = policies::CooldownFloor{{4000, 0}, in.now + 1h};
  EXPECT_TRUE(policies::recommend(RightsizePolicySpec{}, in).cooldown_floor_applied);
  in.cooldown = policies::CooldownFloor{{0, 20 * kGi}, in.now + 1h};
  EXPECT_TRUE(policies::recommend(RightsizePolicySpec{}, in).cooldown_floor_applied);
  // The raw 1975m is the failed size itself: the floor moves it (to 2000m).
  in.cooldown = policies::CooldownFloor{{1975, 0}, in.now + 1h};
  EXPECT_TRUE(policies::recommend(RightsizePolicySpec{}, in).cooldown_floor_applied);
}

}  // namespace
