#include "policies/money.h"

#include <gtest/gtest.h>

#include <array>

#include "policies/cost.h"

namespace {

using policies::Cents;
using policies::Resources;

constexpr std::int64_t kMi = std::int64_t{1} << 20;
constexpr std::int64_t kGi = std::int64_t{1} << 30;

TEST(Money, FormatsCentsAsDollars) {
  EXPECT_EQ(policies::format_dollars({28595}), "285.95");
  EXPECT_EQ(policies::format_dollars({7905}), "79.05");
  EXPECT_EQ(policies::format_dollars({5}), "0.05");
  EXPECT_EQ(policies::format_dollars({-20690}), "-206.90");
}

struct PriceCase {
  const char* text;
  std::int64_t micro;
  const char* formatted;
};
class PriceParse : public testing::TestWithParam<PriceCase> {};
TEST_P(PriceParse, Exact) {
  auto p = policies::parse_price(GetParam().text);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->micro, GetParam().micro);
  EXPECT_EQ(policies::format_price(*p), GetParam().formatted);
}
INSTANTIATE_TEST_SUITE_P(
    Table, PriceParse,
    testing::Values(PriceCase{"15.00", 15'000'000, "15.00"}, PriceCase{"3", 3'000'000, "3.00"},
                    PriceCase{"0.004175", 4175, "0.004175"},
                    PriceCase{"9999999.999999", 9'999'999'999'999, "9999999.999999"},
                    PriceCase{"0", 0, "0.00"}));

class PriceInvalid : public testing::TestWithParam<const char*> {};
TEST_P(PriceInvalid, IsAnError) {
  EXPECT_FALSE(policies::parse_price(GetParam()).ok());
}
INSTANTIATE_TEST_SUITE_P(Table, PriceInvalid,
                         testing::Values("", "-1", "1.", ".5", "1.1234567", "12345678", "1,5",
                                         "$15", "1e3", "15.00 "));

struct CostCase {
  std::int64_t millicores;
  std::int64_t bytes;
  std::int64_t replicas;
  std::int64_t cents;
};
class MonthlyCost : public testing::TestWithParam<CostCase> {};
TEST_P(MonthlyCost, AtDefaultPrices) {
  const std::array<Resources, 1> c{Resources{GetParam().millicores, GetParam().bytes}};
  EXPECT_EQ(policies::monthly_cost(c, GetParam().replicas, policies::Prices{}).value,
            GetParam().cents);
}
INSTANTIATE_TEST_SUITE_P(
    Table, MonthlyCost,
    testing::Values(
        // The motivating analysis: 16 cores + "15.3 GB". 15.3 GiB gives $285.90;
        // $285.95 needs 15.316 GiB (15684Mi, still "15.3" to one decimal).
        CostCase{16000, 15684 * kMi, 1, 28595},              // $240.00 + $45.95
        CostCase{16000, 15 * kGi + 3 * kGi / 10, 1, 28590},  // 15.3Gi exactly
        CostCase{2000, 16742 * kMi, 1, 7905},                // $30.00 + $49.05
        CostCase{2000, 16 * kGi + 2 * kGi / 5, 1, 7920},     // 16.4Gi exactly
        CostCase{1000, 0, 1, 1500}, CostCase{0, kGi, 1, 300},
        CostCase{1, 0, 1, 2},              // 1.5 ¢ rounds up
        CostCase{100, 128 * kMi, 3, 563},  // 3 × (150 + 37.5) = 562.5 → 563, rounded once
        CostCase{0, 0, 5, 0}, CostCase{1000, kGi, 0, 0}));

TEST(Cost, ComparisonAndTotals) {
  const std::array<Resources, 2> current{Resources{8000, 8 * kGi}, Resources{8000, 7 * kGi}};
  const std::array<Resources, 2> target{Resources{1000, 8 * kGi}, Resources{1000, 8 * kGi}};
  const auto c = policies::compare_cost(current, target, 1, policies::Prices{});
  EXPECT_EQ(c.current.value, 24000 + 4500);
  EXPECT_EQ(c.target.value, 3000 + 4800);
  EXPECT_EQ(c.savings.value, 28500 - 7800);
  EXPECT_EQ(c.savings_per_year().value, 12 * (28500 - 7800));
  const std::array<policies::CostComparison, 2> both{c, c};
  EXPECT_EQ(policies::total(both).savings.value, 2 * (28500 - 7800));
}

TEST(Cost, AbsurdInputsSaturateInsteadOfOverflowing) {
  const std::array<Resources, 1> huge{Resources{INT64_MAX, INT64_MAX}};
  const policies::Prices p{{9'999'999'999'999}, {9'999'999'999'999}};
  EXPECT_EQ(policies::monthly_cost(huge, INT64_MAX, p).value, INT64_MAX);
  const std::array<Resources, 1> negative{Resources{-5, -5}};
  EXPECT_EQ(policies::monthly_cost(negative, 1, p).value, 0);
}

}  // namespace
