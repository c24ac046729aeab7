#pragma once
// The trading simulator's model, as pure functions of (profile, time, size):
// what a pod of a simulated workload demands, what it gets, and how its trade
// latency and guardian scan duration follow. No I/O, no clock.
//
// Demand (cores) at unix time t, for a profile:
//   noise(t)  = noise * (2 * U(seed, floor(t / noisePeriod)) - 1)   (U uniform in [0,1))
//   burst(t)  = burstFactor if (t mod burstEvery) < burstFor, else 1
//   demand(t) = max(0, cores * burst(t) * (1 + noise(t)))
// The noise and bursts are the market's: every pod of a workload sees the same.
//
// Latency (a queue served at the allotted CPU; u = demand / allotted):
//   mean(u)   = kServiceSeconds / (1 - min(u, kUtilizationCap))
//   shift(u)  = u > 1 ? (u - 1) * kThrottlePenaltySeconds : 0    (CFS throttling)
//   P(latency <= x) = 1 - exp(-(x - shift) / mean)  for x > shift, else 0
//   p99(u)    = shift(u) + ln(100) * mean(u);  the average is shift(u) + mean(u)
// Guardian scan: each scan is `demand * kScanPeriodSeconds` core-seconds of
// work done at the allotted cores: scan(u) = u * kScanPeriodSeconds.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

inline constexpr double kServiceSeconds = 0.001;
inline constexpr double kUtilizationCap = 0.98;
inline constexpr double kThrottlePenaltySeconds = 1.0;
inline constexpr double kScanPeriodSeconds = 30.0;

// The workload's demand, from the pod annotation sim.rightsizer.io/profile
// (JSON): {"cores": 0.5, "noise": 0.05, "noisePeriodSeconds": 5,
//  "burstEverySeconds": 60, "burstForSeconds": 10, "burstFactor": 3,
//  "memoryBytes": 314572800, "tradesPerSecond": 100, "seed": 7}
struct DemandProfile {
  double cores = 0.1;
  double noise = 0.0;  // relative, in [0, 1)
  double noise_period_seconds = 5;
  double burst_every_seconds = 0;  // 0: no bursts
  double burst_for_seconds = 0;
  double burst_factor = 1;
  std::int64_t memory_bytes = 64LL << 20;
  double trades_per_second = 100;
  std::uint64_t seed = 1;
};

// nullopt (with `error` set) for text that is not a valid profile.
std::optional<DemandProfile> parse_profile(std::string_view json_text, std::string& error);

// Uniform in [0, 1), a pure function of (seed, n): splitmix64.
double uniform(std::uint64_t seed, std::uint64_t n);

double demand_cores(const DemandProfile& p, double unix_seconds);

// Allotted CPU: the limit when set, else the request (millicores > 0).
double allotted_cores(std::int64_t request_millicores,
                      std::optional<std::int64_t> limit_millicores);

double latency_cdf(double utilization, double seconds);
double latency_p99(double utilization);
double latency_mean(double utilization);  // shift + mean
double guardian_scan_seconds(double utilization);

// Bucket upper bounds of trade_latency_seconds (+Inf implied).
const std::vector<double>& latency_buckets();

}  // namespace sim
