// The verdict table of the SLO gate: pure, from (checks, target, answers).
#include "controller/slo_analysis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {

using controller::AnalysisTarget;
using controller::Answers;
using controller::PromError;
using controller::PromErrorKind;
using controller::QueryResult;
using controller::Sample;
using policies::CheckOutcome;
using policies::OnNoData;
using policies::SloBaseline;
using policies::SloCheck;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// An answer: nullopt values = an error of `error` kind; otherwise the series.
struct Side {
  std::vector<double> values;
  std::optional<PromErrorKind> error;
};

Side series(std::vector<double> v) {
  return Side{std::move(v), std::nullopt};
}
Side failed(PromErrorKind k) {
  return Side{{}, k};
}
Side empty() {
  return Side{{}, std::nullopt};
}

controller::QueryAnswer answer(const Side& s) {
  if (s.error) return PromError{*s.error, "scripted", 0, {}};
  QueryResult r;
  for (double v : s.values) r.samples.push_back(Sample{{}, v});
  return r;
}

const AnalysisTarget kCanary{"trading", "engine", {"engine-canary-0"}, {"engine-a", "engine-b"}};
const AnalysisTarget kPromoted{"trading", "engine", {"engine-a", "engine-b"}, {}};

SloCheck check(std::optional<double> min, std::optional<double> max, OnNoData nd = OnNoData::Fail,
               std::optional<SloBaseline> baseline = std::nullopt) {
  SloCheck c;
  c.name = "latency";
  c.query = "q{pod=~\"{{pods}}\"}";
  c.min = min;
  c.max = max;
  c.on_no_data = nd;
  c.baseline = baseline;
  return c;
}

Answers answers_for(const SloCheck& c, const AnalysisTarget& t, const Side& canary,
                    const std::optional<Side>& baseline) {
  Answers a;
  a.emplace(policies::render_query(c.query, {t.ns, t.workload, t.pods}), answer(canary));
  if (baseline)
    a.emplace(policies::render_query(c.query, {t.ns, t.workload, t.baseline_pods}),
              answer(*baseline));
  return a;
}

struct Row {
  const char* name;
  SloCheck check;
  AnalysisTarget target;
  Side canary;
  std::optional<Side> baseline;
  CheckOutcome outcome;
  const char* reason_has;  // a piece of the reason ("" for a pass)
};

class Verdicts : public testing::TestWithParam<Row> {};

TEST_P(Verdicts, Table) {
  const auto& r = GetParam();
  const std::vector<SloCheck> checks{r.check};
  const auto v =
      controller::analyze(checks, r.target, answers_for(r.check, r.target, r.canary, r.baseline));
  ASSERT_EQ(v.checks.size(), 1U);
  const auto& c = v.checks[0];
  EXPECT_EQ(c.outcome, r.outcome) << c.reason;
  EXPECT_EQ(v.passed, r.outcome == CheckOutcome::Pass);  // a lone Skip is inconclusive
  if (r.outcome == CheckOutcome::Pass) {
    EXPECT_EQ(c.reason, "");
  } else {
    EXPECT_NE(c.reason.find(r.reason_has), std::string::npos) << c.reason;
  }
}

const SloBaseline kRatio{1.25, 0.005};
const SloBaseline kDeltaOnly{1.0, 0.010};

