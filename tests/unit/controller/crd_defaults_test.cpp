// The CRD's defaults and the policies/ model's defaults must be the same:
// applies the schema's defaults to an empty spec the way the apiserver does
// (structural defaulting) and checks the result against the model. Also
// catches a CRD field the parser does not know (it would be "unknown").
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "controller/yaml_json.h"
#include "policies/policy_json.h"

namespace {

using nlohmann::json;

json load_crd(const char* file) {
  std::ifstream in(std::filesystem::path(RIGHTSIZER_SOURCE_DIR) / "crds" / file);
  std::ostringstream text;
  text << in.rdbuf();
  auto docs = controller::yaml_to_json(text.str());
  EXPECT_TRUE(docs.ok());
  return docs.ok() && !docs->empty() ? (*docs)[0] : json();
}

// Structural defaulting: absent properties with a default get it, then recurse.
void apply_defaults(const json& schema, json& value) {
  if (value.is_object() && schema.contains("properties")) {
    for (const auto& [name, prop] : schema["properties"].items()) {
      if (!value.contains(name) && prop.contains("default")) value[name] = prop["default"];
      if (value.contains(name)) apply_defaults(prop, value[name]);
    }
  }
  if (value.is_array() && schema.contains("items"))
    for (auto& item : value) apply_defaults(schema["items"], item);
}

std::string describe(const policies::RightsizePolicySpec& s) {
  std::ostringstream o;
  o << int(s.mode) << ' ' << s.cpu.percentile << ' ' << s.cpu.target_utilization << ' '
    << s.cpu.min_millicores << ' ' << s.cpu.max_millicores << ' ' << s.cpu.round_to_millicores
    << ' ' << s.memory.percentile << ' ' << s.memory.target_utilization << ' ' << s.memory.min_bytes
    << ' ' << s.memory.max_bytes << ' ' << s.memory.round_to_bytes << ' ' << s.memory.oom_bump_ratio
    << ' ' << int(s.limits) << ' ' << s.history.half_life.count() << ' '
    << s.history.min_observation.count() << ' ' << s.history.bootstrap_from_prometheus.count()
    << ' ' << s.rollout.max_step_down << ' ' << s.rollout.min_change << ' '
    << s.rollout.canary_replicas << ' ' << s.rollout.analysis_interval.count() << ' '
    << s.rollout.successful_checks << ' ' << s.rollout.failure_threshold << ' '
    << s.rollout.post_promotion_checks << ' ' << s.rollout.progress_deadline.count() << ' '
    << s.rollout.cooldown.count() << ' ' << int(s.rollout.increases) << ' '
    << s.rollout.allow_hpa_conflict << ' ' << s.rollout.allow_git_ops << ' '
    << s.rollout.blackout_windows.size() << ' ' << s.slos.prometheus.address << ' '
    << s.slos.prometheus.timeout.count() << ' ' << s.slos.checks.size() << ' '
    << s.pricing.prices.cpu_core_month.micro << ' ' << s.pricing.prices.memory_gib_month.micro
    << ' ' << s.pricing.currency;
  for (const auto& w : s.rollout.blackout_windows)
    o << " window " << int(w.days) << ' ' << w.start.count() << ' ' << w.end.count() << ' '
      << w.time_zone;
  for (const auto& c : s.slos.checks) o << " check " << c.name << ' ' << int(c.on_no_data);
  return o.str();
}

const json& spec_schema() {
  static const json crd = load_crd("rightsizepolicies.yaml");
  return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"];
}

json defaulted_object(json spec) {
  apply_defaults(spec_schema(), spec);
  return {{"apiVersion", "rightsizer.io/v1alpha1"},
          {"kind", "RightsizePolicy"},
          {"metadata", {{"name", "p"}}},
          {"spec", spec}};
}

TEST(CrdDefaults, EmptySpecDefaultsLikeTheModel) {
  const auto parsed = policies::parse_policy_object(defaulted_object(json::object()));
  ASSERT_TRUE(parsed.valid()) << policies::to_string(parsed.problems.front());
  EXPECT_EQ(describe(parsed.spec), describe(policies::RightsizePolicySpec{}));
}

TEST(CrdDefaults, ListItemsDefaultLikeTheModel) {
  const auto parsed = policies::parse_policy_object(defaulted_object(json::parse(R"({
      "rollout": {"blackoutWindows": [{"start": "09:25", "end": "16:05"}]},
      "slos": {"checks": [{"name": "a", "query": "up", "max": 1}]}})")));
  ASSERT_TRUE(parsed.valid()) << policies::to_string(parsed.problems.front());
  policies::RightsizePolicySpec model;
  model.rollout.blackout_windows.push_back(
      {policies::kAllWeekdays, std::chrono::minutes(565), std::chrono::minutes(965), "UTC"});
  model.slos.checks.push_back({"a", "up", {}, 1.0, policies::OnNoData::Fail});
  EXPECT_EQ(describe(parsed.spec), describe(model));
}

TEST(CrdDefaults, BothCrdsHaveShortNamesCategoryAndStatus) {
  for (const auto& [file, short_name] :
       {std::pair{"rightsizepolicies.yaml", "rsp"}, std::pair{"rightsizings.yaml", "rsz"}}) {
    const json crd = load_crd(file);
    EXPECT_EQ(crd["spec"]["names"]["shortNames"], json::array({short_name})) << file;
    EXPECT_EQ(crd["spec"]["names"]["categories"], json::array({"rightsizer"})) << file;
    EXPECT_EQ(crd["spec"]["scope"], "Namespaced") << file;
    const json& version = crd["spec"]["versions"][0];
    EXPECT_EQ(version["name"], "v1alpha1");
    EXPECT_TRUE(version["subresources"].contains("status")) << file;
    EXPECT_GE(version["additionalPrinterColumns"].size(), 5U) << file;
  }
}

}  // namespace
