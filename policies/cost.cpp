#include "policies/cost.h"

#include <limits>

#include "policies/wide_int.h"

namespace policies {
namespace {

using detail::Int128;

// cents = micro-dollars / 10^4; millicores / 1000; bytes / 2^30.
constexpr Int128 kGiB = Int128{1} << 30;
constexpr Int128 kDenominator = Int128{1000} * kGiB * 10'000;

constexpr Int128 kSaturated = std::numeric_limits<std::int64_t>::max() * kDenominator;

// Saturating arithmetic: absurd inputs give an absurd (capped) cost, never UB.
Int128 sat_mul(Int128 a, Int128 b) {
  Int128 out = 0;
  return __builtin_mul_overflow(a, b, &out) || out > kSaturated ? kSaturated : out;
}

Int128 sat_add(Int128 a, Int128 b) {
  Int128 out = 0;
  return __builtin_add_overflow(a, b, &out) || out > kSaturated ? kSaturated : out;
}

// Exact cost of one replica, scaled by kDenominator (so in 1/kDenominator cents).
Int128 scaled_cost(const Resources& r, const Prices& p) {
  const Int128 cpu = r.cpu_millicores < 0 ? 0 : r.cpu_millicores;
  const Int128 mem = r.memory_bytes < 0 ? 0 : r.memory_bytes;
  const Int128 cpu_price = p.cpu_core_month.micro < 0 ? 0 : p.cpu_core_month.micro;
  const Int128 mem_price = p.memory_gib_month.micro < 0 ? 0 : p.memory_gib_month.micro;
  return sat_add(sat_mul(sat_mul(cpu, cpu_price), kGiB), sat_mul(sat_mul(mem, mem_price), 1000));
}

Cents round_half_up(Int128 scaled) {
  const Int128 cents = (scaled + kDenominator / 2) / kDenominator;
  constexpr Int128 kMax = std::numeric_limits<std::int64_t>::max();
  return Cents{static_cast<std::int64_t>(cents > kMax ? kMax : cents)};
}

}  // namespace

Cents monthly_cost(const Resources& container, const Prices& prices) {
  return round_half_up(scaled_cost(container, prices));
}

Cents monthly_cost(std::span<const Resources> containers, std::int64_t replicas,
                   const Prices& prices) {
  Int128 sum = 0;
  for (const auto& c : containers) sum = sat_add(sum, scaled_cost(c, prices));
  return round_half_up(sat_mul(sum, replicas < 0 ? 0 : replicas));
}

CostComparison compare_cost(std::span<const Resources> current, std::span<const Resources> target,
                            std::int64_t replicas, const Prices& prices) {
  CostComparison out;
  out.current = monthly_cost(current, replicas, prices);
  out.target = monthly_cost(target, replicas, prices);
  out.savings = out.current - out.target;
  return out;
}

CostComparison total(std::span<const CostComparison> items) {
  CostComparison out;
  for (const auto& i : items) {
    out.current = out.current + i.current;
    out.target = out.target + i.target;
    out.savings = out.savings + i.savings;
  }
  return out;
}

}  // namespace policies
