#pragma once
// The status a RightsizePolicy should have (DESIGN §3): a pure function of
// the policy as cached, the workloads of its namespace that name it, their
// Rightsizings and the time. No I/O.
//
//   workloads    annotated, not deleting workloads naming the policy
//   rightsized / inProgress / rolledBack   their Rightsizings by phase
//                (inProgress: Canary, Promoting, Verifying)
//   monthlyCost  sums of their Rightsizings' figures (a missing target
//                counts as the current cost: no savings claimed); realized
//                sums what their running sizes save against their originals
//   Valid        False (InvalidPolicy) with the validator's messages joined
//   Ready        True when valid and every such workload has its Rightsizing
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "controller/cluster_objects.h"
#include "policies/policy_status.h"
#include "policies/problem.h"

namespace controller {

inline constexpr std::string_view kValidCondition = "Valid";

struct PolicyStatusInput {
  const PolicyObject* policy = nullptr;                                    // required
  std::span<const std::shared_ptr<const Workload>> workloads;              // of its namespace
  std::span<const std::shared_ptr<const RightsizingObject>> rightsizings;  // of its namespace
  policies::Timestamp now{};
};

policies::PolicyStatus build_policy_status(const PolicyStatusInput& in);

// "path: message; path: message" — the validator's problems in one line.
std::string join_problems(const policies::Problems& problems);

// "285.95" / "-3.10" (policies::format_dollars) back to cents; nullopt otherwise.
std::optional<policies::Cents> parse_dollars(std::string_view text);

}  // namespace controller
