#pragma once
// Fixed Rightsizings for the FinOps report tests: the analysis's trading desk
// (six components, 16 cores / 15684Mi at $285.95 → 2 cores / 16742Mi at
// $79.05, 1.184 cores of p50 demand, 13394Mi of peak memory), written as the
// operator writes their status. Costs at the default prices ($15 per core,
// $3 per GiB = 75/256 ¢ per Mi), rounded once per workload.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "controller/cluster_objects.h"

namespace controller::testing {

struct Component {
  std::string name;
  std::string cpu_before, memory_before, cpu_after, memory_after;  // requests
  std::string cpu_p50, memory_peak;
  std::string cost_before, cost_after;  // monthly, hand-computed
};

// cpu: 4 + 4 + 4×2 = 16 cores → 0.5 + 0.5 + 4×0.25 = 2 cores;
// memory: 2884 + 5×2560 = 15684Mi → 2662 + 5×2816 = 16742Mi;
// p50: 300+250+200+180+154+100 = 1184m; memory peak: 2229 + 5×2233 = 13394Mi.
// engine: 60.00 + 2884×75/256 (8.4492) = 68.4492 → 68.45;  7.50 + 2662×75/256 (7.7988) → 15.30
// market-data: 60.00 + 7.50 = 67.50 → 7.50 + 8.25 = 15.75;  others: 37.50 → 12.00
// before: 68.45 + 67.50 + 4×37.50 = 285.95;  after: 15.30 + 15.75 + 4×12.00 = 79.05.
inline std::vector<Component> seed_desk() {
  return {
      {"trading-engine", "4", "2884Mi", "500m", "2662Mi", "300m", "2229Mi", "68.45", "15.30"},
      {"market-data", "4", "2560Mi", "500m", "2816Mi", "250m", "2233Mi", "67.50", "15.75"},
      {"news-processor", "2", "2560Mi", "250m", "2816Mi", "200m", "2233Mi", "37.50", "12.00"},
      {"sentiment-analyzer", "2", "2560Mi", "250m", "2816Mi", "180m", "2233Mi", "37.50", "12.00"},
      {"guardian", "2", "2560Mi", "250m", "2816Mi", "154m", "2233Mi", "37.50", "12.00"},
      {"order-router", "2", "2560Mi", "250m", "2816Mi", "100m", "2233Mi", "37.50", "12.00"},
  };
}

inline policies::StatusResources requests(const std::string& cpu, const std::string& memory) {
  return policies::StatusResources{policies::ResourceList{cpu, memory}, std::nullopt};
}

// The component as Recommended: running at its old size, the target recommended.
inline RightsizingObject recommended(const Component& c, const std::string& ns = "trading") {
  RightsizingObject r;
  r.namespace_name = ns;
  r.name = "deployment-" + c.name;
  r.target = WorkloadRef{WorkloadKind::Deployment, ns, c.name};
  r.status.phase = policies::RightsizingPhase::Recommended;
  r.status.replicas = 1;
  policies::ContainerStatus app;
  app.name = "app";
  app.current = requests(c.cpu_before, c.memory_before);
  app.recommended = requests(c.cpu_after, c.memory_after);
  app.usage = policies::UsageFigures{};
  app.usage->cpu_p50 = c.cpu_p50;
  app.usage->memory_peak = c.memory_peak;
  if (c.name == "trading-engine") {  // one with every figure, for the charts
    app.usage->cpu_p95 = "450m";
    app.usage->cpu_peak = "700m";
  }
  r.status.containers = {app};
  const auto savings = [&] {
    // Savings text as the operator formats it; the fixtures' differences are exact.
    const auto cents = [](const std::string& s) {
      return std::stoll(s.substr(0, s.find('.'))) * 100 + std::stoll(s.substr(s.find('.') + 1));
    };
    const long long d = cents(c.cost_before) - cents(c.cost_after);
    std::string frac = std::to_string(d % 100);
    return std::to_string(d / 100) + "." + (frac.size() < 2 ? "0" : "") + frac;
  }();
  r.status.monthly_cost =
      policies::MonthlyCostText{c.cost_before, c.cost_after, savings, "USD", std::nullopt};
  return r;
}

// The component once rolled out: running at the target, its original size
// kept, the savings realised.
inline RightsizingObject rightsized(const Component& c) {
  RightsizingObject r = recommended(c);
  r.status.phase = policies::RightsizingPhase::Rightsized;
  auto& app = r.status.containers.front();
  app.original = app.current;
  app.current = app.recommended;
  auto& cost = *r.status.monthly_cost;
  cost.realized = cost.savings;
  cost.current = cost.target;
  cost.savings = "0.00";
  return r;
}

inline std::vector<RightsizingObject> seed_desk_recommended() {
  std::vector<RightsizingObject> out;
  for (const auto& c : seed_desk()) out.push_back(recommended(c));
  return out;
}

// The objects as the apiserver lists them (`kubectl get rsz -A -o json`).
inline nlohmann::json as_list(const std::vector<RightsizingObject>& items) {
  nlohmann::json list{{"apiVersion", "v1"}, {"kind", "List"}, {"items", nlohmann::json::array()}};
  for (const auto& r : items) {
    list["items"].push_back({{"apiVersion", "rightsizer.io/v1alpha1"},
                             {"kind", "Rightsizing"},
                             {"metadata", {{"name", r.name}, {"namespace", r.namespace_name}}},
                             {"spec",
                              {{"policyRef", {{"name", "demo"}}},
                               {"targetRef",
                                {{"apiVersion", "apps/v1"},
                                 {"kind", to_string(r.target->kind)},
                                 {"name", r.target->name}}}}},
                             {"status", policies::rightsizing_status_to_json(r.status)}});
  }
  return list;
}

}  // namespace controller::testing
