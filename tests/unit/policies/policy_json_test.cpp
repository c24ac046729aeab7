#include "policies/policy_json.h"

#include <gtest/gtest.h>

#include <vector>

#include <nlohmann/json.hpp>

#include "policies/policy_validation.h"

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

json object_with_spec(json spec) {
  return json{{"apiVersion", "rightsizer.io/v1alpha1"},
              {"kind", "RightsizePolicy"},
              {"metadata", {{"name", "p"}, {"namespace", "trading"}}},
              {"spec", std::move(spec)}};
}

std::string dump(const policies::Problems& problems) {
  std::string out;
  for (const auto& p : problems) out += policies::to_string(p) + "\n";
  return out;
}

TEST(PolicyJson, EmptySpecIsValidWithDesignDefaults) {
  const auto parsed = policies::parse_policy_object(object_with_spec(json::object()));
  ASSERT_TRUE(parsed.valid()) << dump(parsed.problems);
  const auto& s = parsed.spec;
  EXPECT_EQ(parsed.name, "p");
  EXPECT_EQ(s.mode, policies::Mode::Auto);
  EXPECT_EQ(s.cpu.percentile, 95);
  EXPECT_EQ(s.cpu.target_utilization, 0.60);
  EXPECT_EQ(s.cpu.min_millicores, 100);
  EXPECT_EQ(s.cpu.max_millicores, 32000);
  EXPECT_EQ(s.cpu.round_to_millicores, 50);
  EXPECT_EQ(s.memory.percentile, 99);
  EXPECT_EQ(s.memory.target_utilization, 0.80);
  EXPECT_EQ(s.memory.min_bytes, 128LL << 20);
  EXPECT_EQ(s.memory.max_bytes, 64LL << 30);
  EXPECT_EQ(s.memory.round_to_bytes, 64LL << 20);
  EXPECT_EQ(s.memory.oom_bump_ratio, 1.2);
  EXPECT_EQ(s.limits, policies::LimitsPolicy::KeepRatio);
  EXPECT_EQ(s.history.half_life, 24h);
  EXPECT_EQ(s.history.min_observation, 1h);
  EXPECT_EQ(s.history.bootstrap_from_prometheus, 0s);
  EXPECT_EQ(s.rollout.max_step_down, 0.5);
  EXPECT_EQ(s.rollout.min_change, 0.10);
  EXPECT_EQ(s.rollout.canary_replicas, 1);
  EXPECT_EQ(s.rollout.analysis_interval, 1min);
  EXPECT_EQ(s.rollout.successful_checks, 5);
  EXPECT_EQ(s.rollout.failure_threshold, 2);
  EXPECT_EQ(s.rollout.post_promotion_checks, 5);
  EXPECT_EQ(s.rollout.progress_deadline, 10min);
  EXPECT_EQ(s.rollout.cooldown, 6h);
  EXPECT_EQ(s.rollout.increases, policies::Increases::Immediate);
  EXPECT_FALSE(s.rollout.allow_hpa_conflict);
  EXPECT_FALSE(s.rollout.allow_git_ops);
  EXPECT_TRUE(s.rollout.blackout_windows.empty());
  EXPECT_EQ(s.slos.prometheus.address, "http://prometheus.monitoring:9090");
  EXPECT_EQ(s.slos.prometheus.timeout, 5s);
  EXPECT_TRUE(s.slos.checks.empty());
  EXPECT_EQ(s.pricing.prices.cpu_core_month.micro, 15'000'000);
  EXPECT_EQ(s.pricing.prices.memory_gib_month.micro, 3'000'000);
  EXPECT_EQ(s.pricing.currency, "USD");
}

TEST(PolicyJson, MissingSpecIsValidToo) {
  json object = object_with_spec({});
  object.erase("spec");
  EXPECT_TRUE(policies::parse_policy_object(object).valid());
}

