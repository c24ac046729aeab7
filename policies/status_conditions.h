#pragma once
// metav1.Condition and metav1.Time as used in the status of both kinds, and
// set_condition() with apimachinery's meta.SetStatusCondition semantics.
// Pure data and functions: time is always a parameter.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policies/result.h"

namespace policies {

// metav1.Time: whole seconds, UTC, written as RFC 3339 "2026-11-28T13:46:11Z".
using Timestamp = std::chrono::sys_seconds;

// Accepts RFC 3339 with "Z" or a numeric offset and optional fractional
// seconds (dropped, as metav1.Time does).
Result<Timestamp> parse_timestamp(std::string_view text);
std::string format_timestamp(Timestamp t);

enum class ConditionStatus { True, False, Unknown };

struct Condition {
  std::string type;
  ConditionStatus status = ConditionStatus::Unknown;
  std::optional<std::int64_t> observed_generation;
  Timestamp last_transition_time{};  // the epoch means "unset" to set_condition()
  std::string reason;
  std::string message;
  friend bool operator==(const Condition&, const Condition&) = default;
};

// Adds or updates the condition of `c.type`, as meta.SetStatusCondition:
// lastTransitionTime changes only when the status flips (to c's time if set,
// else `now`); reason, message and observedGeneration are always updated.
// Returns whether anything changed (so an unchanged status is not written).
bool set_condition(std::vector<Condition>& conditions, Condition c, Timestamp now);

// The condition of that type, or nullptr.
const Condition* find_condition(const std::vector<Condition>& conditions, std::string_view type);

// Removes the condition of that type; returns whether one was there.
bool remove_condition(std::vector<Condition>& conditions, std::string_view type);

}  // namespace policies
