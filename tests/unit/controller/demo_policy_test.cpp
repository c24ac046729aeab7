// The demo's money without a cluster: the desk hack/demo deploys
// (hack/lib/demo-desk.sh, read here so that the two cannot drift apart) and
// the policies it applies (policies/examples/demo.yaml) recommend the
// analysis's sizes, $285.95 → $79.05 a month, also when the measured CPU is
// 5 % off the simulated demand either way (metrics-server's rate of kwok's
// usage, the simulator's noise).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "controller/yaml_json.h"
#include "policies/cost.h"
#include "policies/policy_json.h"
#include "policies/recommender.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
constexpr std::int64_t kMi = 1LL << 20;

struct DeskComponent {
  std::string name, policy;
  policies::Resources before;  // the seed's requests
  double demand_cores = 0;
  std::int64_t memory_bytes = 0;
};

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// DEMO_DESK's lines: "name cpu memory policy cores $((MiB << 20))", the
// seed's CPU in whole cores and memory in Mi. (No std::regex: GCC 12 warns
// inside it at -O1, which the sanitizer build treats as an error.)
std::vector<DeskComponent> desk() {
  std::istringstream text(read(fs::path(RIGHTSIZER_SOURCE_DIR) / "hack/lib/demo-desk.sh"));
  std::vector<DeskComponent> out;
  for (std::string line; std::getline(text, line);) {
    const auto open = line.find("  \"");
    const auto shift = line.find(" << 20))\"");
    if (open != 0 || shift == std::string::npos) continue;
    std::istringstream fields(line.substr(3, shift - 3));
    std::string name, cpu, memory, policy, cores, mib;
    fields >> name >> cpu >> memory >> policy >> cores >> mib;
    if (!memory.ends_with("Mi") || !mib.starts_with("$((")) continue;
    out.push_back({name,
                   policy,
                   {std::stoll(cpu) * 1000, std::stoll(memory.substr(0, memory.size() - 2)) * kMi},
                   std::stod(cores),
                   std::stoll(mib.substr(3)) * kMi});
  }
  return out;
}

std::map<std::string, policies::RightsizePolicySpec> demo_policies() {
  const auto docs = controller::yaml_to_json(
      read(fs::path(RIGHTSIZER_SOURCE_DIR) / "policies/examples/demo.yaml"));
  EXPECT_TRUE(docs.ok());
  std::map<std::string, policies::RightsizePolicySpec> out;
  if (!docs.ok()) return out;
  for (const auto& doc : *docs) {
    const auto parsed = policies::parse_policy_object(doc);
    EXPECT_TRUE(parsed.valid()) << parsed.name;
    out[parsed.name] = parsed.spec;
  }
  return out;
}

// Ten minutes of samples every 10 s (metrics-server's resolution in the
// demo's cluster) at `cpu` millicores and the component's memory.
policies::Recommendation recommend(const policies::RightsizePolicySpec& policy,
                                   const DeskComponent& c, std::int64_t cpu) {
  policies::ContainerUsage usage(
      std::chrono::duration_cast<std::chrono::seconds>(policy.history.half_life));
  const policies::Time t0{std::chrono::seconds(1'800'000'000)};
  for (int i = 0; i <= 60; ++i) usage.add_sample(t0 + i * 10s, cpu, c.memory_bytes);
  const policies::RecommendationInput in{&usage, {c.before, {}}, {}, {}, usage.last_sample()};
  return policies::recommend(policy, in);
}

// The analysis's optimized sizes (tests/unit/controller/finops_fixtures.h).
const std::map<std::string, policies::Resources> kSeedTargets = {
    {"trading-engine", {500, 2662 * kMi}}, {"market-data", {500, 2816 * kMi}},
    {"news-processor", {250, 2816 * kMi}}, {"sentiment-analyzer", {250, 2816 * kMi}},
    {"guardian", {250, 2816 * kMi}},       {"order-router", {250, 2816 * kMi}}};

TEST(DemoDesk, IsTheAnalysisDeskAt118CoresAnd85PercentMemory) {
  const auto components = desk();
  ASSERT_EQ(components.size(), 6U);
  std::int64_t cores = 0, memory = 0, used_memory = 0;
  double demand = 0;
  for (const auto& c : components) {
    EXPECT_TRUE(kSeedTargets.contains(c.name)) << c.name;
    cores += c.before.cpu_millicores;
    memory += c.before.memory_bytes;
    demand += c.demand_cores;
    used_memory += c.memory_bytes;
  }
  EXPECT_EQ(cores, 16000);
  EXPECT_EQ(memory, 15684 * kMi);  // "15.3 GB"
  EXPECT_NEAR(demand, 1.18, 0.01);
  EXPECT_NEAR(static_cast<double>(used_memory) / static_cast<double>(memory), 0.85, 0.01);
}

TEST(DemoDesk, PoliciesRecommendTheAnalysisSizesAndMoney) {
  const auto policies_by_name = demo_policies();
  const auto components = desk();
  ASSERT_EQ(components.size(), 6U);
  for (const double jitter : {0.95, 1.0, 1.05}) {
    std::int64_t before = 0, after = 0;
    for (const auto& c : components) {
      ASSERT_TRUE(policies_by_name.contains(c.policy)) << c.policy;
      const auto& policy = policies_by_name.at(c.policy);
      const auto cpu = static_cast<std::int64_t>(std::llround(c.demand_cores * 1000 * jitter));
      const auto r = recommend(policy, c, cpu);
      ASSERT_EQ(r.status, policies::RecommendationStatus::Ready) << c.name << ": " << r.reason;
      EXPECT_EQ(r.target.requests, kSeedTargets.at(c.name))
          << c.name << " at " << cpu << "m: " << r.target.requests.cpu_millicores << "m, "
          << r.target.requests.memory_bytes / kMi << "Mi";
      before += policies::monthly_cost(c.before, policy.pricing.prices).value;
      after += policies::monthly_cost(r.target.requests, policy.pricing.prices).value;
    }
    EXPECT_EQ(before, 28595) << "jitter " << jitter;
    EXPECT_EQ(after, 7905) << "jitter " << jitter;
  }
}

}  // namespace
