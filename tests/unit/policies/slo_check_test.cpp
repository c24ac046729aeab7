#include "policies/slo_check.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

struct TemplateCase {
  const char* query;
  std::size_t problems;
};

class QueryTemplate : public testing::TestWithParam<TemplateCase> {};

TEST_P(QueryTemplate, OnlyTheThreeVariables) {
  EXPECT_EQ(policies::check_query_template(GetParam().query, "q").size(), GetParam().problems)
      << GetParam().query;
}

INSTANTIATE_TEST_SUITE_P(
    Table, QueryTemplate,
    testing::Values(TemplateCase{"up", 0}, TemplateCase{"x{namespace=\"{{namespace}}\"}", 0},
                    TemplateCase{"x{a=\"{{namespace}}\",b=\"{{workload}}\",c=~\"{{pods}}\"}", 0},
                    TemplateCase{"{{pod}}", 1}, TemplateCase{"{{ namespace }}", 1},
                    TemplateCase{"{{}}", 1}, TemplateCase{"{{namespace}} {{node}} {{x}}", 2},
                    TemplateCase{"x {{namespace", 1}, TemplateCase{"{x{namespace}}", 0},
                    TemplateCase{"{{Namespace}}", 1}));

TEST(Render, SubstitutesEscapedValues) {
  const policies::TemplateValues v{"trading", "news.processor", {"news.processor-abc", "canary-0"}};
  EXPECT_EQ(policies::render_query(
                "m{namespace=\"{{namespace}}\",w=\"{{workload}}\",pod=~\"{{pods}}\"}", v),
            "m{namespace=\"trading\",w=\"news\\\\.processor\",pod=~\"news\\\\.processor-abc|"
            "canary-0\"}");
}

TEST(Render, EmptyPodListMatchesNothing) {
  EXPECT_EQ(policies::render_query("{{pods}}", {}), "$^");
}

TEST(Render, EscapesEveryMetacharacterAndQuotes) {
  EXPECT_EQ(policies::escape_for_promql_regex("a.b*c"), "a\\\\.b\\\\*c");
  EXPECT_EQ(policies::escape_for_promql_regex("(x|y)"), "\\\\(x\\\\|y\\\\)");
  EXPECT_EQ(policies::escape_for_promql_regex("q\""), "q\\\"");
  EXPECT_EQ(policies::escape_for_promql_regex("back\\slash"), "back\\\\\\\\slash");
  EXPECT_EQ(policies::escape_for_promql_regex("plain-name-0"), "plain-name-0");
}

struct EvalCase {
  std::optional<double> min, max;
  policies::OnNoData on_no_data;
  std::optional<double> value;
  policies::CheckOutcome outcome;
};

class Evaluate : public testing::TestWithParam<EvalCase> {};

TEST_P(Evaluate, Table) {
  const auto& c = GetParam();
  const policies::SloCheck check{"c", "q", c.min, c.max, c.on_no_data};
  EXPECT_EQ(policies::evaluate(check, c.value), c.outcome);
}

using policies::CheckOutcome;
using policies::OnNoData;
INSTANTIATE_TEST_SUITE_P(
    Table, Evaluate,
    testing::Values(EvalCase{{}, 0.1, OnNoData::Fail, 0.05, CheckOutcome::Pass},
                    EvalCase{{}, 0.1, OnNoData::Fail, 0.1, CheckOutcome::Pass},
                    EvalCase{{}, 0.1, OnNoData::Fail, 0.11, CheckOutcome::Fail},
                    EvalCase{1.0, {}, OnNoData::Fail, 0.5, CheckOutcome::Fail},
                    EvalCase{1.0, 2.0, OnNoData::Fail, 1.5, CheckOutcome::Pass},
                    EvalCase{{}, 0.1, OnNoData::Fail, std::nullopt, CheckOutcome::Fail},
                    EvalCase{{}, 0.1, OnNoData::Pass, std::nullopt, CheckOutcome::Pass},
                    EvalCase{{}, 0.1, OnNoData::Skip, std::nullopt, CheckOutcome::Skip},
                    EvalCase{{}, 0.1, OnNoData::Pass, std::nan(""), CheckOutcome::Fail}));

}  // namespace
