#include "sim_model.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace sim {

std::optional<DemandProfile> parse_profile(std::string_view json_text, std::string& error) {
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (!j.is_object()) {
    error = "profile is not a JSON object";
    return std::nullopt;
  }
  DemandProfile p;
  const auto num = [&](const char* key, double& out, double lo, double hi) {
    if (!j.contains(key)) return true;
    if (!j[key].is_number() || !(j[key].get<double>() >= lo && j[key].get<double>() <= hi)) {
      error = std::string(key) + " must be a number in [" + std::to_string(lo) + ", " +
              std::to_string(hi) + "]";
      return false;
    }
    out = j[key].get<double>();
    return true;
  };
  double memory = static_cast<double>(p.memory_bytes);
  double seed = static_cast<double>(p.seed);
  const bool ok = num("cores", p.cores, 0, 1024) && num("noise", p.noise, 0, 0.99) &&
                  num("noisePeriodSeconds", p.noise_period_seconds, 0.001, 86400) &&
                  num("burstEverySeconds", p.burst_every_seconds, 0, 86400) &&
                  num("burstForSeconds", p.burst_for_seconds, 0, 86400) &&
                  num("burstFactor", p.burst_factor, 0, 100) &&
                  num("memoryBytes", memory, 0, 1e15) &&
                  num("tradesPerSecond", p.trades_per_second, 0, 1e6) && num("seed", seed, 0, 1e15);
  if (!ok) return std::nullopt;
  p.memory_bytes = static_cast<std::int64_t>(memory);
  p.seed = static_cast<std::uint64_t>(seed);
  return p;
}

double uniform(std::uint64_t seed, std::uint64_t n) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + n + 0x632BE59BD9B4E019ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

double demand_cores(const DemandProfile& p, double unix_seconds) {
  const auto slot =
      static_cast<std::uint64_t>(std::max(0.0, unix_seconds) / p.noise_period_seconds);
  const double noise = p.noise * (2 * uniform(p.seed, slot) - 1);
  double burst = 1;
  if (p.burst_every_seconds > 0 &&
      std::fmod(std::max(0.0, unix_seconds), p.burst_every_seconds) < p.burst_for_seconds)
    burst = p.burst_factor;
  return std::max(0.0, p.cores * burst * (1 + noise));
}

double allotted_cores(std::int64_t request_millicores,
                      std::optional<std::int64_t> limit_millicores) {
  const auto m = limit_millicores.value_or(request_millicores);
  return static_cast<double>(std::max<std::int64_t>(m, 1)) / 1000.0;
}

namespace {

double mean_seconds(double u) {
  return kServiceSeconds / (1 - std::min(u, kUtilizationCap));
}

double shift_seconds(double u) {
  return u > 1 ? (u - 1) * kThrottlePenaltySeconds : 0;
}

}  // namespace

double latency_cdf(double utilization, double seconds) {
  const double shift = shift_seconds(utilization);
  if (seconds <= shift) return 0;
  return 1 - std::exp(-(seconds - shift) / mean_seconds(utilization));
}

double latency_p99(double utilization) {
  return shift_seconds(utilization) + std::log(100.0) * mean_seconds(utilization);
}

double latency_mean(double utilization) {
  return shift_seconds(utilization) + mean_seconds(utilization);
}

double guardian_scan_seconds(double utilization) {
  return utilization * kScanPeriodSeconds;
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> kBuckets{0.001,  0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01,
                                            0.0125, 0.015, 0.02,  0.025, 0.03,  0.04,  0.05,  0.06,
                                            0.075,  0.09,  0.1,   0.125, 0.15,  0.2,   0.25,  0.3,
                                            0.4,    0.5,   0.75,  1,     2.5,   5};
  return kBuckets;
}

}  // namespace sim
