#pragma once
// The status of a RightsizePolicy (crds/rightsizepolicies.yaml) as plain
// data, converted to and from JSON by the CRD's structural schema exactly as
// rightsizing_status.h is (unknown fields dropped, refused values an error,
// absent optionals and empty lists not written).
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policies/result.h"
#include "policies/status_conditions.h"

namespace policies {

struct PolicyMonthlyCost {
  std::optional<std::string> current, target, savings;  // "285.95"
  // The sum of the workloads' realised savings (what runs now against their
  // original sizes). Default-initialised so three-figure initialisers stay valid.
  std::optional<std::string> realized = std::nullopt;
  friend bool operator==(const PolicyMonthlyCost&, const PolicyMonthlyCost&) = default;
};

struct PolicyStatus {
  std::optional<std::int64_t> observed_generation;
  std::optional<std::int32_t> workloads, rightsized, in_progress, rolled_back;
  std::optional<PolicyMonthlyCost> monthly_cost;
  std::vector<Condition> conditions;  // Valid, Ready
  friend bool operator==(const PolicyStatus&, const PolicyStatus&) = default;
};

Result<PolicyStatus> policy_status_from_json(const nlohmann::json& status);
nlohmann::json policy_status_to_json(const PolicyStatus& status);

}  // namespace policies