INSTANTIATE_TEST_SUITE_P(
    Absolute, Verdicts,
    testing::Values(
        Row{"ScalarWithinMax",
            check({}, 0.1),
            kPromoted,
            series({0.05}),
            {},
            CheckOutcome::Pass,
            ""},
        Row{"ExactlyAtMaxPasses",
            check({}, 0.1),
            kPromoted,
            series({0.1}),
            {},
            CheckOutcome::Pass,
            ""},
        Row{"AboveMax",
            check({}, 0.1),
            kPromoted,
            series({0.2}),
            {},
            CheckOutcome::Fail,
            "0.2 is above max 0.1"},
        Row{"VectorReducedByMaxForMax",
            check({}, 0.1),
            kPromoted,
            series({0.01, 0.3, 0.02}),
            {},
            CheckOutcome::Fail,
            "0.3 is above max"},
        Row{"VectorReducedByMinForMin",
            check(100, {}),
            kPromoted,
            series({500, 90, 400}),
            {},
            CheckOutcome::Fail,
            "90 is below min 100"},
        Row{"VectorAllWithinBothBounds",
            check(1, 10),
            kPromoted,
            series({1, 5, 10}),
            {},
            CheckOutcome::Pass,
            ""},
        Row{"NaNFails", check({}, 0.1), kPromoted, series({kNaN}), {}, CheckOutcome::Fail, "NaN"},
        Row{"OneNaNSeriesAmongGoodFails",
            check({}, 0.1),
            kPromoted,
            series({0.01, kNaN}),
            {},
            CheckOutcome::Fail,
            "NaN in 2 series"},
        Row{"PlusInfFailsMax",
            check({}, 0.1),
            kPromoted,
            series({kInf}),
            {},
            CheckOutcome::Fail,
            "above max"},
        Row{"PlusInfFailsMin",
            check(0, {}),
            kPromoted,
            series({kInf}),
            {},
            CheckOutcome::Fail,
            "infinite value in 1 series"},
        Row{"MinusInfFailsMax",
            check({}, 0.1),
            kPromoted,
            series({0.01, -kInf}),
            {},
            CheckOutcome::Fail,
            "infinite value in 2 series"},
        Row{"MinusInfFailsMin",
            check(0, {}),
            kPromoted,
            series({-kInf}),
            {},
            CheckOutcome::Fail,
            "below min"},
        Row{"NoDataFail",
            check({}, 0.1),
            kPromoted,
            empty(),
            {},
            CheckOutcome::Fail,
            "no data (onNoData: Fail)"},
        Row{"NoDataPass",
            check({}, 0.1, OnNoData::Pass),
            kPromoted,
            empty(),
            {},
            CheckOutcome::Pass,
            ""},
        Row{"NoDataSkip",
            check({}, 0.1, OnNoData::Skip),
            kPromoted,
            empty(),
            {},
            CheckOutcome::Skip,
            "onNoData: Skip"},
        Row{"UnreachableFailsEvenWithOnNoDataPass",
            check({}, 0.1, OnNoData::Pass),
            kPromoted,
            failed(PromErrorKind::ConnectionRefused),
            {},
            CheckOutcome::Fail,
            "canary query failed: ConnectionRefused"},
        Row{"TimeoutFails",
            check({}, 0.1, OnNoData::Skip),
            kPromoted,
            failed(PromErrorKind::Timeout),
            {},
            CheckOutcome::Fail,
            "Timeout"},
        Row{"QueryErrorFails",
            check({}, 0.1),
            kPromoted,
            failed(PromErrorKind::QueryError),
            {},
            CheckOutcome::Fail,
            "QueryError"},
        Row{"HttpErrorFails",
            check({}, 0.1),
            kPromoted,
            failed(PromErrorKind::HttpServerError),
            {},
            CheckOutcome::Fail,
            "HttpServerError"},
        Row{"BadJsonFails",
            check({}, 0.1),
            kPromoted,
            failed(PromErrorKind::BadResponse),
            {},
            CheckOutcome::Fail,
            "BadResponse"},
        Row{"NoStablePodsMeansAbsoluteOnly",
            check({}, 0.1, OnNoData::Fail, kRatio),
            kPromoted,
            series({0.09}),
            {},
            CheckOutcome::Pass,
            ""}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Baseline, Verdicts,
    testing::Values(
        // A busy market slows every pod: the canary moves with the baseline.
        Row{"BusyMarketBothSidesPass", check({}, 0.1, OnNoData::Fail, kRatio), kCanary,
            series({0.060}), series({0.050, 0.055}), CheckOutcome::Pass, ""},
        // The canary alone is slow, though within the absolute bound.
        Row{"CanaryAloneSlowFails", check({}, 0.1, OnNoData::Fail, kRatio), kCanary,
            series({0.080}), series({0.020, 0.025}), CheckOutcome::Fail,
            "worse than baseline 0.025 allows (at most 0.03125)"},
        // Canary as good as the baseline, but the market breaches the bound.
        Row{"CanaryFineButAbsoluteBreachedFails", check({}, 0.1, OnNoData::Fail, kRatio), kCanary,
            series({0.120}), series({0.118}), CheckOutcome::Fail, "0.12 is above max 0.1"},
        Row{"ExactlyAtRatioPasses", check({}, 1, OnNoData::Fail, SloBaseline{1.5, 0}), kCanary,
            series({0.75}), series({0.5}), CheckOutcome::Pass, ""},
        // Near zero the ratio allows nothing; the delta is the noise floor.
        Row{"DeltaIsLooserNearZero", check({}, 0.1, OnNoData::Fail, kRatio), kCanary,
            series({0.006}), series({0.002}), CheckOutcome::Pass, ""},
        Row{"BeyondDeltaFails", check({}, 0.1, OnNoData::Fail, kDeltaOnly), kCanary,
            series({0.031}), series({0.02}), CheckOutcome::Fail, "worse than baseline"},
        // For a min bound, worse is lower: throughput 80 vs 100 allowed at 1.25.
        Row{"MinCheckLowerIsWorseWithinRatio", check(10, {}, OnNoData::Fail, kRatio), kCanary,
            series({80.5}), series({100}), CheckOutcome::Pass, ""},
        Row{"MinCheckLowerIsWorseBeyondRatio", check(10, {}, OnNoData::Fail, kRatio), kCanary,
            series({70}), series({100}), CheckOutcome::Fail, "(at least 80)"},
        Row{"MinCheckHigherIsNeverWorse", check(10, {}, OnNoData::Fail, kRatio), kCanary,
            series({500}), series({100}), CheckOutcome::Pass, ""},
        Row{"CanaryBetterThanBaselinePasses", check({}, 0.1, OnNoData::Fail, kRatio), kCanary,
            series({0.01}), series({0.09}), CheckOutcome::Pass, ""},
        Row{"NoBaselineDataFail", check({}, 0.1, OnNoData::Fail, kRatio), kCanary, series({0.05}),
            empty(), CheckOutcome::Fail, "no data for the baseline (onNoData: Fail)"},
        Row{"NoBaselineDataSkip", check({}, 0.1, OnNoData::Skip, kRatio), kCanary, series({0.05}),
            empty(), CheckOutcome::Skip, "no data for the baseline"},
        Row{"NoBaselineDataSkipNeverHidesAnAbsoluteBreach", check({}, 0.1, OnNoData::Skip, kRatio),
            kCanary, series({0.2}), empty(), CheckOutcome::Fail, "0.2 is above max 0.1"},
        Row{"NoBaselineDataPassJudgesAbsoluteOnly", check({}, 0.1, OnNoData::Pass, kRatio), kCanary,
            series({0.09}), empty(), CheckOutcome::Pass, ""},
        Row{"NoBaselineDataPassStillFailsAbsolute", check({}, 0.1, OnNoData::Pass, kRatio), kCanary,
            series({0.2}), empty(), CheckOutcome::Fail, "above max"},
        Row{"BaselineNaNFails", check({}, 0.1, OnNoData::Fail, kRatio), kCanary, series({0.05}),
            series({kNaN}), CheckOutcome::Fail, "baseline is NaN"},
        Row{"BaselineQueryErrorFails", check({}, 0.1, OnNoData::Pass, kRatio), kCanary,
            series({0.05}), failed(PromErrorKind::Timeout), CheckOutcome::Fail,
            "baseline query failed: Timeout"},
        Row{"BaselineReducedByMaxToo", check({}, 1, OnNoData::Fail, kRatio), kCanary, series({0.6}),
            series({0.1, 0.5}), CheckOutcome::Pass, ""},
        Row{"NegativeValuesUseMagnitude", check({}, 0, OnNoData::Fail, SloBaseline{1.5, 0}),
            kCanary, series({-1.1}), series({-2}), CheckOutcome::Pass, ""},
        // An infinite baseline makes the comparison meaningless: it fails like NaN,
        // though the canary alone is within the absolute bound.
        Row{"InfiniteBaselineFails", check({}, 0.1, OnNoData::Fail, kRatio), kCanary,
            series({0.09}), series({kInf}), CheckOutcome::Fail, "baseline is infinite"},
        Row{"MinusInfiniteBaselineFailsAMinCheck", check(10, {}, OnNoData::Fail, kRatio), kCanary,
            series({50}), series({100, -kInf}), CheckOutcome::Fail, "baseline is infinite"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Analysis, ReportsValuesBoundsAndBaselineLimits) {
  const std::vector<SloCheck> checks{check({}, 0.1, OnNoData::Fail, kRatio)};
  const auto v = controller::analyze(
      checks, kCanary,
      answers_for(checks[0], kCanary, series({0.08, 0.07}), series({0.02, 0.04, 0.03})));
  const auto& c = v.checks.at(0);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(c.name, "latency");
  EXPECT_EQ(c.max, 0.1);
  EXPECT_EQ(c.canary.series, 2U);
  EXPECT_DOUBLE_EQ(*c.canary.high, 0.08);
  EXPECT_TRUE(c.baseline_used);
  EXPECT_EQ(c.baseline.series, 3U);
  EXPECT_DOUBLE_EQ(*c.baseline.high, 0.04);
  EXPECT_DOUBLE_EQ(*c.baseline_high, 0.05);
}

TEST(Analysis, QueriesEachRenderedQueryOnceWithCanaryThenStablePods) {
  SloCheck a = check({}, 0.1, OnNoData::Fail, kRatio);
  SloCheck b = check({}, 0.2);  // same query, no baseline
  b.name = "again";
  const std::vector<SloCheck> checks{a, b};
  const auto q = controller::queries_for(checks, kCanary);
  ASSERT_EQ(q.size(), 2U);
  EXPECT_EQ(q[0], "q{pod=~\"engine-canary-0\"}");
  EXPECT_EQ(q[1], "q{pod=~\"engine-a|engine-b\"}");
  EXPECT_EQ(controller::queries_for(checks, kPromoted).size(), 1U);
}

// "$^" for no pods matches the empty pod label in RE2, so a query would select
// every series without a pod label: no pods is a failure and no query runs.
TEST(Analysis, NoPodsToAnalyzeFailsWithoutQuerying) {
  const std::vector<SloCheck> checks{check({}, 0.1, OnNoData::Pass, kRatio)};
  const AnalysisTarget none{"trading", "engine", {}, {"engine-a"}};
  EXPECT_TRUE(controller::queries_for(checks, none).empty());
  Answers a;
  a.emplace(policies::render_query(checks[0].query, {none.ns, none.workload, {}}),
            answer(series({0.05})));
  a.emplace(policies::render_query(checks[0].query, {none.ns, none.workload, none.baseline_pods}),
            answer(series({0.05})));
  const auto v = controller::analyze(checks, none, a);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.checks.at(0).outcome, CheckOutcome::Fail);
  EXPECT_NE(v.checks.at(0).reason.find("no pods to analyze"), std::string::npos)
      << v.checks.at(0).reason;
}

// A 'success' answer with warnings may hold partial data: the check fails
// and names the warning. Infos are reported and do not fail it.
TEST(Analysis, AWarningFailsTheCheckAnInfoDoesNot) {
  const std::vector<SloCheck> checks{check({}, 0.1)};
  const auto query = policies::render_query(checks[0].query, {"trading", "engine", kPromoted.pods});
  QueryResult r;
  r.samples.push_back(Sample{{}, 0.05});
  r.infos.push_back("PromQL info: metric might not be a counter");
  Answers a;
  a.emplace(query, r);
  const auto ok = controller::analyze(checks, kPromoted, a);
  EXPECT_TRUE(ok.passed) << ok.checks.at(0).reason;
  EXPECT_EQ(ok.checks.at(0).infos, r.infos);
  r.warnings.push_back("partial response: store down");
  a.clear();
  a.emplace(query, r);
  const auto v = controller::analyze(checks, kPromoted, a);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.checks.at(0).outcome, CheckOutcome::Fail);
  EXPECT_NE(v.checks.at(0).reason.find("Prometheus warning: partial response: store down"),
            std::string::npos)
      << v.checks.at(0).reason;
}

TEST(Analysis, AMissingAnswerFailsTheCheck) {
  const std::vector<SloCheck> checks{check({}, 0.1, OnNoData::Pass)};
  const auto v = controller::analyze(checks, kPromoted, {});
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.checks.at(0).outcome, CheckOutcome::Fail);
}

