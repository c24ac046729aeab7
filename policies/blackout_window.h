#pragma once
// Blackout windows: recurring local-time intervals (e.g. market hours) in an
// IANA time zone during which no rollout step may start or continue.
// Evaluation is pure: the instant is a parameter; zones come from the system
// tz database through howardhinnant date/tz.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "policies/result.h"

namespace date {
class time_zone;
}

namespace policies {

// Bit i set = weekday i active, with 0 = Sunday (C encoding) ... 6 = Saturday.
using WeekdayMask = std::uint8_t;
inline constexpr WeekdayMask kAllWeekdays = 0x7f;

struct BlackoutWindow {
  WeekdayMask days = kAllWeekdays;  // the weekday on which the window starts
  std::chrono::minutes start{0};    // local time of day, inclusive
  std::chrono::minutes end{0};      // local time of day, exclusive; < start: ends next day
  std::string time_zone = "UTC";
};

// "Mon" ... "Sun" -> bit index (0 = Sun).
Result<int> parse_weekday(std::string_view name);
std::string_view weekday_name(int index);

// "HH:MM", 00:00 ... 23:59.
Result<std::chrono::minutes> parse_time_of_day(std::string_view text);
std::string format_time_of_day(std::chrono::minutes m);

// The zone, or nullptr if the tz database does not know the name.
const date::time_zone* find_time_zone(std::string_view name) noexcept;

// Whether `now` falls inside an occurrence of the window, in `zone`.
bool in_window(const BlackoutWindow& w, const date::time_zone& zone, std::chrono::sys_seconds now);

// If `now` is inside an occurrence, the instant that occurrence ends.
std::optional<std::chrono::sys_seconds> window_end(const BlackoutWindow& w,
                                                   const date::time_zone& zone,
                                                   std::chrono::sys_seconds now);

// The latest end among the windows active at `now` (nullopt: none active).
// Windows with unknown zones are treated as always active: refusing to act
// is the safe answer to a policy that slipped past validation.
std::optional<std::chrono::sys_seconds> blocked_until(std::span<const BlackoutWindow> windows,
                                                      std::chrono::sys_seconds now);

}  // namespace policies
