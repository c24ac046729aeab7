// slos.checks[].baseline in the policies/ model: parsing, validation, and the
// CRD's defaults equal to the model's.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "controller/yaml_json.h"
#include "policies/policy_json.h"
#include "policies/policy_validation.h"

namespace {

using nlohmann::json;

// A baseline needs a query over {{pods}}, so the default query has one.
policies::ParsedPolicy parse_with_check(const std::string& check_fields,
                                        const std::string& query = R"(up{pod=~\"{{pods}}\"})") {
  const auto spec = json::parse(R"({"slos": {"checks": [{"name": "lat", "query": ")" + query +
                                R"(", "max": 1)" + check_fields + "}]}}");
  auto parsed = policies::parse_policy_spec(spec);
  for (auto& p : policies::validate(parsed.spec)) parsed.problems.push_back(p);
  return parsed;
}

std::string paths(const policies::Problems& problems) {
  std::string out;
  for (const auto& p : problems) out += p.path + ": " + p.message + "\n";
  return out;
}

TEST(SloBaselinePolicy, AbsentMeansNoBaseline) {
  auto p = parse_with_check("");
  ASSERT_TRUE(p.valid()) << paths(p.problems);
  EXPECT_FALSE(p.spec.slos.checks.at(0).baseline.has_value());
}

TEST(SloBaselinePolicy, ParsesDecimalStrings) {
  auto p = parse_with_check(R"(, "baseline": {"maxRatio": "1.25", "maxDelta": "0.005"})");
  ASSERT_TRUE(p.valid()) << paths(p.problems);
  const auto& b = p.spec.slos.checks.at(0).baseline;
  ASSERT_TRUE(b.has_value());
  EXPECT_DOUBLE_EQ(b->max_ratio, 1.25);
  EXPECT_DOUBLE_EQ(b->max_delta, 0.005);
}

TEST(SloBaselinePolicy, EmptyBaselineTakesTheDefaults) {
  auto p = parse_with_check(R"(, "baseline": {})");
  ASSERT_TRUE(p.valid()) << paths(p.problems);
  EXPECT_DOUBLE_EQ(p.spec.slos.checks.at(0).baseline->max_ratio, 1.0);
  EXPECT_DOUBLE_EQ(p.spec.slos.checks.at(0).baseline->max_delta, 0.0);
}

struct BrokenBaseline {
  const char* name;
  const char* fields;
  const char* path;
  const char* query = R"(up{pod=~\"{{pods}}\"})";
};

class BrokenBaselines : public testing::TestWithParam<BrokenBaseline> {};

TEST_P(BrokenBaselines, NameTheField) {
  auto p = parse_with_check(GetParam().fields, GetParam().query);
  EXPECT_FALSE(p.valid());
  EXPECT_NE(paths(p.problems).find(GetParam().path), std::string::npos) << paths(p.problems);
}

INSTANTIATE_TEST_SUITE_P(
    Table, BrokenBaselines,
    testing::Values(
        BrokenBaseline{"RatioBelowOne", R"(, "baseline": {"maxRatio": "0.9"})",
                       "spec.slos.checks[0].baseline.maxRatio: must be between 1 and 100"},
        BrokenBaseline{"RatioAbove100", R"(, "baseline": {"maxRatio": "101"})",
                       "spec.slos.checks[0].baseline.maxRatio"},
        BrokenBaseline{"RatioAsNumber", R"(, "baseline": {"maxRatio": 1.25})",
                       "spec.slos.checks[0].baseline.maxRatio: must be a string"},
        BrokenBaseline{"RatioNotDecimal", R"(, "baseline": {"maxRatio": "1.2.5"})",
                       "spec.slos.checks[0].baseline.maxRatio: must be a decimal string"},
        BrokenBaseline{"NegativeDelta", R"(, "baseline": {"maxDelta": "-0.1"})",
                       "spec.slos.checks[0].baseline.maxDelta"},
        BrokenBaseline{"Exponent", R"(, "baseline": {"maxDelta": "1e-3"})",
                       "spec.slos.checks[0].baseline.maxDelta"},
        BrokenBaseline{"UnknownField", R"(, "baseline": {"ratio": "1.2"})",
                       "spec.slos.checks[0].baseline.ratio"},
        BrokenBaseline{"NotAnObject", R"(, "baseline": "1.25")", "spec.slos.checks[0].baseline"},
        // Without {{pods}} both sides render the same query: the canary would
        // be compared with itself and always pass.
        BrokenBaseline{"BaselineWithoutPods", R"(, "baseline": {"maxRatio": "1.25"})",
                       "spec.slos.checks[0].baseline: needs a query that uses {{pods}}", "up"}),
    [](const auto& info) { return std::string(info.param.name); });

struct DecimalCase {
  const char* text;
  std::optional<double> value;
};

class DecimalText : public testing::TestWithParam<DecimalCase> {};

TEST_P(DecimalText, Parse) {
  EXPECT_EQ(policies::parse_decimal_text(GetParam().text), GetParam().value) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, DecimalText,
    testing::Values(DecimalCase{"1", 1.0}, DecimalCase{"1.25", 1.25}, DecimalCase{"0.005", 0.005},
                    DecimalCase{"999999.999999", 999999.999999}, DecimalCase{"", std::nullopt},
                    DecimalCase{".5", std::nullopt}, DecimalCase{"1.", std::nullopt},
                    DecimalCase{"1234567", std::nullopt}, DecimalCase{"1.1234567", std::nullopt},
                    DecimalCase{"+1", std::nullopt}, DecimalCase{"-1", std::nullopt},
                    DecimalCase{"1e3", std::nullopt}, DecimalCase{"NaN", std::nullopt},
                    DecimalCase{" 1", std::nullopt}));

// The CRD's defaults for baseline parse to the model's defaults.
TEST(SloBaselinePolicy, CrdDefaultsEqualTheModel) {
  std::ifstream in(std::filesystem::path(RIGHTSIZER_SOURCE_DIR) / "crds" /
                   "rightsizepolicies.yaml");
  std::ostringstream text;
  text << in.rdbuf();
  auto docs = controller::yaml_to_json(text.str());
  ASSERT_TRUE(docs.ok());
  const json& baseline =
      (*docs)[0]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
             ["properties"]["slos"]["properties"]["checks"]["items"]["properties"]["baseline"];
  ASSERT_TRUE(baseline.is_object());
  const policies::SloBaseline model;
  const auto& props = baseline["properties"];
  EXPECT_EQ(policies::parse_decimal_text(props["maxRatio"]["default"].get<std::string>()),
            model.max_ratio);
  EXPECT_EQ(policies::parse_decimal_text(props["maxDelta"]["default"].get<std::string>()),
            model.max_delta);
}

}  // namespace