TEST(Analysis, OneFailedCheckFailsTheAnalysisAndSkipsDoNotCount) {
  SloCheck ok = check({}, 1);
  SloCheck skip = check({}, 1, OnNoData::Skip);
  skip.name = "skip";
  skip.query = "other";
  std::vector<SloCheck> checks{ok, skip};
  Answers a;
  a.emplace("q{pod=~\"engine-a|engine-b\"}", answer(series({0.5})));
  a.emplace("other", answer(empty()));
  EXPECT_TRUE(controller::analyze(checks, kPromoted, a).passed);
  a.erase("other");
  a.emplace("other", answer(series({2})));
  EXPECT_FALSE(controller::analyze(checks, kPromoted, a).passed);
}

// Nothing judged is no evidence: all-skipped (or no checks) is not a pass.
TEST(Analysis, AllChecksSkippedIsInconclusiveNotAPass) {
  SloCheck a = check({}, 1, OnNoData::Skip);
  SloCheck b = check({}, 1, OnNoData::Skip);
  b.name = "other";
  b.query = "other";
  const std::vector<SloCheck> checks{a, b};
  Answers ans;
  ans.emplace("q{pod=~\"engine-a|engine-b\"}", answer(empty()));
  ans.emplace("other", answer(empty()));
  const auto v = controller::analyze(checks, kPromoted, ans);
  EXPECT_EQ(v.checks.at(0).outcome, CheckOutcome::Skip);
  EXPECT_EQ(v.checks.at(1).outcome, CheckOutcome::Skip);
  EXPECT_FALSE(v.passed);
  EXPECT_TRUE(v.inconclusive);
  const auto none = controller::analyze({}, kPromoted, {});
  EXPECT_FALSE(none.passed);
  EXPECT_TRUE(none.inconclusive);
}

