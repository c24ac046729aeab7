// The status models against the CRDs themselves: a status that sets every
// field of the CRD's status schema survives a round trip unchanged, so a
// field added to the CRD without the model fails here.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "controller/yaml_json.h"
#include "policies/policy_status.h"
#include "policies/rightsizing_status.h"

namespace {

using nlohmann::json;

json status_schema(const std::string& crd_file) {
  std::ifstream in(std::filesystem::path(RIGHTSIZER_SOURCE_DIR) / "crds" / crd_file);
  std::stringstream text;
  text << in.rdbuf();
  auto docs = controller::yaml_to_json(text.str());
  EXPECT_TRUE(docs.ok());
  if (!docs.ok() || docs->empty()) return {};
  return docs->front()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"];
}

// A value for `schema` that sets every property; `n` makes values distinct
// and `pick` chooses which enum value to use.
json full_example(const json& schema, int& n, std::size_t pick = 0) {
  const std::string type = schema.value("type", "");
  ++n;
  if (type == "object") {
    json o = json::object();
    for (const auto& [key, prop] : schema["properties"].items())
      o[key] = full_example(prop, n, pick);
    return o;
  }
  if (type == "array") return json::array({full_example(schema["items"], n, pick)});
  if (type == "integer") return n;
  if (schema.contains("enum")) return schema["enum"][pick % schema["enum"].size()];
  if (schema.value("format", "") == "date-time")
    return "2026-11-28T13:" + std::to_string(10 + n % 50) + ":0" + std::to_string(n % 10) + "Z";
  return "text-" + std::to_string(n);
}

// Every leaf path of a JSON value ("containers[].usage.cpuP50").
void leaf_paths(const json& v, const std::string& path, std::set<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [k, item] : v.items()) leaf_paths(item, path + "." + k, out);
  } else if (v.is_array()) {
    for (const auto& item : v) leaf_paths(item, path + "[]", out);
  } else {
    out.insert(path);
  }
}

TEST(RightsizingStatusModel, EveryFieldOfTheCrdSchemaRoundTrips) {
  const json schema = status_schema("rightsizings.yaml");
  ASSERT_TRUE(schema.is_object());
  int n = 0;
  const json full = full_example(schema, n);
  auto model = policies::rightsizing_status_from_json(full);
  ASSERT_TRUE(model.ok()) << model.error();
  const json back = policies::rightsizing_status_to_json(*model);
  EXPECT_EQ(back, full) << "diff: " << json::diff(full, back).dump(1);
  std::set<std::string> paths;
  leaf_paths(back, "status", paths);
  EXPECT_GE(paths.size(), 60U);  // the schema really was walked
}

TEST(RightsizingStatusModel, EveryEnumValueRoundTrips) {
  const json schema = status_schema("rightsizings.yaml");
  const std::size_t phases = schema["properties"]["phase"]["enum"].size();
  ASSERT_EQ(phases, 10U);
  for (std::size_t pick = 0; pick < phases; ++pick) {
    int n = 0;
    const json full = full_example(schema, n, pick);
    auto model = policies::rightsizing_status_from_json(full);
    ASSERT_TRUE(model.ok()) << model.error();
    EXPECT_EQ(policies::rightsizing_status_to_json(*model), full) << pick;
  }
}

TEST(PolicyStatusModel, EveryFieldOfTheCrdSchemaRoundTrips) {
  const json schema = status_schema("rightsizepolicies.yaml");
  ASSERT_TRUE(schema.is_object());
  for (std::size_t pick = 0; pick < 3; ++pick) {
    int n = 0;
    const json full = full_example(schema, n, pick);
    auto model = policies::policy_status_from_json(full);
    ASSERT_TRUE(model.ok()) << model.error();
    EXPECT_EQ(policies::policy_status_to_json(*model), full)
        << json::diff(full, policies::policy_status_to_json(*model)).dump(1);
  }
}

