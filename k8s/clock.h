#pragma once
// Time as a dependency: everything in k8s/ that waits or reads the time does
// so through a Clock, so tests drive time with a fake clock instead of sleeping.
#include <chrono>
#include <memory>
#include <stop_token>

namespace k8s {

class Clock {
 public:
  using Monotonic = std::chrono::steady_clock::time_point;
  using Wall = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;
  // Monotonic time for deadlines and intervals.
  [[nodiscard]] virtual Monotonic now() const = 0;
  // Calendar time, only for timestamps written into API objects.
  [[nodiscard]] virtual Wall wall_now() const = 0;
  // Waits for `d` or until `stop` is requested; returns false when stopped.
  virtual bool sleep_for(std::chrono::nanoseconds d, std::stop_token stop = {}) = 0;
};

// The real clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  [[nodiscard]] Monotonic now() const override { return std::chrono::steady_clock::now(); }
  [[nodiscard]] Wall wall_now() const override { return std::chrono::system_clock::now(); }
  bool sleep_for(std::chrono::nanoseconds d, std::stop_token stop = {}) override;
};

// Randomness as a dependency, for jitter.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // A uniformly distributed value in [0, 1).
  virtual double uniform() = 0;
};

// A seeded Mersenne twister behind a mutex. Thread-safe.
class SystemRandom final : public RandomSource {
 public:
  SystemRandom();
  ~SystemRandom() override;
  double uniform() override;

 private:
  struct State;
  std::unique_ptr<State> state_;  // keeps <random> out of this header
};

}  // namespace k8s