// A pod name that tries to close the string and add PromQL of its own stays
// inside the quoted regex: the rendered text has exactly one string literal,
// whose decoded content is the escaped regex.
TEST(Analysis, HostilePodNamesStayInsideTheirStringLiteral) {
  const std::vector<std::string> hostile{"a\"}) or vector(1) #", "b|.*", "c\\\"d", "e{{pods}}"};
  const std::string rendered =
      policies::render_query("max(x{pod=~\"{{pods}}\"})", {"ns", "w", hostile});
  // Scan PromQL double-quoted literals (backslash escapes the next character).
  std::vector<std::string> literals;
  std::string outside;
  for (std::size_t i = 0; i < rendered.size(); ++i) {
    if (rendered[i] != '"') {
      outside += rendered[i];
      continue;
    }
    std::string lit;
    for (++i; i < rendered.size() && rendered[i] != '"'; ++i) {
      if (rendered[i] == '\\') ++i;
      if (i < rendered.size()) lit += rendered[i];
    }
    literals.push_back(lit);
  }
  EXPECT_EQ(outside, "max(x{pod=~})");
  ASSERT_EQ(literals.size(), 1U);
  // The regex alternation has exactly the four pods, each fully escaped.
  EXPECT_EQ(literals[0], R"x(a"\}\) or vector\(1\) #|b\|\.\*|c\\"d|e\{\{pods\}\})x");
}

TEST(BaselineLimits, Formula) {
  EXPECT_DOUBLE_EQ(policies::baseline_limit_high({1.25, 0.005}, 0.1), 0.125);
  EXPECT_DOUBLE_EQ(policies::baseline_limit_high({1.25, 0.005}, 0.01), 0.015);
  EXPECT_DOUBLE_EQ(policies::baseline_limit_low({1.25, 0.005}, 100), 80);
  EXPECT_DOUBLE_EQ(policies::baseline_limit_low({1.25, 50}, 100), 50);
  EXPECT_DOUBLE_EQ(policies::baseline_limit_high({2, 0}, -4), 0);  // |b| * (ratio - 1) = 4
  EXPECT_EQ(policies::baseline_limit_high({2, 0}, kInf), kInf);
  // An infinite baseline allows exactly itself (not NaN from -inf + inf).
  EXPECT_EQ(policies::baseline_limit_high({1.25, 0.1}, -kInf), -kInf);
  EXPECT_EQ(policies::baseline_limit_low({1.25, 0.1}, kInf), kInf);
}

}  // namespace
