#pragma once
// Exponential backoff with jitter that resets after a stable period: the
// delay doubles from `initial` to `max`; if no delay was asked for during
// `reset_after`, the next one starts again from `initial`. Not thread-safe.
#include <chrono>
#include <optional>

#include "k8s/clock.h"

namespace k8s {

struct BackoffPolicy {
  std::chrono::milliseconds initial{800};
  std::chrono::milliseconds max{30'000};
  double factor = 2.0;
  double jitter = 0.2;  // the delay varies within ±jitter of its nominal value
  std::chrono::milliseconds reset_after{120'000};
};

class Backoff {
 public:
  Backoff(BackoffPolicy policy, const Clock& clock, RandomSource& random)
      : policy_(policy), clock_(clock), random_(random) {}

  // The delay before the next attempt.
  std::chrono::milliseconds next();
  void reset() { nominal_.reset(); }

 private:
  BackoffPolicy policy_;
  const Clock& clock_;
  RandomSource& random_;
  std::optional<std::chrono::milliseconds> nominal_;
  std::optional<Clock::Monotonic> last_call_;
};

}  // namespace k8s
