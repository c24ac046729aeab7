#pragma once
// Durations as written in policies: Go-style "1h30m", "500ms", "24h", plus
// "d" for days ("7d"). Held as std::chrono::milliseconds; sub-millisecond
// fractions are rounded up so that no positive duration becomes zero.
#include <chrono>
#include <string>
#include <string_view>

#include "policies/result.h"

namespace policies {

using Duration = std::chrono::milliseconds;

inline constexpr std::size_t kMaxDurationLength = 32;

// Grammar (also the CRD pattern): ^([0-9]{1,9}(\.[0-9]+)?(ms|s|m|h|d))+$;
// the CRD and the policy reader also limit the text to kMaxDurationLength.
Result<Duration> parse_duration(std::string_view text);

// Shortest text that parses back to the same value: "24h", "1h30m", "1500ms", "0s"
// (hours are the largest unit, as in Go).
std::string format_duration(Duration d);

}  // namespace policies
