// `rightsizer analyze` end to end against a scripted Prometheus on port 0:
// a policy file, pods given on the command line, canary vs baseline.
#include "controller/analyze_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_http_server.h"

namespace {

using testsupport::ScriptedAnswer;
using testsupport::TestHttpServer;

const char* kPolicy = R"(apiVersion: rightsizer.io/v1alpha1
kind: RightsizePolicy
metadata: {name: trading, namespace: trading}
spec:
  slos:
    prometheus: {address: "http://prometheus.monitoring:9090", timeout: 2s}
    checks:
    - name: trade-latency-p99
      query: max(lat{namespace="{{namespace}}",pod=~"{{pods}}"})
      max: 0.1
      baseline: {maxRatio: "1.25", maxDelta: "0.005"}
)";

std::string vector_of(double v) {
  return R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,")" +
         std::to_string(v) + R"("]}]}})";
}

class AnalyzeCommand : public testing::Test {
 protected:
  void SetUp() override {
    file_ = std::filesystem::temp_directory_path() /
            ("rightsizer-analyze-" + std::to_string(::getpid()) + ".yaml");
    std::ofstream(file_) << kPolicy;
  }
  void TearDown() override { std::filesystem::remove(file_); }

  // Canary latency `canary`, stable pods `stable`.
  int run(double canary, double stable, std::string& out, std::string& err,
          std::vector<std::string> extra = {}) {
    TestHttpServer server([&](const testsupport::RecordedHttpRequest& r) {
      const bool is_canary = r.body.find("engine-canary") != std::string::npos;
      return ScriptedAnswer{200, vector_of(is_canary ? canary : stable)};
    });
    const std::string prom = server.url();
    const std::string file = file_.string();
    std::vector<std::string_view> args{"-n",
                                       "trading",
                                       "--workload",
                                       "engine",
                                       "-f",
                                       file,
                                       "--pods",
                                       "engine-a,engine-b,engine-canary-0",
                                       "--canary-pods",
                                       "engine-canary-0",
                                       "--prometheus",
                                       prom};
    for (const auto& e : extra) args.push_back(e);
    std::ostringstream o, e;
    const int rc = controller::run_analyze(args, o, e);
    out = o.str();
    err = e.str();
    return rc;
  }

  std::filesystem::path file_;
};

TEST_F(AnalyzeCommand, PassingCanaryPrintsValuesBoundsAndBaseline) {
  std::string out, err;
  EXPECT_EQ(run(0.012, 0.011, out, err), 0) << err << out;
  EXPECT_NE(out.find("pods analysed: engine-canary-0"), std::string::npos) << out;
  EXPECT_NE(out.find("baseline pods: engine-a,engine-b"), std::string::npos) << out;
  EXPECT_NE(out.find("trade-latency-p99"), std::string::npos);
  EXPECT_NE(out.find("0.012"), std::string::npos);
  EXPECT_NE(out.find("<= 0.1"), std::string::npos);
  EXPECT_NE(out.find("0.011"), std::string::npos);
  EXPECT_NE(out.find("analysis: PASS"), std::string::npos);
}

TEST_F(AnalyzeCommand, CanaryAloneSlowFailsWithTheReason) {
  std::string out, err;
  EXPECT_EQ(run(0.050, 0.010, out, err), 1) << err << out;
  EXPECT_NE(out.find("is worse than baseline 0.01 allows (at most 0.015)"), std::string::npos)
      << out;
  EXPECT_NE(out.find("analysis: FAIL"), std::string::npos);
}

TEST_F(AnalyzeCommand, JsonOutput) {
  std::string out, err;
  EXPECT_EQ(run(0.012, 0.011, out, err, {"-o", "json"}), 0) << err;
  EXPECT_NE(out.find(R"("passed": true)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("baselinePods": [)"), std::string::npos) << out;
}

TEST_F(AnalyzeCommand, UnreachablePrometheusFails) {
  std::ostringstream o, e;
  const std::string file = file_.string();
  std::vector<std::string_view> args{
      "-n", "trading", "--workload", "engine",       "-f",
      file, "--pods",  "engine-a",   "--prometheus", "http://127.0.0.1:1"};
  EXPECT_EQ(controller::run_analyze(args, o, e), 1);
  EXPECT_NE(o.str().find("ConnectionRefused"), std::string::npos) << o.str();
}

struct BadArgs {
  const char* name;
  std::vector<std::string_view> args;
  const char* error;
};

class AnalyzeArgs : public testing::TestWithParam<BadArgs> {};

