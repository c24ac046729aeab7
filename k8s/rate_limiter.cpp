#include "k8s/rate_limiter.h"

#include <algorithm>

namespace k8s {

RateLimiter::RateLimiter(double qps, int burst, Clock& clock)
    : qps_(qps),
      burst_(std::max(1, burst)),
      clock_(clock),
      tokens_(burst_),
      updated_(clock.now()) {}

std::chrono::nanoseconds RateLimiter::reserve() {
  if (qps_ <= 0) return std::chrono::nanoseconds(0);  // unlimited
  std::lock_guard lock(mu_);
  auto now = clock_.now();
  double elapsed = std::chrono::duration<double>(now - updated_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
  updated_ = now;
  tokens_ -= 1.0;  // may go negative: later callers queue behind this one
  if (tokens_ >= 0) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(static_cast<long long>(-tokens_ / qps_ * 1e9));
}

bool RateLimiter::acquire(std::stop_token stop) {
  auto wait = reserve();
  if (wait.count() == 0) return !stop.stop_requested();
  return clock_.sleep_for(wait, stop);
}

}  // namespace k8s
