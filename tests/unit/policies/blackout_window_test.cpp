#include "policies/blackout_window.h"

#include <gtest/gtest.h>

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <span>
#include <vector>

namespace {

using namespace std::chrono_literals;
using policies::BlackoutWindow;

constexpr policies::WeekdayMask kWeekdays = 0b0111110;  // Mon..Fri

std::chrono::sys_seconds utc(int y, unsigned m, unsigned d, int hh, int mm) {
  return date::sys_days{date::year{y} / m / d} + std::chrono::hours(hh) + std::chrono::minutes(mm);
}

struct WindowCase {
  const char* name;
  BlackoutWindow window;
  std::chrono::sys_seconds now;
  bool active;
};

class InWindow : public testing::TestWithParam<WindowCase> {};

TEST_P(InWindow, Table) {
  const auto zone = policies::find_time_zone(GetParam().window.time_zone);
  ASSERT_TRUE(zone.has_value());
  EXPECT_EQ(policies::in_window(GetParam().window, *zone, GetParam().now), GetParam().active);
}

const BlackoutWindow kMarket{kWeekdays, 9h + 25min, 16h + 5min, "America/New_York"};
const BlackoutWindow kNight{kWeekdays, 22h, 2h, "UTC"};  // across midnight
const BlackoutWindow kSpring{0b0000001, 1h + 30min, 2h + 30min, "America/New_York"};  // Sundays
const BlackoutWindow kFall{0b0000001, 1h, 2h, "America/New_York"};

INSTANTIATE_TEST_SUITE_P(
    Table, InWindow,
    testing::Values(
        // Winter (EST, UTC-5): 09:25 local = 14:25 UTC.
        WindowCase{"EstBeforeOpen", kMarket, utc(2024, 3, 8, 14, 24), false},
        WindowCase{"EstAtOpen", kMarket, utc(2024, 3, 8, 14, 25), true},
        WindowCase{"EstBeforeClose", kMarket, utc(2024, 3, 8, 21, 4), true},
        WindowCase{"EstAtClose", kMarket, utc(2024, 3, 8, 21, 5), false},
        // After the spring transition (EDT, UTC-4): 09:25 local = 13:25 UTC.
        WindowCase{"EdtAtOpen", kMarket, utc(2024, 3, 11, 13, 25), true},
        WindowCase{"EdtSameUtcLastWeekWasClosed", kMarket, utc(2024, 3, 4, 13, 25), false},
        WindowCase{"EdtAtClose", kMarket, utc(2024, 3, 11, 20, 5), false},
        WindowCase{"Saturday", kMarket, utc(2024, 3, 9, 15, 0), false},
        // Spring forward, Sun 2024-03-10: 02:00 EST jumps to 03:00 EDT.
        WindowCase{"SpringBeforeJump", kSpring, utc(2024, 3, 10, 6, 59), true},  // 01:59 EST
        WindowCase{"SpringAfterJump", kSpring, utc(2024, 3, 10, 7, 0), false},   // 03:00 EDT
        WindowCase{"SpringAtStart", kSpring, utc(2024, 3, 10, 6, 30), true},     // 01:30 EST
        // Fall back, Sun 2024-11-03: 02:00 EDT goes back to 01:00 EST.
        WindowCase{"FallFirstOneThirty", kFall, utc(2024, 11, 3, 5, 30), true},   // 01:30 EDT
        WindowCase{"FallSecondOneThirty", kFall, utc(2024, 11, 3, 6, 30), true},  // 01:30 EST
        WindowCase{"FallAfter", kFall, utc(2024, 11, 3, 7, 0), false},            // 02:00 EST
        WindowCase{"FallBefore", kFall, utc(2024, 11, 3, 4, 59), false},          // 00:59 EDT
        // Across midnight: Fri 22:00 → Sat 02:00 is in, Sun 22:00 → Mon 02:00 is not.
        WindowCase{"NightFridayEvening", kNight, utc(2024, 3, 8, 23, 0), true},
        WindowCase{"NightSaturdayMorning", kNight, utc(2024, 3, 9, 1, 59), true},
        WindowCase{"NightSaturdayAtEnd", kNight, utc(2024, 3, 9, 2, 0), false},
        WindowCase{"NightSundayEvening", kNight, utc(2024, 3, 10, 23, 0), false},
        WindowCase{"NightMondayMorning", kNight, utc(2024, 3, 11, 1, 0), false},
        WindowCase{"NightMondayEvening", kNight, utc(2024, 3, 11, 22, 0), true}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(WindowEnd, ReportsTheEndOfTheCurrentOccurrence) {
  const auto ny = policies::find_time_zone("America/New_York");
  ASSERT_TRUE(ny.has_value());
  EXPECT_EQ(policies::window_end(kMarket, *ny, utc(2024, 3, 11, 15, 0)), utc(2024, 3, 11, 20, 5));
  EXPECT_EQ(policies::window_end(kMarket, *ny, utc(2024, 3, 8, 15, 0)), utc(2024, 3, 8, 21, 5));
  EXPECT_FALSE(policies::window_end(kMarket, *ny, utc(2024, 3, 9, 15, 0)).has_value());
  const auto z = policies::find_time_zone("UTC");
  EXPECT_EQ(policies::window_end(kNight, *z, utc(2024, 3, 8, 23, 0)), utc(2024, 3, 9, 2, 0));
  // End time skipped by the spring jump (02:30 does not exist): the jump instant.
  EXPECT_EQ(policies::window_end(kSpring, *ny, utc(2024, 3, 10, 6, 30)), utc(2024, 3, 10, 7, 0));
}

TEST(BlockedUntil, LatestEndOfActiveWindowsAndUnknownZonesBlock) {
  const std::array<BlackoutWindow, 2> windows{kMarket, kNight};
  EXPECT_EQ(policies::blocked_until(windows, utc(2024, 3, 8, 23, 0)), utc(2024, 3, 9, 2, 0));
  EXPECT_FALSE(policies::blocked_until(windows, utc(2024, 3, 9, 12, 0)).has_value());
  const std::array<BlackoutWindow, 1> broken{{{kWeekdays, 1h, 2h, "Nowhere/Special"}}};
  EXPECT_TRUE(policies::blocked_until(broken, utc(2024, 3, 9, 12, 0)).has_value());
}

TEST(TimeOfDay, ParsesAndFormats) {
  EXPECT_EQ(*policies::parse_time_of_day("00:00"), 0min);
  EXPECT_EQ(*policies::parse_time_of_day("23:59"), 23h + 59min);
  EXPECT_EQ(policies::format_time_of_day(9h + 25min), "09:25");
  for (const char* bad : {"24:00", "9:25", "09:60", "0925", "09:5a", ""})
    EXPECT_FALSE(policies::parse_time_of_day(bad).ok()) << bad;
  EXPECT_EQ(*policies::parse_weekday("Sun"), 0);
  EXPECT_EQ(*policies::parse_weekday("Sat"), 6);
  EXPECT_FALSE(policies::parse_weekday("mon").ok());
  EXPECT_FALSE(policies::find_time_zone("").has_value());
  EXPECT_FALSE(policies::find_time_zone("Not/AZone").has_value());
}

// Fall-back in New York, Sunday 2024-11-03: 01:00–01:59 happens twice, first
// as EDT (05:00–05:59Z), then as EST (06:00–06:59Z). A window Sun 01:00–01:30
// is active in both passes; each occurrence ends at its own 01:30.
const BlackoutWindow kFallHalfHour{0b0000001, 1h, 1h + 30min, "America/New_York"};

TEST(WindowEnd, FallBackSecondPassEndsAtTheRepeatedLocalEnd) {
  const auto ny = policies::find_time_zone("America/New_York");
  ASSERT_TRUE(ny.has_value());
  // 06:10Z is 01:10 EST (the second 01:10): the end is 01:30 EST = 06:30Z.
  EXPECT_EQ(policies::window_end(kFallHalfHour, *ny, utc(2024, 11, 3, 6, 10)),
            utc(2024, 11, 3, 6, 30));
  const std::array<BlackoutWindow, 1> windows{kFallHalfHour};
  EXPECT_EQ(policies::blocked_until(windows, utc(2024, 11, 3, 6, 10)), utc(2024, 11, 3, 6, 30));
}

TEST(WindowEnd, FallBackFirstPassEndsAtTheFirstLocalEnd) {
  const auto ny = policies::find_time_zone("America/New_York");
  ASSERT_TRUE(ny.has_value());
  // 05:10Z is 01:10 EDT (the first pass): the end is 01:30 EDT = 05:30Z.
  EXPECT_EQ(policies::window_end(kFallHalfHour, *ny, utc(2024, 11, 3, 5, 10)),
            utc(2024, 11, 3, 5, 30));
  // 05:40Z is 01:40 EDT: between the two occurrences.
  EXPECT_FALSE(policies::window_end(kFallHalfHour, *ny, utc(2024, 11, 3, 5, 40)).has_value());
}

// Every minute of 2024 in three zones with daylight saving (north and south),
// for windows around the transitions: blocked_until is never at or before now.
TEST(BlockedUntil, NeverInThePastOverAYearOfMinutes) {
  const char* zones[] = {"America/New_York", "Europe/London", "Australia/Sydney"};
  // Repeated local hours: 01:xx in New York and London, 02:xx in Sydney.
  const std::pair<std::chrono::minutes, std::chrono::minutes> spans[] = {
      {1h, 1h + 30min},         {1h + 10min, 2h + 10min}, {2h, 2h + 30min},
      {2h + 15min, 3h + 15min}, {23h, 1h + 15min},        {22h + 30min, 2h + 45min}};
  int active = 0;
  for (const char* name : zones) {
    std::vector<BlackoutWindow> windows;
    for (auto [start, end] : spans) windows.push_back({policies::kAllWeekdays, start, end, name});
    ASSERT_TRUE(policies::find_time_zone(name).has_value()) << name;
    for (auto now = utc(2024, 1, 1, 0, 0); now < utc(2025, 1, 1, 0, 0); now += 1min) {
      for (const auto& w : windows) {
        const auto until = policies::blocked_until(std::span(&w, 1), now);
        if (!until) continue;
        ++active;
        ASSERT_GT(*until, now) << name << " " << policies::format_time_of_day(w.start) << "–"
                               << policies::format_time_of_day(w.end) << " at "
                               << date::format("%FT%TZ", now);
      }
    }
  }
  EXPECT_GT(active, 300'000);
}

// The operator may run without a time-zone database (an image without
// tzdata): UTC windows still work, other zones block (the safe answer).
const date::time_zone* no_database(std::string_view) noexcept {
  return nullptr;
}

TEST(BlockedUntil, UtcNeedsNoTimeZoneDatabase) {
  const std::array<BlackoutWindow, 1> utc_night{kNight};
  EXPECT_EQ(policies::blocked_until(utc_night, utc(2024, 3, 8, 23, 0), no_database),
            utc(2024, 3, 9, 2, 0));
  EXPECT_FALSE(policies::blocked_until(utc_night, utc(2024, 3, 9, 12, 0), no_database));
  const std::array<BlackoutWindow, 1> etc_utc{{{kWeekdays, 22h, 2h, "Etc/UTC"}}};
  EXPECT_EQ(policies::blocked_until(etc_utc, utc(2024, 3, 8, 23, 0), no_database),
            utc(2024, 3, 9, 2, 0));
  const std::array<BlackoutWindow, 1> ny{kMarket};
  EXPECT_EQ(policies::blocked_until(ny, utc(2024, 3, 9, 12, 0), no_database),
            std::chrono::sys_seconds::max());
  EXPECT_TRUE(policies::find_time_zone("UTC", no_database).has_value());
  EXPECT_FALSE(policies::find_time_zone("America/New_York", no_database).has_value());
}

}  // namespace
