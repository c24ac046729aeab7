#include "controller/rate_limiters.h"

#include <gtest/gtest.h>

#include "k8s/testing/fake_clock.h"

namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

TEST(ItemExponentialRateLimiter, DoublesPerFailureUpToTheCap) {
  controller::ItemExponentialRateLimiter l(5ms, 1000s);
  nanoseconds expected = 5ms;
  for (int i = 0; i < 18; ++i) {  // 5 ms × 2^17 = 655 s < 1000 s
    EXPECT_EQ(l.when("a"), expected) << i;
    expected *= 2;
  }
  EXPECT_EQ(l.when("a"), 1000s);                     // 5 ms × 2^18 = 1311 s
  for (int i = 0; i < 2000; ++i) (void)l.when("a");  // 2^2000 would overflow: still the cap
  EXPECT_EQ(l.when("a"), 1000s);
  EXPECT_EQ(l.num_requeues("a"), 2020);
  EXPECT_EQ(l.when("b"), 5ms);  // per key
  l.forget("a");
  EXPECT_EQ(l.num_requeues("a"), 0);
  EXPECT_EQ(l.when("a"), 5ms);
}

TEST(BucketRateLimiter, BurstThenQps) {
  k8s::testing::FakeClock clock;
  controller::BucketRateLimiter l(clock, 10, 100);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(l.when("k" + std::to_string(i)), 0ns) << i;
  EXPECT_EQ(l.when("x"), 100ms);
  EXPECT_EQ(l.when("y"), 200ms);
  clock.advance(1s);  // +10 tokens pays the 2 borrowed, leaves 8
  for (int i = 0; i < 8; ++i) EXPECT_EQ(l.when("z"), 0ns) << i;
  EXPECT_EQ(l.when("z"), 100ms);
  clock.advance(1h);  // refills to the burst, no more
  for (int i = 0; i < 100; ++i) EXPECT_EQ(l.when("w"), 0ns) << i;
  EXPECT_EQ(l.when("w"), 100ms);
  EXPECT_EQ(l.num_requeues("w"), 0);
}

TEST(DefaultControllerRateLimiter, IsTheLongerOfBackoffAndBucket) {
  k8s::testing::FakeClock clock;
  auto l = controller::default_controller_rate_limiter(clock);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(l->when("k" + std::to_string(i)), 5ms) << i;
  EXPECT_EQ(l->when("k100"), 100ms);  // the bucket is empty: it wins over 5 ms
  clock.advance(1h);
  EXPECT_EQ(l->when("k0"), 10ms);  // second failure of k0: the backoff wins
  EXPECT_EQ(l->num_requeues("k0"), 2);
  l->forget("k0");
  EXPECT_EQ(l->num_requeues("k0"), 0);
  EXPECT_EQ(l->when("k0"), 5ms);
}

}  // namespace
