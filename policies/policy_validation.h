#pragma once
// Semantic validation of a RightsizePolicy spec: the same rules as the CRD's
// schema and CEL validations, re-checked here so that a policy which slipped
// past an older CRD (or was written straight to etcd) is refused and causes
// no action. Returns every problem, with field paths under `path`.
#include <string>

#include "policies/policy.h"
#include "policies/problem.h"

namespace policies {

Problems validate(const RightsizePolicySpec& spec, const std::string& path = "spec");

}  // namespace policies
