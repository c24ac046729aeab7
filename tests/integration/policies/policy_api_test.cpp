// The RightsizePolicy API against a real kube-apiserver: the CRDs install and
// become Established, every example is accepted, the server applies the same
// defaults as policies/, and every policy in a table of broken ones is refused
// both by the apiserver (naming the field) and by `rightsizer validate`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "policies/policy_json.h"
#include "support/cluster.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kSource = RIGHTSIZER_SOURCE_DIR;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class PolicyApi : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Several test processes apply the CRDs at once under `ctest -j`: a
    // conflicting concurrent apply is retried (apply is idempotent).
    itest::CommandResult applied;
    ASSERT_TRUE(itest::eventually(
        [&] {
          applied = itest::kubectl({"apply", "-f", (kSource / "crds").string()});
          return applied.ok();
        },
        30s))
        << applied.err;
    const auto established =
        itest::kubectl({"wait", "--for=condition=Established", "--timeout=60s",
                        "crd/rightsizepolicies.rightsizer.io", "crd/rightsizings.rightsizer.io"});
    ASSERT_TRUE(established.ok()) << established.err;
    // Discovery may lag Established for a moment.
    ASSERT_TRUE(itest::eventually([] { return itest::kubectl({"get", "rsp", "-A"}).ok(); }, 30s));
  }
};

TEST_F(PolicyApi, CrdsHaveShortNamesAndCategory) {
  const auto r = itest::kubectl({"api-resources", "--api-group=rightsizer.io", "-o", "wide"});
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_NE(r.out.find("rsp"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rsz"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rightsizer"), std::string::npos) << r.out;
  EXPECT_TRUE(itest::kubectl({"get", "rightsizer", "-A"}).ok());
}

// The examples name namespace "trading"; each test runs in a namespace of its own.
std::string in_namespace(std::string yaml, const std::string& ns) {
  const std::string from = "namespace: trading";
  for (auto pos = yaml.find(from); pos != std::string::npos; pos = yaml.find(from, pos))
    yaml.replace(pos, from.size(), "namespace: " + ns);
  return yaml;
}

TEST_F(PolicyApi, EveryExampleIsAcceptedByServerDryRun) {
  itest::TestNamespace ns("rsp-examples");
  int examples = 0;
  for (const auto& e : fs::directory_iterator(kSource / "policies" / "examples")) {
    const auto r = itest::kubectl({"apply", "--dry-run=server", "-f", "-"},
                                  in_namespace(read(e.path()), ns.name()));
    EXPECT_TRUE(r.ok()) << e.path() << ": " << r.err;
    ++examples;
  }
  EXPECT_GE(examples, 4);
}

