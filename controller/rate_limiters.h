#pragma once
// Per-key retry delays for the work queue, with client-go's semantics
// (util/workqueue/default_rate_limiters.go): an exponential per-item
// backoff, a token bucket shared by all items, and the larger of both.
// Time comes from a k8s::Clock. Not thread-safe: the WorkQueue calls these
// under its lock.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "k8s/clock.h"

namespace controller {

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // How long `key` should wait before its next attempt; counts a failure.
  virtual std::chrono::nanoseconds when(const std::string& key) = 0;
  // Clears the key's failure history (after a success).
  virtual void forget(const std::string& key) = 0;
  virtual int num_requeues(const std::string& key) const = 0;
};

// base × 2^failures, capped at max_delay.
class ItemExponentialRateLimiter final : public RateLimiter {
 public:
  ItemExponentialRateLimiter(std::chrono::nanoseconds base_delay,
                             std::chrono::nanoseconds max_delay)
      : base_(base_delay), max_(max_delay) {}
  std::chrono::nanoseconds when(const std::string& key) override;
  void forget(const std::string& key) override { failures_.erase(key); }
  int num_requeues(const std::string& key) const override;

 private:
  std::chrono::nanoseconds base_, max_;
  std::unordered_map<std::string, int> failures_;
};

// golang.org/x/time/rate's Limiter with Reserve().Delay(): starts with
// `burst` tokens, refills at `qps`; each call takes a token, possibly
// borrowing from the future, and returns how long until it is paid for.
class BucketRateLimiter final : public RateLimiter {
 public:
  BucketRateLimiter(const k8s::Clock& clock, double qps, int burst);
  std::chrono::nanoseconds when(const std::string& key) override;
  void forget(const std::string&) override {}
  int num_requeues(const std::string&) const override { return 0; }

 private:
  const k8s::Clock& clock_;
  double qps_;
  double burst_;
  double tokens_;
  k8s::Clock::Monotonic last_;
};

// Asks every limiter (so each records the attempt) and returns the longest.
class MaxOfRateLimiter final : public RateLimiter {
 public:
  explicit MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters)
      : limiters_(std::move(limiters)) {}
  std::chrono::nanoseconds when(const std::string& key) override;
  void forget(const std::string& key) override;
  int num_requeues(const std::string& key) const override;

 private:
  std::vector<std::unique_ptr<RateLimiter>> limiters_;
};

// controller-runtime's default: max(5 ms × 2^n capped at 1000 s, 10 qps / burst 100).
std::unique_ptr<RateLimiter> default_controller_rate_limiter(const k8s::Clock& clock);

}  // namespace controller
