#include "policies/status_conditions.h"

#include <gtest/gtest.h>

namespace {

using policies::Condition;
using policies::ConditionStatus;
using policies::Timestamp;
using std::chrono::seconds;

const Timestamp kT0{seconds(1'700'000'000)};
const Timestamp kT1 = kT0 + seconds(60);
const Timestamp kT2 = kT0 + seconds(120);

Condition ready(ConditionStatus s, std::string reason = "R", std::string message = "m") {
  return Condition{"Ready", s, std::nullopt, Timestamp{}, std::move(reason), std::move(message)};
}

TEST(SetCondition, NewConditionGetsNowUnlessItCarriesATime) {
  std::vector<Condition> cs;
  EXPECT_TRUE(policies::set_condition(cs, ready(ConditionStatus::True), kT0));
  ASSERT_EQ(cs.size(), 1U);
  EXPECT_EQ(cs[0].last_transition_time, kT0);
  Condition dated = ready(ConditionStatus::False);
  dated.type = "Valid";
  dated.last_transition_time = kT2;
  EXPECT_TRUE(policies::set_condition(cs, dated, kT1));
  EXPECT_EQ(policies::find_condition(cs, "Valid")->last_transition_time, kT2);
}

TEST(SetCondition, SameStatusKeepsTheTransitionTimeAndReportsNoChange) {
  std::vector<Condition> cs;
  (void)policies::set_condition(cs, ready(ConditionStatus::True), kT0);
  EXPECT_FALSE(policies::set_condition(cs, ready(ConditionStatus::True), kT1));
  EXPECT_EQ(cs[0].last_transition_time, kT0);
}

TEST(SetCondition, ReasonMessageAndGenerationUpdateWithoutATransition) {
  std::vector<Condition> cs;
  (void)policies::set_condition(cs, ready(ConditionStatus::True), kT0);
  EXPECT_TRUE(policies::set_condition(cs, ready(ConditionStatus::True, "Other"), kT1));
  EXPECT_EQ(cs[0].reason, "Other");
  EXPECT_TRUE(policies::set_condition(cs, ready(ConditionStatus::True, "Other", "new"), kT1));
  EXPECT_EQ(cs[0].message, "new");
  Condition gen = ready(ConditionStatus::True, "Other", "new");
  gen.observed_generation = 4;
  EXPECT_TRUE(policies::set_condition(cs, gen, kT1));
  EXPECT_EQ(cs[0].observed_generation, 4);
  EXPECT_EQ(cs[0].last_transition_time, kT0);
  EXPECT_EQ(cs.size(), 1U);
}

TEST(SetCondition, StatusFlipMovesTheTransitionTime) {
  std::vector<Condition> cs;
  (void)policies::set_condition(cs, ready(ConditionStatus::True), kT0);
  EXPECT_TRUE(policies::set_condition(cs, ready(ConditionStatus::False), kT1));
  EXPECT_EQ(cs[0].status, ConditionStatus::False);
  EXPECT_EQ(cs[0].last_transition_time, kT1);
  Condition dated = ready(ConditionStatus::Unknown);
  dated.last_transition_time = kT2;
  EXPECT_TRUE(policies::set_condition(cs, dated, kT1));
  EXPECT_EQ(cs[0].last_transition_time, kT2);
}

TEST(SetCondition, RemoveAndFind) {
  std::vector<Condition> cs;
  (void)policies::set_condition(cs, ready(ConditionStatus::True), kT0);
  EXPECT_EQ(policies::find_condition(cs, "Blocked"), nullptr);
  EXPECT_FALSE(policies::remove_condition(cs, "Blocked"));
  EXPECT_TRUE(policies::remove_condition(cs, "Ready"));
  EXPECT_TRUE(cs.empty());
}

struct TimeCase {
  const char* text;
  std::int64_t seconds;  // -1: invalid
  const char* formatted;
};

class Timestamps : public testing::TestWithParam<TimeCase> {};

TEST_P(Timestamps, ParseAndFormat) {
  auto t = policies::parse_timestamp(GetParam().text);
  if (GetParam().seconds < 0) {
    EXPECT_FALSE(t.ok()) << GetParam().text;
    return;
  }
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->time_since_epoch().count(), GetParam().seconds);
  EXPECT_EQ(policies::format_timestamp(*t), GetParam().formatted);
}

INSTANTIATE_TEST_SUITE_P(
    Table, Timestamps,
    testing::Values(TimeCase{"2023-11-14T22:13:20Z", 1'700'000'000, "2023-11-14T22:13:20Z"},
                    TimeCase{"1970-01-01T00:00:00Z", 0, "1970-01-01T00:00:00Z"},
                    TimeCase{"2023-11-14T22:13:20.999Z", 1'700'000'000, "2023-11-14T22:13:20Z"},
                    TimeCase{"2023-11-15T00:13:20+02:00", 1'700'000'000, "2023-11-14T22:13:20Z"},
                    TimeCase{"2023-11-14T21:13:20-01:00", 1'700'000'000, "2023-11-14T22:13:20Z"},
                    TimeCase{"2024-02-29T00:00:00Z", 1'709'164'800, "2024-02-29T00:00:00Z"},
                    TimeCase{"2023-02-29T00:00:00Z", -1, ""}, TimeCase{"2023-11-14", -1, ""},
                    TimeCase{"2023-11-14T22:13:20", -1, ""},
                    TimeCase{"2023-11-14T22:13:20Zjunk", -1, ""},
                    TimeCase{"2023-11-14T24:13:20Z", -1, ""},
                    TimeCase{"2023-11-14T22:13:20.Z", -1, ""},
                    TimeCase{"2023-11-14T22:13:20+0200", -1, ""},
                    TimeCase{"2023-1X-14T22:13:20Z", -1, ""}, TimeCase{"", -1, ""}));

}  // namespace