TEST_F(PolicyApi, ServerDefaultsEqualTheModelsDefaults) {
  itest::TestNamespace ns("rsp-defaults");
  const std::string policy =
      "apiVersion: rightsizer.io/v1alpha1\nkind: RightsizePolicy\n"
      "metadata: {name: empty, namespace: " +
      ns.name() + "}\nspec: {}\n";
  const auto r = itest::kubectl({"create", "-f", "-", "-o", "json"}, policy);
  ASSERT_TRUE(r.ok()) << r.err;
  const auto stored = nlohmann::json::parse(r.out);
  // Everything the server filled in parses to exactly the model's defaults.
  const auto from_server = policies::parse_policy_object(stored);
  ASSERT_TRUE(from_server.valid());
  const auto& s = stored["spec"];
  EXPECT_EQ(s["mode"], "Auto");
  EXPECT_EQ(s["cpu"]["percentile"], 95);
  EXPECT_EQ(s["cpu"]["targetUtilization"], 0.6);
  EXPECT_EQ(s["cpu"]["min"], "100m");
  EXPECT_EQ(s["cpu"]["max"], "32");
  EXPECT_EQ(s["cpu"]["roundTo"], "50m");
  EXPECT_EQ(s["memory"]["percentile"], 99);
  EXPECT_EQ(s["memory"]["targetUtilization"], 0.8);
  EXPECT_EQ(s["memory"]["min"], "128Mi");
  EXPECT_EQ(s["memory"]["max"], "64Gi");
  EXPECT_EQ(s["memory"]["roundTo"], "64Mi");
  EXPECT_EQ(s["memory"]["oomBumpRatio"], 1.2);
  EXPECT_EQ(s["limits"], "KeepRatio");
  EXPECT_EQ(s["history"],
            nlohmann::json::parse(
                R"({"halfLife":"24h","minObservation":"1h","bootstrapFromPrometheus":"0s"})"));
  EXPECT_EQ(s["rollout"]["maxStepDown"], 0.5);
  EXPECT_EQ(s["rollout"]["minChange"], 0.1);
  EXPECT_EQ(s["rollout"]["canaryReplicas"], 1);
  EXPECT_EQ(s["rollout"]["analysisInterval"], "1m");
  EXPECT_EQ(s["rollout"]["successfulChecks"], 5);
  EXPECT_EQ(s["rollout"]["failureThreshold"], 2);
  EXPECT_EQ(s["rollout"]["postPromotionChecks"], 5);
  EXPECT_EQ(s["rollout"]["progressDeadline"], "10m");
  EXPECT_EQ(s["rollout"]["cooldown"], "6h");
  EXPECT_EQ(s["rollout"]["increases"], "Immediate");
  EXPECT_EQ(s["rollout"]["allowHPAConflict"], false);
  EXPECT_EQ(s["slos"]["prometheus"]["address"], "http://prometheus.monitoring:9090");
  EXPECT_EQ(s["slos"]["prometheus"]["timeout"], "5s");
  EXPECT_EQ(s["pricing"],
            nlohmann::json::parse(
                R"({"cpuCoreMonth":"15.00","memoryGiBMonth":"3.00","currency":"USD"})"));
  const policies::RightsizePolicySpec model;
  EXPECT_EQ(from_server.spec.cpu.min_millicores, model.cpu.min_millicores);
  EXPECT_EQ(from_server.spec.memory.max_bytes, model.memory.max_bytes);
  EXPECT_EQ(from_server.spec.history.half_life, model.history.half_life);
  EXPECT_EQ(from_server.spec.rollout.cooldown, model.rollout.cooldown);
  EXPECT_EQ(from_server.spec.pricing.prices.cpu_core_month, model.pricing.prices.cpu_core_month);

  // A window gets the default days and zone.
  const std::string window =
      "apiVersion: rightsizer.io/v1alpha1\nkind: RightsizePolicy\n"
      "metadata: {name: window, namespace: " +
      ns.name() +
      "}\n"
      "spec: {rollout: {blackoutWindows: [{start: \"09:25\", end: \"16:05\"}]}}\n";
  const auto w = itest::kubectl({"create", "--dry-run=server", "-f", "-", "-o", "json"}, window);
  ASSERT_TRUE(w.ok()) << w.err;
  const auto win = nlohmann::json::parse(w.out)["spec"]["rollout"]["blackoutWindows"][0];
  EXPECT_EQ(win["timeZone"], "UTC");
  EXPECT_EQ(win["days"].size(), 7U);
}

TEST_F(PolicyApi, PrinterColumns) {
  itest::TestNamespace ns("rsp-columns");
  const std::string policy =
      "apiVersion: rightsizer.io/v1alpha1\nkind: RightsizePolicy\n"
      "metadata: {name: cols, namespace: " +
      ns.name() + "}\nspec: {mode: Recommend}\n";
  ASSERT_TRUE(itest::kubectl({"create", "-f", "-"}, policy).ok());
  const auto r = itest::kubectl({"get", "rsp", "-n", ns.name()});
  ASSERT_TRUE(r.ok()) << r.err;
  for (const char* column : {"MODE", "WORKLOADS", "RIGHTSIZED", "SAVINGS/MO", "AGE", "Recommend"})
    EXPECT_NE(r.out.find(column), std::string::npos) << r.out;
}

struct Broken {
  const char* name;
  const char* spec;   // YAML flow mapping for spec
  const char* field;  // both the apiserver and rightsizer validate must name it
};