// Every key of `value` is a property of `schema` (the apiserver would prune
// the others); returns the first unknown path, or "".
std::string unknown_path(const json& value, const json& schema, const std::string& path) {
  if (value.is_object()) {
    for (const auto& [k, item] : value.items()) {
      if (!schema.contains("properties") || !schema["properties"].contains(k))
        return path + "." + k;
      if (auto bad = unknown_path(item, schema["properties"][k], path + "." + k); !bad.empty())
        return bad;
    }
  } else if (value.is_array()) {
    for (const auto& item : value)
      if (auto bad = unknown_path(item, schema["items"], path + "[]"); !bad.empty()) return bad;
  }
  return "";
}

// The fields the rollout writes (issue 11) are in the schema, so they
// survive the apiserver, and read back as written.
TEST(RightsizingStatusModel, RolloutFieldsAreInTheSchemaAndRoundTrip) {
  policies::RightsizingStatus s;
  policies::ContainerStatus c;
  c.name = "app";
  c.original = policies::StatusResources{policies::ResourceList{"16", "32Gi"},
                                         policies::ResourceList{"16", "32Gi"}};
  c.floor = policies::ResourceList{"8", "16Gi"};
  s.containers.push_back(c);
  policies::CanaryStatus canary;
  canary.pods = {"web-rightsizer-canary-x"};
  canary.baseline_pods = {"web-0", "web-1"};
  canary.step = "rs-0123456789abcdef";
  canary.effective_at = policies::Timestamp{std::chrono::seconds{1'790'000'000}};
  canary.last_analysis_at = policies::Timestamp{std::chrono::seconds{1'790'000'060}};
  canary.not_effective_since = policies::Timestamp{std::chrono::seconds{1'790'000'120}};
  s.canary = canary;
  policies::LastRollback rb;
  rb.baseline = "0.12";
  s.last_rollback = rb;
  s.monthly_cost = policies::MonthlyCostText{"10.00", "5.00", "5.00", "USD", "2.50"};
  const json j = policies::rightsizing_status_to_json(s);
  EXPECT_EQ(j["containers"][0]["floor"], json::parse(R"({"cpu": "8", "memory": "16Gi"})"));
  EXPECT_EQ(j["canary"]["baselinePods"], json::parse(R"(["web-0", "web-1"])"));
  EXPECT_EQ(j["canary"]["step"], "rs-0123456789abcdef");
  EXPECT_EQ(j["canary"]["effectiveAt"], "2026-09-21T14:13:20Z");
  EXPECT_EQ(j["canary"]["notEffectiveSince"], "2026-09-21T14:15:20Z");
  EXPECT_EQ(j["lastRollback"]["baseline"], "0.12");
  EXPECT_EQ(j["monthlyCost"]["realized"], "2.50");
  EXPECT_EQ(unknown_path(j, status_schema("rightsizings.yaml"), "status"), "");
  auto back = policies::rightsizing_status_from_json(j);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);

  policies::PolicyStatus p;
  p.monthly_cost = policies::PolicyMonthlyCost{"10.00", "5.00", "5.00", "2.50"};
  const json pj = policies::policy_status_to_json(p);
  EXPECT_EQ(pj["monthlyCost"]["realized"], "2.50");
  EXPECT_EQ(unknown_path(pj, status_schema("rightsizepolicies.yaml"), "status"), "");
  auto pback = policies::policy_status_from_json(pj);
  ASSERT_TRUE(pback.ok()) << pback.error();
  EXPECT_EQ(*pback, p);
}

TEST(RightsizingStatusModel, UnknownFieldsArePrunedAndNullIsAbsent) {
  const json in = json::parse(R"({
    "phase": "Observing", "futureField": {"a": 1}, "replicas": null,
    "containers": [{"name": "app", "extra": true, "usage": {"samples": 3, "nope": "x"}}],
    "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-02T03:04:05Z",
                    "reason": "Observing", "message": "", "severity": "high"}]
  })");
  auto model = policies::rightsizing_status_from_json(in);
  ASSERT_TRUE(model.ok()) << model.error();
  EXPECT_FALSE(model->replicas);
  EXPECT_EQ(policies::rightsizing_status_to_json(*model), json::parse(R"({
    "phase": "Observing",
    "containers": [{"name": "app", "usage": {"samples": 3}}],
    "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-02T03:04:05Z",
                    "reason": "Observing", "message": ""}]
  })"));
  EXPECT_TRUE(policies::rightsizing_status_from_json(json()).ok());
  EXPECT_EQ(policies::rightsizing_status_to_json({}), json::object());
}