TEST(PolicyJson, ParsesTheDesignExample) {
  const json spec = json::parse(R"json({
    "mode": "Recommend",
    "cpu": {"percentile": 90, "targetUtilization": 0.5, "min": 1, "max": "16", "roundTo": "1"},
    "memory": {"min": "256Mi", "max": "32Gi", "roundTo": "128Mi", "oomBumpRatio": 1.5},
    "limits": "EqualToRequests",
    "history": {"halfLife": "12h", "minObservation": "30m", "bootstrapFromPrometheus": "7d"},
    "rollout": {"maxStepDown": 0.25, "minChange": 0, "canaryReplicas": 2, "increases": "Canary",
                "allowGitOps": true, "allowHPAConflict": true,
                "blackoutWindows": [{"days": ["Mon", "Fri"], "start": "09:25", "end": "16:05",
                                     "timeZone": "America/New_York"}]},
    "slos": {"prometheus": {"address": "https://prom:9090", "timeout": "2s"},
             "checks": [{"name": "p99", "query": "max(x{namespace=\"{{namespace}}\",pod=~\"{{pods}}\"})",
                         "max": 0.1, "onNoData": "Skip"}]},
    "pricing": {"cpuCoreMonth": "20.5", "memoryGiBMonth": "2.25", "currency": "EUR"}
  })json");
  const auto parsed = policies::parse_policy_object(object_with_spec(spec));
  ASSERT_TRUE(parsed.valid()) << dump(parsed.problems);
  const auto& s = parsed.spec;
  EXPECT_EQ(s.mode, policies::Mode::Recommend);
  EXPECT_EQ(s.cpu.min_millicores, 1000);
  EXPECT_EQ(s.cpu.round_to_millicores, 1000);
  EXPECT_EQ(s.memory.round_to_bytes, 128LL << 20);
  EXPECT_EQ(s.memory.percentile, 99);  // not given: default
  EXPECT_EQ(s.limits, policies::LimitsPolicy::EqualToRequests);
  EXPECT_EQ(s.history.bootstrap_from_prometheus, 168h);
  EXPECT_EQ(s.rollout.increases, policies::Increases::Canary);
  EXPECT_TRUE(s.rollout.allow_git_ops);
  EXPECT_TRUE(s.rollout.allow_hpa_conflict);
  ASSERT_EQ(s.rollout.blackout_windows.size(), 1U);
  EXPECT_EQ(s.rollout.blackout_windows[0].days, 0b0100010);
  EXPECT_EQ(s.rollout.blackout_windows[0].start, 9h + 25min);
  ASSERT_EQ(s.slos.checks.size(), 1U);
  EXPECT_EQ(s.slos.checks[0].max, 0.1);
  EXPECT_FALSE(s.slos.checks[0].min.has_value());
  EXPECT_EQ(s.slos.checks[0].on_no_data, policies::OnNoData::Skip);
  EXPECT_EQ(s.pricing.prices.cpu_core_month.micro, 20'500'000);
}

struct BrokenCase {
  const char* name;
  const char* spec;  // JSON
  const char* path;  // a problem must be reported at this path
};

class BrokenPolicy : public testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenPolicy, IsRefusedWithTheFieldPath) {
  const auto parsed = policies::parse_policy_object(object_with_spec(json::parse(GetParam().spec)));
  EXPECT_FALSE(parsed.valid());
  bool found = false;
  for (const auto& p : parsed.problems) found = found || p.path == GetParam().path;
  EXPECT_TRUE(found) << "expected a problem at " << GetParam().path << ", got:\n"
                     << dump(parsed.problems);
}

