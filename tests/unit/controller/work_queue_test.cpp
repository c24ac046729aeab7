#include "controller/work_queue.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <thread>

#include "k8s/testing/fake_clock.h"

namespace {

using controller::WorkQueue;
using namespace std::chrono_literals;

constexpr auto kBound = 10s;  // every cross-thread wait in these tests

// Runs f on a thread of its own and waits for it at most kBound. If f never
// returns (the behaviour under test is broken), the thread is detached so the
// test fails instead of hanging; f keeps what it uses alive (shared_ptr).
template <class T>
class Bounded {
 public:
  explicit Bounded(std::function<T()> f) {
    auto p = std::make_shared<std::promise<T>>();
    result_ = p->get_future();
    thread_ = std::thread([p, f = std::move(f)] { p->set_value(f()); });
  }
  ~Bounded() {
    if (result_.valid() && result_.wait_for(0s) != std::future_status::ready) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
  // The result, or nullopt if f did not return within kBound.
  std::optional<T> wait() {
    if (result_.wait_for(kBound) != std::future_status::ready) return std::nullopt;
    return result_.get();
  }

 private:
  std::future<T> result_;
  std::thread thread_;
};

// A queue and its clock on the heap, shared with the threads of a test.
template <class ClockT>
struct World {
  ClockT clock;
  WorkQueue queue{clock};
};

class WorkQueueTest : public testing::Test {
 protected:
  std::shared_ptr<World<k8s::testing::FakeClock>> world_ =
      std::make_shared<World<k8s::testing::FakeClock>>();
  k8s::testing::FakeClock& clock_ = world_->clock;
  WorkQueue& queue_ = world_->queue;
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
  using Key = std::optional<std::string>;
  Bounded<Key> w1([w = world_] { return w->queue.get(); });
  Bounded<Key> w2([w = world_] { return w->queue.get(); });
  queue_.shutdown();
  const auto r1 = w1.wait();
  const auto r2 = w2.wait();
  ASSERT_TRUE(r1 && r2) << "a worker still waits after shutdown()";
  EXPECT_EQ(*r1, std::nullopt);
  EXPECT_EQ(*r2, std::nullopt);
}

TEST_F(WorkQueueTest, AnAddWakesABlockedWorker) {
  Bounded<std::optional<std::string>> worker([w = world_] { return w->queue.get(); });
  queue_.add("a");
  EXPECT_EQ(worker.wait(), std::optional<std::optional<std::string>>("a"));
}

TEST_F(WorkQueueTest, TheTimerPromotesDelayedKeysOnTheClock) {
  std::stop_source stop;
  Bounded<bool> timer([w = world_, token = stop.get_token()] {
    w->queue.run_timer(token);
    return true;
  });
  Bounded<std::optional<std::string>> worker([w = world_] { return w->queue.get(); });
  queue_.add_after("a", 30s);
  EXPECT_EQ(worker.wait(), std::optional<std::optional<std::string>>("a"));
  // The fake clock advanced exactly by the timer's sleeps: to 30 s, no more.
  std::chrono::nanoseconds slept{0};
  for (auto d : clock_.sleeps()) slept += d;
  EXPECT_EQ(slept, 30s);
  stop.request_stop();
  EXPECT_EQ(timer.wait(), std::optional<bool>(true)) << "the timer ignored its stop token";
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
  auto world = std::make_shared<World<BlockingClock>>();
  std::stop_source stop;
  Bounded<bool> timer([w = world, token = stop.get_token()] {
    w->queue.run_timer(token);
    return true;
  });
  world->queue.add_after("late", 1h);
  EXPECT_EQ(world->clock.wait_for_sleeps(1), std::chrono::nanoseconds(1h));
  world->queue.add_after("later", 2h);  // not earlier: no new sleep needed
  world->queue.add_after("soon", 1s);
  EXPECT_EQ(world->clock.wait_for_sleeps(2), std::chrono::nanoseconds(1s));
  stop.request_stop();
  EXPECT_EQ(timer.wait(), std::optional<bool>(true)) << "the stop did not end the timer's sleep";
}

TEST(WorkQueueTimer, ShutdownEndsTheTimer) {
  auto world = std::make_shared<World<k8s::testing::FakeClock>>();
  Bounded<bool> timer([w = world] {
    w->queue.run_timer({});
    return true;
  });
  world->queue.shutdown();
  EXPECT_EQ(timer.wait(), std::optional<bool>(true));
}

}  // namespace
