#pragma once
// The step planner (DESIGN §5): from the current size toward the target, one
// bounded step at a time. Pure functions.
//
//   |target − current| ≤ minChange × current  → no step (hysteresis), unless
//                                               an increase is urgent (OOM)
//   target < current → next = max(target, current × (1 − maxStepDown)),
//                      rounded up to roundTo (16 → 8 → 4 → 2 at 0.5)
//   target > current → next = target, in one step; a canary only when
//                      increases: Canary
//   OOM memory bump   → memory only (CPU stays), never a canary
#include <cstdint>

#include "policies/policy.h"
#include "policies/recommender.h"

namespace policies {

enum class StepDirection { None, Down, Up };

struct ResourceStep {
  StepDirection direction = StepDirection::None;
  std::int64_t value = 0;  // the size to try (== current when None)
  friend bool operator==(const ResourceStep&, const ResourceStep&) = default;
};

ResourceStep plan_resource_step(std::int64_t current, std::int64_t target,
                                const RolloutPolicy& rollout, std::int64_t round_to,
                                bool urgent_increase = false);

struct ContainerStep {
  StepDirection cpu = StepDirection::None;
  StepDirection memory = StepDirection::None;
  ContainerResources resources;  // requests and limits to apply
  bool needs_canary = false;     // any decrease, or an increase under increases: Canary;
                                 // never for an OOM bump
  bool changes() const { return cpu != StepDirection::None || memory != StepDirection::None; }
};

// Plans the next step for a container from its current resources toward a
// ready recommendation; limits follow the policy's limits mode for the step's
// requests.
ContainerStep plan_step(const RightsizePolicySpec& policy, const ContainerResources& current,
                        const Recommendation& recommendation);

}  // namespace policies
