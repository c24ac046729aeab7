#include "k8s/backoff.h"

#include <gtest/gtest.h>

#include "k8s/testing/fake_clock.h"

namespace k8s {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(Backoff, DoublesFrom800msTo30s) {
  testing::FakeClock clock;
  testing::FixedRandom random(0.5);  // no jitter
  Backoff b({}, clock, random);
  std::vector<long long> got;
  for (int i = 0; i < 8; ++i) got.push_back(b.next().count());
  EXPECT_EQ(got, (std::vector<long long>{800, 1600, 3200, 6400, 12800, 25600, 30000, 30000}));
}

TEST(Backoff, JitterStaysWithinBounds) {
  testing::FakeClock clock;
  testing::FixedRandom random(0.0);
  Backoff low({}, clock, random);
  EXPECT_EQ(low.next(), milliseconds(640));
  random.set(0.999999);
  Backoff high({}, clock, random);
  auto d = high.next();
  EXPECT_GE(d, milliseconds(959));
  EXPECT_LE(d, milliseconds(960));
}

TEST(Backoff, ResetsAfterAStablePeriod) {
  testing::FakeClock clock;
  testing::FixedRandom random;
  Backoff b({}, clock, random);
  (void)b.next();
  (void)b.next();
  EXPECT_EQ(b.next(), milliseconds(3200));
  clock.advance(seconds(119));
  EXPECT_EQ(b.next(), milliseconds(6400));
  clock.advance(seconds(120));
  EXPECT_EQ(b.next(), milliseconds(800));
}

TEST(Backoff, ExplicitReset) {
  testing::FakeClock clock;
  testing::FixedRandom random;
  Backoff b({}, clock, random);
  (void)b.next();
  (void)b.next();
  b.reset();
  EXPECT_EQ(b.next(), milliseconds(800));
}

}  // namespace
}  // namespace k8s