class BrokenPolicies : public PolicyApi, public testing::WithParamInterface<Broken> {};

std::string broken_policy(const Broken& b, const std::string& ns) {
  return "apiVersion: rightsizer.io/v1alpha1\nkind: RightsizePolicy\n"
         "metadata: {name: broken, namespace: " +
         ns + "}\nspec: " + b.spec + "\n";
}

TEST_P(BrokenPolicies, RefusedByTheApiserverNamingTheField) {
  itest::TestNamespace ns("rsp-broken");
  const auto r = itest::kubectl({"apply", "--dry-run=server", "-f", "-"},
                                broken_policy(GetParam(), ns.name()));
  EXPECT_FALSE(r.ok()) << "accepted: " << GetParam().spec;
  EXPECT_NE(r.err.find(GetParam().field), std::string::npos) << r.err;
}

TEST_P(BrokenPolicies, RefusedByRightsizerValidate) {
  const fs::path file =
      fs::temp_directory_path() / (std::string("rightsizer-broken-") + GetParam().name + ".yaml");
  std::ofstream(file) << broken_policy(GetParam(), "default");
  const auto r = itest::run({RIGHTSIZER_BIN, "validate", "-f", file.string()});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find(GetParam().field), std::string::npos) << r.out;
}

std::string repeat(std::string_view unit, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += unit;
  return out;
}

// Lengths are in characters for both (the apiserver counts runes).
const std::string kQueryOf4097Characters =
    "{slos: {checks: [{name: a, query: \"" + repeat("é", 4097) + "\", max: 1}]}}";
const std::string kAddressOf2049Characters =
    "{slos: {prometheus: {address: \"http://" + repeat("é", 2042) + "\"}}}";

