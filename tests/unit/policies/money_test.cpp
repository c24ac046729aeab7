#include "policies/money.h"

#include <gtest/gtest.h>

namespace {

TEST(Money, FormatsCentsAsDollars) {
  EXPECT_EQ(policies::format_dollars({28595}), "285.95");
  EXPECT_EQ(policies::format_dollars({7905}), "79.05");
  EXPECT_EQ(policies::format_dollars({5}), "0.05");
  EXPECT_EQ(policies::format_dollars({-20690}), "-206.90");
}

}  // namespace
