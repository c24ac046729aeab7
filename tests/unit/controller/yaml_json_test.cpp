#include "controller/yaml_json.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <string>
#include <string_view>

#include "k8s/bounded_yaml.h"
#include "k8s/config.h"

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

// "Billion laughs": 342 bytes whose aliases expand to 9^9 = 387,420,489
// strings. Refused by the node budget, not walked.
constexpr std::string_view kLaughs =
    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
    "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";

TEST(BoundedYaml, BillionLaughsIsRefused) {
  const auto docs = controller::yaml_to_json(kLaughs);
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.error().find("YAML refused: YAML expands to more than 100000 nodes"),
            std::string::npos)
      << docs.error();
}

TEST(BoundedYaml, AliasesWithinTheBudgetExpand) {
  // Three levels: 9^3 = 729 strings, well inside the budget.
  const auto docs = controller::yaml_to_json(
      "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
      "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n");
  ASSERT_TRUE(docs.ok()) << docs.error();
  EXPECT_EQ((*docs)[0]["c"][8][8][8], "x");
}

TEST(BoundedYaml, AliasesOfLongStringsAreRefused) {
  // One 1 MiB string referred to 100 times is 100 MiB of text.
  std::string yaml = "a: &a " + std::string(1 << 20, 'x') + "\nb: [";
  for (int i = 0; i < 100; ++i) yaml += "*a, ";
  yaml += "*a]\n";
  const auto docs = controller::yaml_to_json(yaml);
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.error().find("MiB of text"), std::string::npos) << docs.error();
}

TEST(BoundedYaml, DeepNestingHasAClearError) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  const auto docs = controller::yaml_to_json(deep);
  ASSERT_FALSE(docs.ok());
  // Refused by our bound on the event pass, before yaml-cpp's own guard.
  EXPECT_NE(docs.error().find("nested deeper than 100 levels"), std::string::npos) << docs.error();
  // The root is level 0: 102 brackets reach level 101, past our 100 (and
  // within yaml-cpp's own guard); 101 brackets are fine.
  const auto too_deep = controller::yaml_to_json(std::string(102, '[') + std::string(102, ']'));
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(too_deep.error().find("deeper than 100 levels"), std::string::npos) << too_deep.error();
  EXPECT_TRUE(controller::yaml_to_json(std::string(101, '[') + std::string(101, ']')).ok());
}

TEST(BoundedYaml, LargeTextIsRefusedBeforeParsing) {
  const std::string big(k8s::YamlLimits{}.max_bytes + 1, '#');
  const auto docs = controller::yaml_to_json(big);
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.error().find("more than the 2097152 allowed"), std::string::npos) << docs.error();
}

// The node bound holds on parser events, before any node is built: 2001
// items against a 1000-node budget are refused at item 1000, before the
// syntax error (an unclosed sequence) at the end that building would hit.
TEST(BoundedYaml, NodeBoundHoldsBeforeNodesAreBuilt) {
  std::string text = "[";
  for (int i = 0; i < 2000; ++i) text += "1,";
  text += "1";  // never closed
  k8s::YamlLimits limits;
  limits.max_nodes = 1000;
  try {
    k8s::load_all_yaml_bounded(text, limits);
    FAIL() << "accepted";
  } catch (const k8s::YamlLimitExceeded& e) {
    EXPECT_NE(std::string(e.what()).find("more than 1000 nodes"), std::string::npos) << e.what();
  } catch (const YAML::Exception& e) {
    FAIL() << "built the nodes first: " << e.what();
  }
}

// The worst shape at the byte limit: `[1,1,…]` of 2 MiB − 1 is 1,048,576
// nodes, past the 100,000 bound. The time is printed, not asserted.
TEST(BoundedYaml, FlatSequenceAtTheByteLimitIsRefused) {
  const std::size_t items = (k8s::YamlLimits{}.max_bytes - 1) / 2;
  std::string text = "[";
  for (std::size_t i = 1; i < items; ++i) text += "1,";
  text += "1]";
  ASSERT_LE(text.size(), k8s::YamlLimits{}.max_bytes);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(k8s::load_all_yaml_bounded(text), k8s::YamlLimitExceeded);
  std::cout << "refused " << text.size() << " bytes in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count()
            << " ms\n";
}

// The kubeconfig reader uses the same bounded loader.
TEST(BoundedYaml, KubeconfigBillionLaughsIsAClearError) {
  const std::string text = std::string(kLaughs) + "apiVersion: v1\nkind: Config\n";
  const auto cfg = k8s::parse_kubeconfig(text, "laughs.kubeconfig", "/nonexistent");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("expands to more than"), std::string::npos)
      << cfg.error().message;
}

}  // namespace