struct Refused {
  const char* status;
  const char* error;  // expected in the message
};

class RightsizingStatusRefuses : public testing::TestWithParam<Refused> {};

TEST_P(RightsizingStatusRefuses, WhatTheApiserverWouldRefuse) {
  auto model = policies::rightsizing_status_from_json(json::parse(GetParam().status));
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.error().find(GetParam().error), std::string::npos) << model.error();
}

INSTANTIATE_TEST_SUITE_P(
    Table, RightsizingStatusRefuses,
    testing::Values(
        Refused{R"([])", "status: must be an object"},
        Refused{R"({"phase": "Sleeping"})", "status.phase: unsupported value \"Sleeping\""},
        Refused{R"({"phase": 3})", "status.phase: must be a string"},
        Refused{R"({"replicas": "3"})", "status.replicas: must be an integer"},
        Refused{R"({"replicas": 1.5})", "status.replicas: must be an integer"},
        Refused{R"({"replicas": 4294967296})", "status.replicas: is out of range"},
        Refused{R"({"containers": {}})", "status.containers: must be a list"},
        Refused{R"({"containers": [{}]})", "status.containers[0].name: is required"},
        Refused{R"({"containers": [{"name": "a"}, 3]})", "status.containers[1]: must be an object"},
        Refused{R"({"containers": [{"name": "a", "usage": {"observedSince": "yesterday"}}]})",
                "status.containers[0].usage.observedSince: \"yesterday\" is not an RFC 3339"},
        Refused{R"({"canary": {"pods": [1]}})", "status.canary.pods: must be a list of strings"},
        Refused{R"({"canary": {"lastChecks": [{"name": "x", "result": "Maybe"}]}})",
                "status.canary.lastChecks[0].result"},
        Refused{R"({"history": [{"to": "Observing"}]})", "status.history[0].time: is required"},
        Refused{R"({"history": [{"time": "2026-01-02T03:04:05Z"}]})",
                "status.history[0].to: is required"},
        Refused{R"({"conditions": [{"type": "Ready", "lastTransitionTime": "2026-01-02T03:04:05Z",
                    "reason": "r", "message": ""}]})",
                "status.conditions[0].status: is required"},
        Refused{R"({"conditions": [{"type": "Ready", "status": "Yes", "reason": "r",
                    "message": "", "lastTransitionTime": "2026-01-02T03:04:05Z"}]})",
                "status.conditions[0].status: unsupported value"},
        Refused{R"({"conditions": [{"type": "Ready", "status": "True", "reason": "r",
                    "message": ""}]})",
                "status.conditions[0].lastTransitionTime: is required"},
        Refused{R"({"monthlyCost": "12.00"})", "status.monthlyCost: must be an object"}));

TEST(RightsizingStatusModel, HistoryKeepsTheLastTen) {
  policies::RightsizingStatus s;
  for (int i = 0; i < 13; ++i) {
    policies::record_transition(
        s, {policies::Timestamp(std::chrono::seconds(i)), std::nullopt, std::to_string(i), {}});
  }
  ASSERT_EQ(s.history.size(), 10U);
  EXPECT_EQ(s.history.front().to, "3");
  EXPECT_EQ(s.history.back().to, "12");
}

}  // namespace
