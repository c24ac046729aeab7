#include "policies/duration.h"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

struct DurationCase {
  const char* text;
  policies::Duration value;
  const char* formatted;
};

class DurationParse : public testing::TestWithParam<DurationCase> {};

TEST_P(DurationParse, ParsesAndFormats) {
  auto d = policies::parse_duration(GetParam().text);
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(*d, GetParam().value);
  EXPECT_EQ(policies::format_duration(*d), GetParam().formatted);
}

INSTANTIATE_TEST_SUITE_P(
    Table, DurationParse,
    testing::Values(DurationCase{"0s", 0ms, "0s"}, DurationCase{"1m", 1min, "1m"},
                    DurationCase{"24h", 24h, "24h"}, DurationCase{"7d", 168h, "168h"},
                    DurationCase{"1h30m", 90min, "1h30m"}, DurationCase{"500ms", 500ms, "500ms"},
                    DurationCase{"1.5s", 1500ms, "1500ms"}, DurationCase{"1.5h", 90min, "1h30m"},
                    DurationCase{"0.0001s", 1ms, "1ms"}, DurationCase{"90s", 90s, "1m30s"},
                    DurationCase{"2m0s", 2min, "2m"}));

class DurationInvalid : public testing::TestWithParam<const char*> {};
TEST_P(DurationInvalid, IsAnError) {
  EXPECT_FALSE(policies::parse_duration(GetParam()).ok());
}
INSTANTIATE_TEST_SUITE_P(Table, DurationInvalid,
                         testing::Values("", "0", "5", "1x", "-1h", "1.h", "h", "1 h", "1hh",
                                         "99999999999999999999h", "1us", "99999999999d",
                                         "1000000000s"));

// Nine digits before a unit is the most the CRD's pattern allows.
TEST(DurationParse, NineDigitsPerNumber) {
  EXPECT_EQ(*policies::parse_duration("999999999d"), std::chrono::days(999'999'999));
  EXPECT_EQ(*policies::parse_duration("999999999d999999999d999999999d9d"),
            std::chrono::days(3 * 999'999'999LL + 9));
}

}  // namespace
