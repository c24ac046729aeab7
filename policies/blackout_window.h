#pragma once
// Blackout windows: recurring local-time intervals (e.g. market hours) in an
// IANA time zone during which no rollout step may start or continue.
// Evaluation is pure: the instant is a parameter; zones other than UTC come
// from the system tz database through howardhinnant date/tz.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <date/date.h>

#include <utility>

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

// The zone a window is evaluated in. UTC needs no time-zone database, so an
// image without one still evaluates UTC windows; any other zone comes from
// the database. A plain value, cheap to copy.
class WindowZone {
 public:
  static WindowZone utc() { return WindowZone(nullptr); }
  explicit WindowZone(const date::time_zone& zone) : zone_(&zone) {}

  date::local_seconds to_local(std::chrono::sys_seconds t) const;
  // The first and the last instant whose local time is `t`: equal unless a
  // fall-back repeats `t`; a time skipped by a spring jump maps to the jump.
  std::pair<std::chrono::sys_seconds, std::chrono::sys_seconds> to_sys(date::local_seconds t) const;

 private:
  explicit WindowZone(const date::time_zone* zone) : zone_(zone) {}
  const date::time_zone* zone_;  // nullptr: UTC
};

// Looks a zone up by IANA name; nullptr if unknown or there is no database.
using ZoneDatabase = const date::time_zone* (*)(std::string_view name) noexcept;
// The system tz database (howardhinnant date/tz).
const date::time_zone* system_zone_database(std::string_view name) noexcept;

// "UTC" and "Etc/UTC" without any database; other names from `database`.
// nullopt if the name is unknown (or there is no database).
std::optional<WindowZone> find_time_zone(std::string_view name,
                                         ZoneDatabase database = system_zone_database) noexcept;

// Whether `now` falls inside an occurrence of the window, in `zone`.
bool in_window(const BlackoutWindow& w, const WindowZone& zone, std::chrono::sys_seconds now);

// If `now` is inside an occurrence, the instant that occurrence ends: always
// after `now`, also in the repeated hour of a fall-back (01:10 EST, the
// second 01:10, in a window ending 01:30 ends at 01:30 EST, not EDT).
std::optional<std::chrono::sys_seconds> window_end(const BlackoutWindow& w, const WindowZone& zone,
                                                   std::chrono::sys_seconds now);

// The latest end among the windows active at `now` (nullopt: none active);
// never at or before `now`. Windows with unknown zones are treated as always
// active: refusing to act is the safe answer to a policy that slipped past
// validation.
std::optional<std::chrono::sys_seconds> blocked_until(std::span<const BlackoutWindow> windows,
                                                      std::chrono::sys_seconds now,
                                                      ZoneDatabase database = system_zone_database);

}  // namespace policies
