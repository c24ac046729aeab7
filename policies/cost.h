#pragma once
// The cost model (DESIGN §7): monthly cost of requested CPU and memory at
// per-core-month and per-GiB-month prices, in integer cents.
//
//   cost = Σ_containers replicas × (millicores / 1000 × cpuCoreMonth
//                                   + bytes / 2^30 × memoryGiBMonth)
//
// computed exactly (128-bit rational arithmetic) and rounded half up to the
// cent once per figure (per container, or per workload). Savings are the
// difference of the two rounded figures, so they add up on a bill.
#include <cstdint>
#include <span>

#include "policies/money.h"

namespace policies {

struct Resources {
  std::int64_t cpu_millicores = 0;
  std::int64_t memory_bytes = 0;
  friend bool operator==(const Resources&, const Resources&) = default;
};

struct Prices {
  Price cpu_core_month{15'000'000};   // $15.00 per core and month
  Price memory_gib_month{3'000'000};  // $3.00 per GiB and month
};

// One replica of one container.
Cents monthly_cost(const Resources& container, const Prices& prices);

// A workload: every container of its pod template, times its replicas.
Cents monthly_cost(std::span<const Resources> containers, std::int64_t replicas,
                   const Prices& prices);

struct CostComparison {
  Cents current;
  Cents target;
  Cents savings;  // current - target; negative when the target costs more
  Cents savings_per_year() const { return Cents{savings.value * 12}; }
};

CostComparison compare_cost(std::span<const Resources> current, std::span<const Resources> target,
                            std::int64_t replicas, const Prices& prices);

// Sums comparisons (e.g. all workloads of a policy).
CostComparison total(std::span<const CostComparison> items);

}  // namespace policies
