#include "controller/checkpoint_schedule.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

namespace controller {
namespace {

using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST(CheckpointDelay, IsTheIntervalPlusAShareOfTheJitterTheSameForAKeyEveryTime) {
  const auto d = checkpoint_delay("Deployment/trading/engine", minutes(5), seconds(150));
  EXPECT_GE(d, minutes(5));
  EXPECT_LT(d, minutes(5) + seconds(150));
  EXPECT_EQ(checkpoint_delay("Deployment/trading/engine", minutes(5), seconds(150)), d);
  // Fixed by the key alone (a fixed hash), not by the build or the process: a new
  // leader keeps the spread of the previous one.
  EXPECT_EQ(d, minutes(5) + nanoseconds(seconds(150)) * 473 / 1024);
}

TEST(CheckpointDelay, NoJitterIsTheInterval) {
  EXPECT_EQ(checkpoint_delay("Deployment/trading/engine", minutes(5), nanoseconds(0)), minutes(5));
  EXPECT_EQ(checkpoint_delay("Deployment/trading/engine", minutes(5), seconds(-1)), minutes(5));
}

TEST(CheckpointDelay, ThousandWorkloadsWrittenTogetherAreSpreadEvenly) {
  // The scale benchmark's names: one namespace, app-0 … app-999.
  std::array<int, 10> buckets{};
  std::set<nanoseconds> distinct;
  for (int i = 0; i < 1000; ++i) {
    const auto d =
        checkpoint_delay("Deployment/scale/app-" + std::to_string(i), minutes(5), seconds(150));
    ASSERT_GE(d, minutes(5));
    ASSERT_LT(d, minutes(5) + seconds(150));
    distinct.insert(d);
    ++buckets[static_cast<std::size_t>((d - minutes(5)) / seconds(15))];
  }
  // 100 expected in each 15 s of the 150 s; a burst would fill one.
  for (int n : buckets) {
    EXPECT_GT(n, 60);
    EXPECT_LT(n, 140);
  }
  EXPECT_GT(distinct.size(), 400u);
}

}  // namespace
}  // namespace controller