INSTANTIATE_TEST_SUITE_P(
    Table, BrokenPolicy,
    testing::Values(
        BrokenCase{"ZeroCpuMin", R"({"cpu": {"min": "0"}})", "spec.cpu.min"},
        BrokenCase{"NegativeCpuMax", R"({"cpu": {"max": "-2"}})", "spec.cpu.max"},
        BrokenCase{"AbsurdCpuMax", R"({"cpu": {"max": "1e9"}})", "spec.cpu.max"},
        BrokenCase{"AbsurdMemoryMax", R"({"memory": {"max": "1Ei"}})", "spec.memory.max"},
        BrokenCase{"ZeroRoundTo", R"({"memory": {"roundTo": 0}})", "spec.memory.roundTo"},
        BrokenCase{"CpuMinAboveMax", R"({"cpu": {"min": "4", "max": "2"}})", "spec.cpu.min"},
        BrokenCase{"MemoryMinAboveMax", R"({"memory": {"min": "2Gi", "max": "1Gi"}})",
                   "spec.memory.min"},
        BrokenCase{"PercentileZero", R"({"cpu": {"percentile": 0}})", "spec.cpu.percentile"},
        BrokenCase{"Percentile101", R"({"memory": {"percentile": 101}})", "spec.memory.percentile"},
        BrokenCase{"UtilizationZero", R"({"cpu": {"targetUtilization": 0}})",
                   "spec.cpu.targetUtilization"},
        BrokenCase{"Utilization1_5", R"({"memory": {"targetUtilization": 1.5}})",
                   "spec.memory.targetUtilization"},
        BrokenCase{"OomBumpBelowOne", R"({"memory": {"oomBumpRatio": 0.5}})",
                   "spec.memory.oomBumpRatio"},
        BrokenCase{"UnknownMode", R"({"mode": "Yolo"})", "spec.mode"},
        BrokenCase{"UnknownLimits", R"({"limits": "Double"})", "spec.limits"},
        BrokenCase{"UnknownIncreases", R"({"rollout": {"increases": "Sometimes"}})",
                   "spec.rollout.increases"},
        BrokenCase{"AllowGitOpsNotABoolean", R"({"rollout": {"allowGitOps": "yes"}})",
                   "spec.rollout.allowGitOps"},
        BrokenCase{"MaxStepDownOne", R"({"rollout": {"maxStepDown": 1}})",
                   "spec.rollout.maxStepDown"},
        BrokenCase{"MinChangeNegative", R"({"rollout": {"minChange": -0.1}})",
                   "spec.rollout.minChange"},
        BrokenCase{"ZeroSuccessfulChecks", R"({"rollout": {"successfulChecks": 0}})",
                   "spec.rollout.successfulChecks"},
        BrokenCase{"ZeroFailureThreshold", R"({"rollout": {"failureThreshold": 0}})",
                   "spec.rollout.failureThreshold"},
        BrokenCase{"ZeroCanaryReplicas", R"({"rollout": {"canaryReplicas": 0}})",
                   "spec.rollout.canaryReplicas"},
        BrokenCase{"FractionalReplicas", R"({"rollout": {"canaryReplicas": 1.5}})",
                   "spec.rollout.canaryReplicas"},
        BrokenCase{"ZeroHalfLife", R"({"history": {"halfLife": "0s"}})", "spec.history.halfLife"},
        BrokenCase{"BadDuration", R"({"rollout": {"cooldown": "6 hours"}})",
                   "spec.rollout.cooldown"},
        BrokenCase{"WindowBadTime",
                   R"({"rollout": {"blackoutWindows": [{"start": "25:00", "end": "16:05"}]}})",
                   "spec.rollout.blackoutWindows[0].start"},
        BrokenCase{
            "WindowBadDay",
            R"({"rollout": {"blackoutWindows": [{"days": ["Funday"], "start": "09:00", "end": "10:00"}]}})",
            "spec.rollout.blackoutWindows[0].days[0]"},
        BrokenCase{"WindowNoEnd", R"({"rollout": {"blackoutWindows": [{"start": "09:00"}]}})",
                   "spec.rollout.blackoutWindows[0].end"},
        BrokenCase{
            "WindowEmptyZone",
            R"({"rollout": {"blackoutWindows": [{"start": "09:00", "end": "10:00", "timeZone": ""}]}})",
            "spec.rollout.blackoutWindows[0].timeZone"},
        BrokenCase{
            "WindowUnknownZone",
            R"({"rollout": {"blackoutWindows": [{"start": "09:00", "end": "10:00", "timeZone": "Mars/Olympus"}]}})",
            "spec.rollout.blackoutWindows[0].timeZone"},
        BrokenCase{
            "BadTemplateVariable",
            R"({"slos": {"checks": [{"name": "a", "query": "up{pod=\"{{pod}}\"}", "max": 1}]}})",
            "spec.slos.checks[0].query"},
        BrokenCase{
            "DuplicateCheckNames",
            R"({"slos": {"checks": [{"name": "a", "query": "up", "max": 1}, {"name": "a", "query": "up", "max": 2}]}})",
            "spec.slos.checks[1].name"},
        BrokenCase{"CheckWithoutBounds", R"({"slos": {"checks": [{"name": "a", "query": "up"}]}})",
                   "spec.slos.checks[0].max"},
        BrokenCase{"CheckWithoutQuery", R"({"slos": {"checks": [{"name": "a", "max": 1}]}})",
                   "spec.slos.checks[0].query"},
        BrokenCase{"BadPrometheusAddress", R"({"slos": {"prometheus": {"address": "prom:9090"}}})",
                   "spec.slos.prometheus.address"},
        BrokenCase{"BadPrice", R"({"pricing": {"cpuCoreMonth": "-15"}})",
                   "spec.pricing.cpuCoreMonth"},
        BrokenCase{"BadCurrency", R"({"pricing": {"currency": "dollars"}})",
                   "spec.pricing.currency"},
        BrokenCase{"UnknownField", R"({"cpu": {"percentil": 95}})", "spec.cpu.percentil"},
        BrokenCase{"WrongType", R"({"cpu": "lots"})", "spec.cpu"},
        BrokenCase{"QuantityAsFloat", R"({"cpu": {"min": 0.5}})", "spec.cpu.min"},
        // Whole cores can never fit under 500m; memory 1Gi steps under 512Mi neither.
        BrokenCase{"CpuRoundToAboveMax", R"({"cpu": {"max": "500m", "roundTo": "1"}})",
                   "spec.cpu.roundTo"},
        BrokenCase{"MemoryRoundToAboveMax", R"({"memory": {"max": "512Mi", "roundTo": "1Gi"}})",
                   "spec.memory.roundTo"},
        // [1500m, 1900m] holds no multiple of 1000m (1000 < 1500, 2000 > 1900).
        BrokenCase{"CpuNoMultipleBetweenMinAndMax",
                   R"({"cpu": {"min": "1500m", "max": "1900m", "roundTo": "1"}})", "spec.cpu.min"},
        // The CRD and the validator agree (issue 10, item 8).
        BrokenCase{
            "TripleBraceTemplate",
            R"({"slos": {"checks": [{"name": "a", "query": "up{pod=~\"{{{pods}}}\"}", "max": 1}]}})",
            "spec.slos.checks[0].query"},
        BrokenCase{"DurationHugeDays", R"({"rollout": {"cooldown": "99999999999d"}})",
                   "spec.rollout.cooldown"},
        BrokenCase{"DurationTenDigits", R"({"rollout": {"cooldown": "1000000000s"}})",
                   "spec.rollout.cooldown"},
        BrokenCase{"DurationLongerThan32",
                   R"({"history": {"halfLife": "1s1s1s1s1s1s1s1s1s1s1s1s1s1s1s1s1s"}})",
                   "spec.history.halfLife"},
        BrokenCase{"CpuMinAboveMaxBelowAMillicore",
                   R"({"cpu": {"min": "100.7m", "max": "100.5m"}})", "spec.cpu.min"},
        BrokenCase{"MemoryMinAboveMaxBelowAByte",
                   R"({"memory": {"min": "1.7", "max": "1.5", "roundTo": "1"}})",
                   "spec.memory.min"},
        BrokenCase{"AddressWithoutHost", R"({"slos": {"prometheus": {"address": "http:///x"}}})",
                   "spec.slos.prometheus.address"},
        BrokenCase{"AddressWithCarriageReturn",
                   R"({"slos": {"prometheus": {"address": "http://prom\r:9090"}}})",
                   "spec.slos.prometheus.address"},
        BrokenCase{"AddressWithFormFeed",
                   R"({"slos": {"prometheus": {"address": "http://prom\f:9090"}}})",
                   "spec.slos.prometheus.address"},
        // [100Mi, 120Mi] holds no multiple of 64Mi (64, 128).
        BrokenCase{"MemoryNoMultipleBetweenMinAndMax",
                   R"({"memory": {"min": "100Mi", "max": "120Mi", "roundTo": "64Mi"}})",
                   "spec.memory.min"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(PolicyJson, ReportsEveryProblem) {
  const auto parsed = policies::parse_policy_object(object_with_spec(json::parse(
      R"({"cpu": {"percentile": 0, "min": "4", "max": "2"}, "mode": "x", "rollout": {"minChange": 1}})")));
  EXPECT_EQ(parsed.problems.size(), 4U) << dump(parsed.problems);
}

TEST(PolicyJson, HeaderProblems) {
  json object = object_with_spec(json::object());
  object["apiVersion"] = "v1";
  object["kind"] = "Pod";
  object["metadata"].erase("name");
  const auto parsed = policies::parse_policy_object(object);
  ASSERT_EQ(parsed.problems.size(), 3U) << dump(parsed.problems);
  EXPECT_EQ(parsed.problems[0].path, "apiVersion");
  EXPECT_EQ(parsed.problems[1].path, "kind");
  EXPECT_EQ(parsed.problems[2].path, "metadata.name");
}

TEST(PolicyValidation, ModelDefaultsAreValid) {
  EXPECT_TRUE(policies::validate(policies::RightsizePolicySpec{}).empty());
}

TEST(PolicyValidation, RoundToAtMaxAndAMultipleAtTheEdgesAreValid) {
  policies::RightsizePolicySpec s;
  s.cpu = {95, 0.6, 1000, 1000, 1000};  // exactly one whole core
  EXPECT_TRUE(policies::validate(s).empty()) << dump(policies::validate(s));
  s.cpu = {95, 0.6, 1500, 2000, 1000};  // 2000m is the one multiple, at max
  EXPECT_TRUE(policies::validate(s).empty()) << dump(policies::validate(s));
  s.cpu = {95, 0.6, 1001, 1999, 1000};  // none: 1000 < 1001, 2000 > 1999
  EXPECT_EQ(policies::validate(s).size(), 1U);
}

std::string repeat(std::string_view unit, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += unit;
  return out;
}

// maxLength counts characters, as the apiserver does, not UTF-8 bytes.
TEST(PolicyValidation, LengthsAreInCharacters) {
  policies::RightsizePolicySpec s;
  s.slos.checks.push_back({"a", repeat("é", 4096), std::nullopt, 1.0});
  EXPECT_TRUE(policies::validate(s).empty()) << dump(policies::validate(s));  // 8192 bytes
  s.slos.checks[0].query += "é";
  EXPECT_EQ(policies::validate(s).size(), 1U);
  s.slos.checks[0].query = "up";
  s.slos.prometheus.address = "http://" + repeat("é", 2041);  // 2048 characters
  EXPECT_TRUE(policies::validate(s).empty()) << dump(policies::validate(s));
  s.slos.prometheus.address += "a";
  EXPECT_EQ(policies::validate(s).size(), 1U);
}

// The apiserver accepts quantities with more significant digits than an
// int64 holds; so does the reader, rounding up: 1Gi + 10^-20 Gi is 1Gi and a
// tiny fraction of a byte, read as 1073741825 bytes; 0.1 core + 10^-20 as 101m.
TEST(PolicyJson, QuantitiesWithManyDigitsReadRoundedUp) {
  const auto parsed = policies::parse_policy_object(object_with_spec(json::parse(
      R"({"memory": {"max": "1.00000000000000000001Gi"}, "cpu": {"min": "0.10000000000000000001"}})")));
  ASSERT_TRUE(parsed.valid()) << dump(parsed.problems);
  EXPECT_EQ(parsed.spec.memory.max_bytes, 1073741825);
  EXPECT_EQ(parsed.spec.cpu.min_millicores, 101);
  // 24 significant digits that not even nano rounding brings under 19: just
  // below 64Ti = 70368744177664 bytes, rounded up to it.
  const auto big = policies::parse_policy_object(
      object_with_spec(json::parse(R"({"memory": {"max": "70368744177663.1234567891"}})")));
  ASSERT_TRUE(big.valid()) << dump(big.problems);
  EXPECT_EQ(big.spec.memory.max_bytes, 70368744177664);
}

TEST(PolicyJson, NameMustBeADnsSubdomain) {
  for (const char* bad :
       {"Caf\xc3\xa9", "Caf\xe9", "UPPER", "-a", "a-", "a..b", ".a", "a b", "a_b"}) {
    json object = object_with_spec(json::object());
    object["metadata"]["name"] = bad;
    const auto parsed = policies::parse_policy_object(object);
    ASSERT_EQ(parsed.problems.size(), 1U) << bad;
    EXPECT_EQ(parsed.problems[0].path, "metadata.name") << bad;
  }
  for (const std::string& good :
       std::vector<std::string>{"a", "trading-engine", "a.b-c.d9", std::string(253, 'a')}) {
    json object = object_with_spec(json::object());
    object["metadata"]["name"] = good;
    EXPECT_TRUE(policies::parse_policy_object(object).valid()) << good;
  }
  json object = object_with_spec(json::object());
  object["metadata"]["name"] = std::string(254, 'a');
  EXPECT_FALSE(policies::parse_policy_object(object).valid());
}

}  // namespace