INSTANTIATE_TEST_SUITE_P(
    Table, BrokenPolicies,
    testing::Values(
        Broken{"ZeroCpuMin", R"({cpu: {min: "0"}})", "spec.cpu.min"},
        Broken{"NegativeCpuMax", R"({cpu: {max: "-2"}})", "spec.cpu.max"},
        Broken{"AbsurdCpuMax", R"({cpu: {max: "1e9"}})", "spec.cpu.max"},
        Broken{"AbsurdMemoryMax", R"({memory: {max: 1Ei}})", "spec.memory.max"},
        Broken{"NotAQuantity", R"({memory: {roundTo: lots}})", "spec.memory.roundTo"},
        Broken{"ZeroRoundTo", R"({memory: {roundTo: 0}})", "spec.memory.roundTo"},
        Broken{"CpuMinAboveMax", R"({cpu: {min: "4", max: "2"}})", "spec.cpu.min"},
        Broken{"MemoryMinAboveMax", R"({memory: {min: 2Gi, max: 1Gi}})", "spec.memory.min"},
        Broken{"PercentileZero", R"({cpu: {percentile: 0}})", "spec.cpu.percentile"},
        Broken{"Percentile101", R"({memory: {percentile: 101}})", "spec.memory.percentile"},
        Broken{"UtilizationZero", R"({cpu: {targetUtilization: 0}})", "spec.cpu.targetUtilization"},
        Broken{"Utilization1_5", R"({memory: {targetUtilization: 1.5}})",
               "spec.memory.targetUtilization"},
        Broken{"OomBumpBelowOne", R"({memory: {oomBumpRatio: 0.5}})", "spec.memory.oomBumpRatio"},
        Broken{"UnknownMode", R"({mode: Yolo})", "spec.mode"},
        Broken{"UnknownLimits", R"({limits: Double})", "spec.limits"},
        Broken{"UnknownIncreases", R"({rollout: {increases: Sometimes}})",
               "spec.rollout.increases"},
        Broken{"MaxStepDownOne", R"({rollout: {maxStepDown: 1}})", "spec.rollout.maxStepDown"},
        Broken{"MinChangeNegative", R"({rollout: {minChange: -0.1}})", "spec.rollout.minChange"},
        Broken{"ZeroSuccessfulChecks", R"({rollout: {successfulChecks: 0}})",
               "spec.rollout.successfulChecks"},
        Broken{"ZeroFailureThreshold", R"({rollout: {failureThreshold: 0}})",
               "spec.rollout.failureThreshold"},
        Broken{"ZeroCanaryReplicas", R"({rollout: {canaryReplicas: 0}})",
               "spec.rollout.canaryReplicas"},
        Broken{"ZeroHalfLife", R"({history: {halfLife: 0s}})", "spec.history.halfLife"},
        Broken{"BadDuration", R"({rollout: {cooldown: 6 hours}})", "spec.rollout.cooldown"},
        Broken{"WindowBadTime", R"({rollout: {blackoutWindows: [{start: "25:00", end: "16:05"}]}})",
               "spec.rollout.blackoutWindows[0].start"},
        Broken{"WindowBadDay",
               R"({rollout: {blackoutWindows: [{days: [Funday], start: "09:00", end: "10:00"}]}})",
               "spec.rollout.blackoutWindows[0].days[0]"},
        Broken{"WindowNoEnd", R"({rollout: {blackoutWindows: [{start: "09:00"}]}})",
               "spec.rollout.blackoutWindows[0].end"},
        Broken{"WindowEmpty", R"({rollout: {blackoutWindows: [{start: "09:00", end: "09:00"}]}})",
               "spec.rollout.blackoutWindows[0].end"},
        Broken{"WindowEmptyZone",
               R"({rollout: {blackoutWindows: [{start: "09:00", end: "10:00", timeZone: ""}]}})",
               "spec.rollout.blackoutWindows[0].timeZone"},
        Broken{"BadTemplateVariable",
               R"({slos: {checks: [{name: a, query: "up{pod=\"{{pod}}\"}", max: 1}]}})",
               "spec.slos.checks[0].query"},
        Broken{"DuplicateCheckNames",
               R"({slos: {checks: [{name: a, query: up, max: 1}, {name: a, query: up, max: 2}]}})",
               "spec.slos.checks"},
        Broken{"CheckWithoutBounds", R"({slos: {checks: [{name: a, query: up}]}})",
               "spec.slos.checks[0].max"},
        Broken{"CheckMinAboveMax", R"({slos: {checks: [{name: a, query: up, min: 2, max: 1}]}})",
               "spec.slos.checks[0].min"},
        Broken{"BadPrometheusAddress", R"({slos: {prometheus: {address: "prom:9090"}}})",
               "spec.slos.prometheus.address"},
        Broken{"NegativePrice", R"({pricing: {cpuCoreMonth: "-15"}})", "spec.pricing.cpuCoreMonth"},
        Broken{"BadCurrency", R"({pricing: {currency: dollars}})", "spec.pricing.currency"},
        Broken{"UnknownField", R"({cpu: {percentil: 95}})", "spec.cpu.percentil"},
        Broken{"WrongType", R"({cpu: lots})", "spec.cpu"},
        Broken{"QuantityAsFloat", R"({cpu: {min: 0.5}})", "spec.cpu.min"},
        // Issue 10: sizes the policy can reach, and CRD/validator agreement.
        Broken{"CpuRoundToAboveMax", R"({cpu: {max: 500m, roundTo: "1"}})", "spec.cpu.roundTo"},
        Broken{"CpuNoMultipleBetweenMinAndMax", R"({cpu: {min: 1500m, max: 1900m, roundTo: "1"}})",
               "spec.cpu.min"},
        Broken{"MemoryNoMultipleBetweenMinAndMax",
               R"({memory: {min: 100Mi, max: 120Mi, roundTo: 64Mi}})", "spec.memory.min"},
        Broken{"TripleBraceTemplate",
               R"({slos: {checks: [{name: a, query: "up{pod=~\"{{{pods}}}\"}", max: 1}]}})",
               "spec.slos.checks[0].query"},
        Broken{"DurationHugeDays", R"({rollout: {cooldown: 99999999999d}})",
               "spec.rollout.cooldown"},
        Broken{"DurationTenDigits", R"({rollout: {cooldown: 1000000000s}})",
               "spec.rollout.cooldown"},
        Broken{"QueryOf4097Characters", kQueryOf4097Characters.c_str(),
               "spec.slos.checks[0].query"},
        Broken{"AddressWithoutHost", R"({slos: {prometheus: {address: "http:///x"}}})",
               "spec.slos.prometheus.address"},
        Broken{"AddressWithCarriageReturn",
               R"({slos: {prometheus: {address: "http://prom\r:9090"}}})",
               "spec.slos.prometheus.address"},
        Broken{"AddressOf2049Characters", kAddressOf2049Characters.c_str(),
               "spec.slos.prometheus.address"},
        Broken{"CpuMinAboveMaxBelowAMillicore", R"({cpu: {min: 100.7m, max: 100.5m}})",
               "spec.cpu.min"},
        // slos.checks[].baseline
        Broken{
            "BaselineRatioBelowOne",
            R"({slos: {checks: [{name: a, query: "up{pod=~\"{{pods}}\"}", max: 1, baseline: {maxRatio: "0.8"}}]}})",
            "spec.slos.checks[0].baseline.maxRatio"},
        Broken{
            "BaselineRatioAsNumber",
            R"({slos: {checks: [{name: a, query: "up{pod=~\"{{pods}}\"}", max: 1, baseline: {maxRatio: 1.25}}]}})",
            "spec.slos.checks[0].baseline.maxRatio"},
        Broken{
            "BaselineNegativeDelta",
            R"({slos: {checks: [{name: a, query: "up{pod=~\"{{pods}}\"}", max: 1, baseline: {maxDelta: "-1"}}]}})",
            "spec.slos.checks[0].baseline.maxDelta"},
        Broken{
            "BaselineUnknownField",
            R"({slos: {checks: [{name: a, query: "up{pod=~\"{{pods}}\"}", max: 1, baseline: {ratio: "2"}}]}})",
            "spec.slos.checks[0].baseline.ratio"},
        // Without {{pods}} the canary would be compared with itself.
        Broken{"BaselineWithoutPods",
               R"({slos: {checks: [{name: a, query: up, max: 1, baseline: {maxRatio: "2"}}]}})",
               "spec.slos.checks[0].baseline"}),
    [](const auto& info) { return std::string(info.param.name); });

