#include "policies/policy_status.h"

#include <nlohmann/json.hpp>

#include "policies/status_json.h"

namespace policies {

using detail::put;
using detail::StatusReader;

Result<PolicyStatus> policy_status_from_json(const nlohmann::json& status) {
  PolicyStatus s;
  if (status.is_null()) return s;
  if (!status.is_object()) return make_error("status: must be an object");
  std::string error;
  StatusReader r(status, "status", error);
  r.integer("observedGeneration", s.observed_generation);
  r.integer("workloads", s.workloads);
  r.integer("rightsized", s.rightsized);
  r.integer("inProgress", s.in_progress);
  r.integer("rolledBack", s.rolled_back);
  r.object("monthlyCost", s.monthly_cost, [](StatusReader& m, PolicyMonthlyCost& cost) {
    m.string("current", cost.current);
    m.string("target", cost.target);
    m.string("savings", cost.savings);
    m.string("realized", cost.realized);
  });
  detail::read_conditions(r, s.conditions);
  if (!error.empty()) return make_error(error);
  return s;
}

nlohmann::json policy_status_to_json(const PolicyStatus& s) {
  nlohmann::json j = nlohmann::json::object();
  put(j, "observedGeneration", s.observed_generation);
  put(j, "workloads", s.workloads);
  put(j, "rightsized", s.rightsized);
  put(j, "inProgress", s.in_progress);
  put(j, "rolledBack", s.rolled_back);
  if (s.monthly_cost) {
    nlohmann::json m = nlohmann::json::object();
    put(m, "current", s.monthly_cost->current);
    put(m, "target", s.monthly_cost->target);
    put(m, "savings", s.monthly_cost->savings);
    put(m, "realized", s.monthly_cost->realized);
    j["monthlyCost"] = std::move(m);
  }
  detail::put_conditions(j, s.conditions);
  return j;
}

}  // namespace policies
