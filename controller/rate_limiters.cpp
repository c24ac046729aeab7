#include "controller/rate_limiters.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace controller {

using std::chrono::nanoseconds;

nanoseconds ItemExponentialRateLimiter::when(const std::string& key) {
  const int exp = failures_[key]++;
  // As client-go: computed in floating point so that a large exponent caps
  // instead of overflowing.
  const double backoff = double(base_.count()) * std::pow(2.0, exp);
  if (backoff >= double(std::numeric_limits<nanoseconds::rep>::max())) return max_;
  return std::min(nanoseconds(static_cast<nanoseconds::rep>(backoff)), max_);
}

int ItemExponentialRateLimiter::num_requeues(const std::string& key) const {
  const auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

BucketRateLimiter::BucketRateLimiter(const k8s::Clock& clock, double qps, int burst)
    : clock_(clock), qps_(qps), burst_(burst), tokens_(burst), last_(clock.now()) {}

nanoseconds BucketRateLimiter::when(const std::string&) {
  const auto now = clock_.now();
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return nanoseconds(0);
  return nanoseconds(static_cast<nanoseconds::rep>(-tokens_ / qps_ * 1e9));
}

nanoseconds MaxOfRateLimiter::when(const std::string& key) {
  nanoseconds longest{0};
  for (auto& l : limiters_) longest = std::max(longest, l->when(key));
  return longest;
}

void MaxOfRateLimiter::forget(const std::string& key) {
  for (auto& l : limiters_) l->forget(key);
}

int MaxOfRateLimiter::num_requeues(const std::string& key) const {
  int most = 0;
  for (const auto& l : limiters_) most = std::max(most, l->num_requeues(key));
  return most;
}

std::unique_ptr<RateLimiter> default_controller_rate_limiter(const k8s::Clock& clock) {
  std::vector<std::unique_ptr<RateLimiter>> limiters;
  limiters.push_back(std::make_unique<ItemExponentialRateLimiter>(std::chrono::milliseconds(5),
                                                                  std::chrono::seconds(1000)));
  limiters.push_back(std::make_unique<BucketRateLimiter>(clock, 10.0, 100));
  return std::make_unique<MaxOfRateLimiter>(std::move(limiters));
}

}  // namespace controller
