#pragma once
// The Rightsizing status within the CRD's limits (crds/rightsizings.yaml):
// the API server rejects a whole /status write for one string over its
// maxLength or one list over its maxItems (422), which would stop every
// later write, rollbacks included. Texts are cut at a UTF-8 boundary and
// end in "…"; lists keep their first items (history: its newest). Applied
// where a status is built, before it is compared with the stored one, so a
// bounded status is stable across reconciles.
#include <cstddef>
#include <string>

#include "policies/rightsizing_status.h"

namespace controller {

// The schema's limits (maxLength counts characters; bytes bound them).
inline constexpr std::size_t kMaxMessage = 1024;  // messages, reasons
inline constexpr std::size_t kMaxConditionMessage = 32768;
inline constexpr std::size_t kMaxConditionType = 316;
inline constexpr std::size_t kMaxQuantity = 64;  // summary and resource texts
inline constexpr std::size_t kMaxLastEvent = 256;
inline constexpr std::size_t kMaxPods = 1000;  // canary.pods, canary.baselinePods
inline constexpr std::size_t kMaxChecks = 16;  // canary.lastChecks
inline constexpr std::size_t kMaxConditions = 8;
inline constexpr std::size_t kMaxContainers = 64;

// `text` in at most `max_bytes` bytes: unchanged when it fits, else cut at a
// UTF-8 character boundary with "…" appended.
std::string bounded_text(std::string text, std::size_t max_bytes);

void bound_to_schema(policies::RightsizingStatus& status);

}  // namespace controller
