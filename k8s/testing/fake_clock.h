#pragma once
// Test doubles for time and randomness. sleep_for() advances the fake time at
// once and records the requested duration, so code that waits runs instantly.
#include <atomic>
#include <chrono>
#include <mutex>
#include <vector>

#include "k8s/clock.h"

namespace k8s::testing {

class FakeClock final : public Clock {
 public:
  FakeClock() : mono_(std::chrono::hours(1000)), wall_(std::chrono::seconds(1'700'000'000)) {}

  [[nodiscard]] Monotonic now() const override {
    std::lock_guard lock(mu_);
    return mono_;
  }
  [[nodiscard]] Wall wall_now() const override {
    std::lock_guard lock(mu_);
    return wall_;
  }
  bool sleep_for(std::chrono::nanoseconds d, std::stop_token stop = {}) override {
    if (stop.stop_requested()) return false;
    {
      std::lock_guard lock(mu_);
      sleeps_.push_back(d);
    }
    advance(d);
    return !stop.stop_requested();
  }
  void advance(std::chrono::nanoseconds d) {
    std::lock_guard lock(mu_);
    mono_ += std::chrono::duration_cast<Monotonic::duration>(d);
    wall_ += std::chrono::duration_cast<Wall::duration>(d);
  }
  [[nodiscard]] std::vector<std::chrono::nanoseconds> sleeps() const {
    std::lock_guard lock(mu_);
    return sleeps_;
  }
  void clear_sleeps() {
    std::lock_guard lock(mu_);
    sleeps_.clear();
  }

 private:
  mutable std::mutex mu_;
  Monotonic mono_;
  Wall wall_;
  std::vector<std::chrono::nanoseconds> sleeps_;
};

// Returns a fixed value (0.5 by default): jitter becomes deterministic.
class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(double value = 0.5) : value_(value) {}
  double uniform() override { return value_.load(); }
  void set(double v) { value_.store(v); }

 private:
  std::atomic<double> value_;
};

}  // namespace k8s::testing
