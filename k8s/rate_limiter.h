#pragma once
// Client-side token bucket: `qps` tokens per second, at most `burst` saved.
// Callers reserve a token and wait outside the lock. Thread-safe.
#include <chrono>
#include <mutex>
#include <stop_token>

#include "k8s/clock.h"

namespace k8s {

class RateLimiter {
 public:
  RateLimiter(double qps, int burst, Clock& clock);

  // Takes a token, waiting as long as needed; false when stopped meanwhile.
  bool acquire(std::stop_token stop = {});
  // Takes a token and returns how long the caller must wait before using it.
  std::chrono::nanoseconds reserve();

 private:
  double qps_;
  double burst_;
  Clock& clock_;
  std::mutex mu_;
  double tokens_;
  Clock::Monotonic updated_;
};

}  // namespace k8s
