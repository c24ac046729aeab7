#include "controller/work_queue.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <thread>

#include "k8s/testing/fake_clock.h"

namespace {

using controller::WorkQueue;
using namespace std::chrono_literals;

constexpr auto kBound = 10s;  // every cross-thread wait in these tests

class WorkQueueTest : public testing::Test {
 protected:
  k8s::testing::FakeClock clock_;
  WorkQueue queue_{clock_};
};

TEST_F(WorkQueueTest, QueuedKeysAreDeduplicatedAndFifo) {
  queue_.add("a");
  queue_.add("b");
  queue_.add("a");
  EXPECT_EQ(queue_.len(), 2U);
  EXPECT_EQ(queue_.try_get(), "a");
  EXPECT_EQ(queue_.try_get(), "b");
  EXPECT_EQ(queue_.try_get(), std::nullopt);
}

TEST_F(WorkQueueTest, AKeyIsNeverHandedToTwoWorkersAtOnce) {
  queue_.add("a");
  ASSERT_EQ(queue_.try_get(), "a");
  queue_.add("a");  // changed while a worker reconciles it
  queue_.add("a");
  EXPECT_EQ(queue_.try_get(), std::nullopt);
  EXPECT_EQ(queue_.len(), 0U);
  queue_.done("a");
  EXPECT_EQ(queue_.try_get(), "a");  // once, after done()
  EXPECT_EQ(queue_.try_get(), std::nullopt);
  queue_.done("a");
  EXPECT_EQ(queue_.try_get(), std::nullopt);  // done() without a new add: not requeued
}

TEST_F(WorkQueueTest, AddAfterWaitsForTheClock) {
  queue_.add_after("a", 5s);
  EXPECT_EQ(queue_.try_get(), std::nullopt);
  EXPECT_EQ(queue_.waiting(), 1U);
  clock_.advance(5s - 1ns);
  EXPECT_EQ(queue_.try_get(), std::nullopt);
  clock_.advance(1ns);
  EXPECT_EQ(queue_.try_get(), "a");
  EXPECT_EQ(queue_.waiting(), 0U);
}

TEST_F(WorkQueueTest, AWaitingKeyKeepsTheEarlierTime) {
  queue_.add_after("a", 10s);
  queue_.add_after("a", 2s);
  queue_.add_after("b", 1s);
  queue_.add_after("b", 5s);
  EXPECT_EQ(queue_.waiting(), 2U);
  clock_.advance(1s);
  EXPECT_EQ(queue_.try_get(), "b");
  clock_.advance(1s);
  EXPECT_EQ(queue_.try_get(), "a");
  clock_.advance(20s);
  EXPECT_EQ(queue_.try_get(), std::nullopt);  // each queued once
}

TEST_F(WorkQueueTest, AddAfterZeroOrNegativeIsAnAdd) {
  queue_.add_after("a", 0s);
  queue_.add_after("b", -1s);
  EXPECT_EQ(queue_.try_get(), "a");
  EXPECT_EQ(queue_.try_get(), "b");
}

TEST_F(WorkQueueTest, RateLimitedRetriesBackOffExponentiallyUntilForgotten) {
  for (const auto expected : {5ms, 10ms, 20ms, 40ms}) {
    queue_.add_rate_limited("a");
    clock_.advance(expected - 1ns);
    EXPECT_EQ(queue_.try_get(), std::nullopt) << expected.count();
    clock_.advance(1ns);
    ASSERT_EQ(queue_.try_get(), "a") << expected.count();
    queue_.done("a");
  }
  EXPECT_EQ(queue_.num_requeues("a"), 4);
  queue_.forget("a");
  EXPECT_EQ(queue_.num_requeues("a"), 0);
  queue_.add_rate_limited("a");
  clock_.advance(5ms);
  EXPECT_EQ(queue_.try_get(), "a");
}

TEST_F(WorkQueueTest, ShutdownIgnoresAddsAndDrainsWhatIsQueued) {
  queue_.add("a");
  queue_.shutdown();
  EXPECT_TRUE(queue_.shutting_down());
  queue_.add("b");
  queue_.add_after("c", 1s);
  EXPECT_EQ(queue_.waiting(), 0U);
  EXPECT_EQ(queue_.get(), "a");
  EXPECT_EQ(queue_.get(), std::nullopt);
}

TEST_F(WorkQueueTest, ShutdownWakesEveryWaitingWorker) {
  auto w1 = std::async(std::launch::async, [&] { return queue_.get(); });
  auto w2 = std::async(std::launch::async, [&] { return queue_.get(); });
  queue_.shutdown();
  ASSERT_EQ(w1.wait_for(kBound), std::future_status::ready);
  ASSERT_EQ(w2.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(w1.get(), std::nullopt);
  EXPECT_EQ(w2.get(), std::nullopt);
}

TEST_F(WorkQueueTest, AnAddWakesABlockedWorker) {
  auto worker = std::async(std::launch::async, [&] { return queue_.get(); });
  queue_.add("a");
  ASSERT_EQ(worker.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(worker.get(), "a");
}

TEST_F(WorkQueueTest, TheTimerPromotesDelayedKeysOnTheClock) {
  std::jthread timer([&](std::stop_token stop) { queue_.run_timer(stop); });
  auto worker = std::async(std::launch::async, [&] { return queue_.get(); });
  queue_.add_after("a", 30s);
  ASSERT_EQ(worker.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(worker.get(), "a");
  // The fake clock advanced exactly by the timer's sleeps: to 30 s, no more.
  std::chrono::nanoseconds slept{0};
  for (auto d : clock_.sleeps()) slept += d;
  EXPECT_EQ(slept, 30s);
  timer.request_stop();
}

// A clock whose sleep_for blocks until its stop token fires, recording each
// requested duration: shows what the timer waits for and that it is woken.
class BlockingClock final : public k8s::Clock {
 public:
  Monotonic now() const override { return Monotonic(1000h); }
  Wall wall_now() const override { return Wall(); }
  bool sleep_for(std::chrono::nanoseconds d, std::stop_token stop) override {
    std::unique_lock lock(mu_);
    sleeps_.push_back(d);
    cv_.notify_all();
    cv_.wait(lock, stop, [] { return false; });
    return false;
  }
  // Waits (bounded) until `n` sleeps have begun; returns the last one.
  std::optional<std::chrono::nanoseconds> wait_for_sleeps(std::size_t n) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, kBound, [&] { return sleeps_.size() >= n; })) return std::nullopt;
    return sleeps_[n - 1];
  }

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::vector<std::chrono::nanoseconds> sleeps_;
};

TEST(WorkQueueTimer, AnEarlierKeyOrAStopInterruptsTheTimersSleep) {
  BlockingClock clock;
  WorkQueue queue(clock);
  std::jthread timer([&](std::stop_token stop) { queue.run_timer(stop); });
  queue.add_after("late", 1h);
  EXPECT_EQ(clock.wait_for_sleeps(1), std::chrono::nanoseconds(1h));
  queue.add_after("later", 2h);  // not earlier: no new sleep needed
  queue.add_after("soon", 1s);
  EXPECT_EQ(clock.wait_for_sleeps(2), std::chrono::nanoseconds(1s));
  auto stopped = std::async(std::launch::async, [&] {
    timer.request_stop();
    timer.join();
  });
  EXPECT_EQ(stopped.wait_for(kBound), std::future_status::ready);
}

TEST(WorkQueueTimer, ShutdownEndsTheTimer) {
  k8s::testing::FakeClock clock;
  WorkQueue queue(clock);
  auto timer = std::async(std::launch::async, [&] { queue.run_timer({}); });
  queue.shutdown();
  EXPECT_EQ(timer.wait_for(kBound), std::future_status::ready);
}

}  // namespace
