#include "policies/blackout_window.h"

#include <gtest/gtest.h>

#include <date/date.h>
#include <date/tz.h>

#include <array>

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
  const auto* zone = policies::find_time_zone(GetParam().window.time_zone);
  ASSERT_NE(zone, nullptr);
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
  const auto* ny = policies::find_time_zone("America/New_York");
  ASSERT_NE(ny, nullptr);
  EXPECT_EQ(policies::window_end(kMarket, *ny, utc(2024, 3, 11, 15, 0)), utc(2024, 3, 11, 20, 5));
  EXPECT_EQ(policies::window_end(kMarket, *ny, utc(2024, 3, 8, 15, 0)), utc(2024, 3, 8, 21, 5));
  EXPECT_FALSE(policies::window_end(kMarket, *ny, utc(2024, 3, 9, 15, 0)).has_value());
  const auto* z = policies::find_time_zone("UTC");
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
  EXPECT_EQ(policies::find_time_zone(""), nullptr);
  EXPECT_EQ(policies::find_time_zone("Not/AZone"), nullptr);
}

}  // namespace
