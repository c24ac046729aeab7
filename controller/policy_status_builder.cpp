// build_policy_status (policy_status_builder.h).
#include "controller/policy_status_builder.h"

#include <algorithm>
#include <cstdint>

#include "controller/rightsizing_builder.h"
#include "policies/money.h"
#include "policies/status_conditions.h"

namespace controller {
namespace {

using policies::Condition;
using policies::ConditionStatus;
using policies::RightsizingPhase;

bool in_progress(RightsizingPhase p) {
  return p == RightsizingPhase::Canary || p == RightsizingPhase::Promoting ||
         p == RightsizingPhase::Verifying;
}

bool names_policy(const Workload& w, const PolicyObject& p) {
  return !w.deleting && w.policy == p.name && w.ref.namespace_name == p.namespace_name;
}

const RightsizingObject* rightsizing_of(const Workload& w, const PolicyStatusInput& in) {
  for (const auto& r : in.rightsizings) {
    if (r && r->target == w.ref && !r->deleting) return r.get();
  }
  return nullptr;
}

struct CostSums {
  policies::Cents current, target;
  std::optional<policies::Cents> realized;  // none until a workload realised savings
};

bool blocked(const policies::RightsizingStatus& s) {
  const auto* b = policies::find_condition(s.conditions, kBlockedCondition);
  return b != nullptr && b->status == ConditionStatus::True;
}

void add_cost(CostSums& sums, const policies::RightsizingStatus& s) {
  if (!s.monthly_cost || !s.monthly_cost->current) return;
  const auto current = parse_dollars(*s.monthly_cost->current);
  if (!current) return;
  // A blocked workload (paused, HPA conflict, ...) will not be changed: its
  // cost counts, its savings are not claimed.
  const auto target =
      s.monthly_cost->target && !blocked(s) ? parse_dollars(*s.monthly_cost->target) : std::nullopt;
  sums.current = sums.current + *current;
  sums.target = sums.target + target.value_or(*current);
}

// What is running now saves, blocked or not: realised savings are facts.
void add_realized(CostSums& sums, const policies::RightsizingStatus& s) {
  if (!s.monthly_cost || !s.monthly_cost->realized) return;
  if (const auto realized = parse_dollars(*s.monthly_cost->realized)) {
    sums.realized = sums.realized.value_or(policies::Cents{}) + *realized;
  }
}

}  // namespace

std::string join_problems(const policies::Problems& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += "; ";
    out += policies::to_string(p);
  }
  return out;
}

std::optional<policies::Cents> parse_dollars(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 15 || text.size() != dot + 3) {
    return std::nullopt;
  }
  std::int64_t cents = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == dot) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    cents = cents * 10 + (text[i] - '0');
  }
  return policies::Cents{negative ? -cents : cents};
}

policies::PolicyStatus build_policy_status(const PolicyStatusInput& in) {
  const PolicyObject& p = *in.policy;
  policies::PolicyStatus s = p.status_error.empty() ? p.status : policies::PolicyStatus{};
  std::int32_t workloads = 0, with_rightsizing = 0, rightsized = 0, progressing = 0,
               rolled_back = 0;
  CostSums sums;
  for (const auto& w : in.workloads) {
    if (!w || !names_policy(*w, p)) continue;
    ++workloads;
    const auto* r = rightsizing_of(*w, in);
    if (r == nullptr) continue;
    ++with_rightsizing;
    const auto phase = r->status.phase;
    rightsized += phase == RightsizingPhase::Rightsized;
    progressing += phase && in_progress(*phase);
    rolled_back += phase == RightsizingPhase::RolledBack;
    add_cost(sums, r->status);
    add_realized(sums, r->status);
  }
  s.observed_generation = p.generation;
  s.workloads = workloads;
  s.rightsized = rightsized;
  s.in_progress = progressing;
  s.rolled_back = rolled_back;
  s.monthly_cost = policies::PolicyMonthlyCost{
      policies::format_dollars(sums.current), policies::format_dollars(sums.target),
      policies::format_dollars(sums.current - sums.target)};
  if (sums.realized) s.monthly_cost->realized = policies::format_dollars(*sums.realized);
  const bool valid = p.parsed.valid();
  Condition v{std::string(kValidCondition),  ConditionStatus::True, p.generation, {}, "Valid",
              "the policy passed validation"};
  if (!valid) {
    v.status = ConditionStatus::False;
    v.reason = "InvalidPolicy";
    v.message = join_problems(p.parsed.problems);
  }
  policies::set_condition(s.conditions, v, in.now);
  Condition r{"Ready",      ConditionStatus::True,
              p.generation, {},
              "Reconciled", "every workload naming this policy has its Rightsizing"};
  if (!valid) {
    r.status = ConditionStatus::False;
    r.reason = "InvalidPolicy";
    r.message = "no action while the policy is invalid";
  } else if (with_rightsizing < workloads) {
    r.status = ConditionStatus::False;
    r.reason = "Pending";
    r.message = std::to_string(with_rightsizing) + " of " + std::to_string(workloads) +
                " workloads have their Rightsizing";
  }
  policies::set_condition(s.conditions, r, in.now);
  return s;
}

}  // namespace controller