// Edge cases both the apiserver and `rightsizer validate` accept (issue 10).
struct Accepted {
  const char* name;
  std::string spec;
};

class AcceptedPolicies : public PolicyApi, public testing::WithParamInterface<Accepted> {};

TEST_P(AcceptedPolicies, AcceptedByTheApiserverAndByRightsizerValidate) {
  itest::TestNamespace ns("rsp-accepted");
  const Broken b{GetParam().name, GetParam().spec.c_str(), ""};
  const auto r =
      itest::kubectl({"apply", "--dry-run=server", "-f", "-"}, broken_policy(b, ns.name()));
  EXPECT_TRUE(r.ok()) << r.err;
  const fs::path file =
      fs::temp_directory_path() / (std::string("rightsizer-accepted-") + GetParam().name + ".yaml");
  std::ofstream(file) << broken_policy(b, "default");
  const auto v = itest::run({RIGHTSIZER_BIN, "validate", "-f", file.string()});
  fs::remove(file);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

INSTANTIATE_TEST_SUITE_P(
    Table, AcceptedPolicies,
    testing::Values(
        Accepted{"QueryOf4096Characters",
                 "{slos: {checks: [{name: a, query: \"" + repeat("é", 4096) + "\", max: 1}]}}"},
        Accepted{"AddressOf2048Characters",
                 "{slos: {prometheus: {address: \"http://" + repeat("é", 2041) + "\"}}}"},
        Accepted{"MemoryWith21SignificantDigits", "{memory: {max: \"1.00000000000000000001Gi\"}}"},
        Accepted{"NineDigitDuration", "{rollout: {cooldown: 999999999d}}"},
        Accepted{"OneMultipleAtMax", "{cpu: {min: 1500m, max: 2000m, roundTo: \"1\"}}"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
