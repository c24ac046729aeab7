#include "policies/blackout_window.h"

#include <date/tz.h>

#include <array>
#include <exception>

namespace policies {
namespace {

constexpr std::array<std::string_view, 7> kWeekdays{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};

bool has_day(WeekdayMask mask, unsigned c_encoding) {
  return (mask >> (c_encoding % 7)) & 1U;
}

struct LocalClock {
  date::local_days day;
  unsigned weekday;  // 0 = Sunday
  std::chrono::minutes minute_of_day;
};

LocalClock local_clock(const WindowZone& zone, std::chrono::sys_seconds now) {
  const auto local = zone.to_local(now);
  const auto day = date::floor<date::days>(local);
  return {day, date::weekday(day).c_encoding(),
          std::chrono::duration_cast<std::chrono::minutes>(local - day)};
}

// The local day on which the occurrence containing `now` started, if any.
std::optional<date::local_days> occurrence_start(const BlackoutWindow& w, const LocalClock& c) {
  if (w.start < w.end) {
    if (has_day(w.days, c.weekday) && c.minute_of_day >= w.start && c.minute_of_day < w.end)
      return c.day;
    return std::nullopt;
  }
  // Across midnight: the evening part starts today, the morning part started yesterday.
  if (has_day(w.days, c.weekday) && c.minute_of_day >= w.start) return c.day;
  if (has_day(w.days, c.weekday + 6) && c.minute_of_day < w.end) return c.day - date::days{1};
  return std::nullopt;
}

}  // namespace

Result<int> parse_weekday(std::string_view name) {
  for (std::size_t i = 0; i < kWeekdays.size(); ++i)
    if (kWeekdays[i] == name) return static_cast<int>(i);
  return make_error("must be one of Mon, Tue, Wed, Thu, Fri, Sat, Sun");
}

std::string_view weekday_name(int index) {
  return kWeekdays[static_cast<std::size_t>(index % 7)];
}

Result<std::chrono::minutes> parse_time_of_day(std::string_view t) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (t.size() != 5 || t[2] != ':' || !digit(t[0]) || !digit(t[1]) || !digit(t[3]) || !digit(t[4]))
    return make_error("must be a time of day as HH:MM");
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (h > 23 || m > 59) return make_error("must be a time of day between 00:00 and 23:59");
  return std::chrono::minutes(h * 60 + m);
}

std::string format_time_of_day(std::chrono::minutes m) {
  const auto v = m.count();
  std::string out = "00:00";
  out[0] = static_cast<char>('0' + v / 600);
  out[1] = static_cast<char>('0' + v / 60 % 10);
  out[3] = static_cast<char>('0' + v % 60 / 10);
  out[4] = static_cast<char>('0' + v % 10);
  return out;
}

date::local_seconds WindowZone::to_local(std::chrono::sys_seconds t) const {
  if (zone_ == nullptr) return date::local_seconds{t.time_since_epoch()};
  return zone_->to_local(t);
}

std::pair<std::chrono::sys_seconds, std::chrono::sys_seconds> WindowZone::to_sys(
    date::local_seconds t) const {
  if (zone_ == nullptr) {
    const std::chrono::sys_seconds utc{t.time_since_epoch()};
    return {utc, utc};
  }
  return {zone_->to_sys(t, date::choose::earliest), zone_->to_sys(t, date::choose::latest)};
}

const date::time_zone* system_zone_database(std::string_view name) noexcept {
  if (name.empty()) return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;  // unknown zone (or no tz database): an error value, not an exception
  }
}

std::optional<WindowZone> find_time_zone(std::string_view name, ZoneDatabase database) noexcept {
  // UTC never needs the database: without tzdata it would be unknown, and
  // every UTC window would block forever.
  if (name == "UTC" || name == "Etc/UTC") return WindowZone::utc();
  const date::time_zone* zone = database(name);
  if (zone == nullptr) return std::nullopt;
  return WindowZone(*zone);
}

bool in_window(const BlackoutWindow& w, const WindowZone& zone, std::chrono::sys_seconds now) {
  return occurrence_start(w, local_clock(zone, now)).has_value();
}

std::optional<std::chrono::sys_seconds> window_end(const BlackoutWindow& w, const WindowZone& zone,
                                                   std::chrono::sys_seconds now) {
  const auto started = occurrence_start(w, local_clock(zone, now));
  if (!started) return std::nullopt;
  const auto end_day = w.start < w.end ? *started : *started + date::days{1};
  const date::local_seconds local_end = end_day + w.end;
  // A fall-back repeats an hour: in its first pass the first instant of the
  // local end is the end; in the second pass that instant has already passed
  // and the end is the repeated one.
  const auto [earliest, latest] = zone.to_sys(local_end);
  return earliest > now ? earliest : latest;
}

std::optional<std::chrono::sys_seconds> blocked_until(std::span<const BlackoutWindow> windows,
                                                      std::chrono::sys_seconds now,
                                                      ZoneDatabase database) {
  std::optional<std::chrono::sys_seconds> until;
  for (const auto& w : windows) {
    const auto zone = find_time_zone(w.time_zone, database);
    if (!zone) return std::chrono::sys_seconds::max();
    const auto end = window_end(w, *zone, now);
    if (end && (!until || *end > *until)) until = end;
  }
  return until;
}

}  // namespace policies