TEST_P(AnalyzeArgs, UsageErrors) {
  std::string error;
  EXPECT_FALSE(controller::parse_analyze_args(GetParam().args, error).has_value());
  EXPECT_NE(error.find(GetParam().error), std::string::npos) << error;
  std::ostringstream o, e;
  EXPECT_EQ(controller::run_analyze(GetParam().args, o, e), 2);
}

INSTANTIATE_TEST_SUITE_P(
    Table, AnalyzeArgs,
    testing::Values(
        BadArgs{"NoWorkload", {"-n", "x", "-f", "p.yaml", "--pods", "a"}, "--workload"},
        BadArgs{"NoPolicy", {"-n", "x", "--workload", "w", "--pods", "a"}, "--policy or -f"},
        BadArgs{"BothPolicies",
                {"-n", "x", "--workload", "w", "--policy", "p", "-f", "f", "--pods", "a"},
                "--policy or -f"},
        BadArgs{"PodsNeedCluster", {"-n", "x", "--workload", "w", "-f", "f"}, "--kubeconfig"},
        BadArgs{"BadKind",
                {"-n", "x", "--workload", "w", "-f", "f", "--pods", "a", "--kind", "Job"},
                "--kind"},
        BadArgs{"BadOutput",
                {"-n", "x", "--workload", "w", "-f", "f", "--pods", "a", "-o", "xml"},
                "-o"},
        BadArgs{"UnknownFlag", {"--frobnicate"}, "unknown"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(AnalysisTarget, CanaryPodsAreAnalysedAndTheRestIsTheBaseline) {
  controller::AnalyzeArgs a;
  a.ns = "ns";
  a.workload = "w";
  a.canary_pods = {"w-c"};
  const auto t = controller::analysis_target(a, {"w-a", "w-b", "w-c"});
  EXPECT_EQ(t.pods, std::vector<std::string>{"w-c"});
  EXPECT_EQ(t.baseline_pods, (std::vector<std::string>{"w-a", "w-b"}));
  a.canary_pods.clear();
  const auto all = controller::analysis_target(a, {"w-a", "w-b"});
  EXPECT_EQ(all.pods.size(), 2U);
  EXPECT_TRUE(all.baseline_pods.empty());
}

// Infos and an infinite value are shown, in text and in JSON.
TEST(AnalyzeReport, ShowsInfosAndInfiniteValues) {
  controller::Verdict v;
  controller::CheckVerdict c;
  c.name = "lat";
  c.infos = {"metric might not be a counter"};
  c.canary.infinite = true;
  v.checks.push_back(c);
  const controller::AnalysisTarget t{"ns", "w", {"p"}, {}};
  const auto text = controller::format_verdict_text(v, t);
  EXPECT_NE(text.find("lat: info: metric might not be a counter"), std::string::npos) << text;
  const auto json = controller::format_verdict_json(v, t);
  EXPECT_NE(json.find(R"("infos": [)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("infinite": true)"), std::string::npos) << json;
}

// The workload's whole selector becomes the pod list's label selector:
// matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist).
TEST(WorkloadSelector, MatchLabelsAndExpressions) {
  std::string error;
  const auto sel = controller::label_selector_text(nlohmann::json::parse(R"({
      "matchLabels": {"app": "engine"},
      "matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["a", "b"]},
        {"key": "track", "operator": "NotIn", "values": ["canary"]},
        {"key": "team", "operator": "Exists"},
        {"key": "legacy", "operator": "DoesNotExist"}]})"),
                                                   error);
  ASSERT_TRUE(sel.has_value()) << error;
  EXPECT_EQ(*sel, "app=engine,tier in (a,b),track notin (canary),team,!legacy");
  const auto only = controller::label_selector_text(
      nlohmann::json::parse(R"({"matchExpressions": [{"key": "app", "operator": "Exists"}]})"),
      error);
  ASSERT_TRUE(only.has_value()) << error;
  EXPECT_EQ(*only, "app");
}

TEST(WorkloadSelector, RefusesWhatItCannotExpress) {
  for (const char* bad :
       {R"({})", R"({"matchLabels": {}})",
        R"({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]})",
        R"({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]})",
        R"({"matchExpressions": [{"key": "a", "operator": "In"}]})",
        R"({"matchExpressions": [{"operator": "Exists"}]})"}) {
    std::string error;
    EXPECT_FALSE(controller::label_selector_text(nlohmann::json::parse(bad), error).has_value())
        << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

}  // namespace
