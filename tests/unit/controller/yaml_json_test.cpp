#include "controller/yaml_json.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using nlohmann::json;

struct ScalarCase {
  const char* yaml;
  json expected;
};

class YamlScalars : public testing::TestWithParam<ScalarCase> {};

TEST_P(YamlScalars, ResolveByTheCoreSchema) {
  auto docs = controller::yaml_to_json(std::string("v: ") + GetParam().yaml);
  ASSERT_TRUE(docs.ok()) << docs.error();
  ASSERT_EQ(docs->size(), 1U);
  EXPECT_EQ((*docs)[0]["v"], GetParam().expected) << GetParam().yaml;
}

INSTANTIATE_TEST_SUITE_P(
    Table, YamlScalars,
    testing::Values(
        ScalarCase{"\"15.00\"", "15.00"}, ScalarCase{"'32'", "32"}, ScalarCase{"32", 32},
        ScalarCase{"-7", -7}, ScalarCase{"0.6", 0.6}, ScalarCase{"1e3", 1000.0},
        ScalarCase{"100m", "100m"}, ScalarCase{"64Gi", "64Gi"}, ScalarCase{"true", true},
        ScalarCase{"False", false}, ScalarCase{"yes", "yes"}, ScalarCase{"on", "on"},
        ScalarCase{"~", nullptr}, ScalarCase{"null", nullptr}, ScalarCase{"", nullptr},
        ScalarCase{"0x1f", 31}, ScalarCase{"0o17", 15}, ScalarCase{"\"09:25\"", "09:25"},
        ScalarCase{"09:25", "09:25"}, ScalarCase{"!!str 12", "12"},
        ScalarCase{"18446744073709551615", json(18446744073709551615ULL)},
        ScalarCase{"America/New_York", "America/New_York"}, ScalarCase{".5", 0.5},
        ScalarCase{"1.", 1.0}, ScalarCase{"-2.5e-1", -0.25}, ScalarCase{"+3", 3},
        ScalarCase{"1e", "1e"}, ScalarCase{".", "."}, ScalarCase{"1.2.3", "1.2.3"},
        ScalarCase{"0x", "0x"}, ScalarCase{"0o8", "0o8"}, ScalarCase{"1_000", "1_000"}));

TEST(YamlJson, DocumentsListsAndMaps) {
  auto docs = controller::yaml_to_json(
      "a: [1, two, {b: c}]\n"
      "m:\n  k: v\n"
      "---\n"
      "---\n"
      "x: &anchor {y: 1}\n"
      "z: *anchor\n");
  ASSERT_TRUE(docs.ok()) << docs.error();
  ASSERT_EQ(docs->size(), 3U);
  EXPECT_EQ((*docs)[0], json::parse(R"({"a": [1, "two", {"b": "c"}], "m": {"k": "v"}})"));
  EXPECT_TRUE((*docs)[1].is_null());
  EXPECT_EQ((*docs)[2]["z"], json::parse(R"({"y": 1})"));
}

TEST(YamlJson, InfAndNan) {
  auto docs = controller::yaml_to_json("a: .inf\nb: -.inf\nc: .nan\n");
  ASSERT_TRUE(docs.ok());
  EXPECT_TRUE(std::isinf((*docs)[0]["a"].get<double>()));
  EXPECT_LT((*docs)[0]["b"].get<double>(), 0);
  EXPECT_TRUE(std::isnan((*docs)[0]["c"].get<double>()));
}

class YamlBroken : public testing::TestWithParam<const char*> {};

TEST_P(YamlBroken, IsAnErrorValue) {
  auto docs = controller::yaml_to_json(GetParam());
  EXPECT_FALSE(docs.ok());
}

INSTANTIATE_TEST_SUITE_P(Table, YamlBroken,
                         testing::Values("a: [1, 2\n", "a: b: c\n", "{a: 1\n", "[a, b]]\n",
                                         "? [a, b]\n: c\n", "a: *nothing\n"));

TEST(YamlJson, DeepNestingIsRefused) {
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_FALSE(controller::yaml_to_json(deep).ok());
}

}  // namespace
