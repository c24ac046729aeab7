#pragma once
// The Rightsizing status in Auto mode, composed from the Recommend builder's
// status and the state machine's answer (pure; no I/O):
//
//   phase     the machine's when it changed it or a step is in flight;
//             otherwise (no step in flight) Paused when paused, Waiting in
//             a blackout window, Rightsized while it was and no next step is
//             wanted, else the builder's (Recommended / Observing)
//   history   one entry per phase change (the builder's own entry dropped)
//   Blocked   True with the block's reason while one holds; Ready True when
//             the phase is Recommended or Rightsized and nothing blocks
//   containers[].original  kept once set; set to the template's resources
//             when the first step starts (StartCanary or Promote)
//   monthlyCost.realized   cost(original) − cost(current), × replicas, once
//             every container has its original
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/rightsizing_builder.h"
#include "policies/rollout.h"

namespace controller {

struct AutoStatusInput {
  const policies::RightsizingStatus* old = nullptr;       // required (empty when none stored)
  const policies::RolloutState* before = nullptr;         // required
  const policies::RolloutResult* result = nullptr;        // required
  const policies::RolloutInput* input = nullptr;          // required (live sizes, block, next)
  const Workload* workload = nullptr;                     // required
  const policies::RightsizePolicySpec* policy = nullptr;  // required
  policies::Timestamp now{};
};

// `built` is the Recommend builder's status; it becomes Auto mode's.
void compose_auto_status(const AutoStatusInput& in, policies::RightsizingStatus& built);

policies::RightsizingPhase decide_phase(const AutoStatusInput& in,
                                        policies::RightsizingPhase builder_phase);

// The reason of Failed: the rollout state in the stored status does not
// parse (edited by hand, or written by a newer operator).
inline constexpr std::string_view kStatusUnreadable = "StatusUnreadable";

// Phase Failed: Blocked True and Ready False, both with `message`, each
// starting from the stored one (so a status already saying so is not
// rewritten).
void set_failed_conditions(const policies::RightsizingStatus& old, policies::RightsizingStatus& s,
                           std::int64_t generation, const std::string& message,
                           policies::Timestamp now);

// The realised monthly savings as status text; nullopt until every
// container has its original size.
std::optional<std::string> realized_savings(const policies::RightsizingStatus& status,
                                            const policies::RightsizePolicySpec& policy);

}  // namespace controller
