#pragma once
// RightsizePolicy from its JSON form (the API object, or a file converted to
// JSON): applies the CRD's defaults and reports every problem with its field
// path. Never throws.
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "policies/policy.h"
#include "policies/problem.h"

namespace policies {

struct ParsedPolicy {
  std::string name;  // metadata.name ("" for a bare spec)
  RightsizePolicySpec spec;
  Problems problems;  // parse and validation problems together
  bool valid() const { return problems.empty(); }
};

// A whole object: apiVersion rightsizer.io/v1alpha1, kind RightsizePolicy,
// metadata.name, spec. Validates too (policy_validation.h).
ParsedPolicy parse_policy_object(const nlohmann::json& object);

// Only the spec (paths prefixed with `path`); fields not given keep their
// defaults, wrongly typed ones are reported and keep their defaults too.
// Does not run the semantic validation.
ParsedPolicy parse_policy_spec(const nlohmann::json& spec, const std::string& path = "spec");

}  // namespace policies
