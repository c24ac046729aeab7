#pragma once
// What `rightsizer report` tells a FinOps reader (DESIGN §7), as a pure model
// built from Rightsizings: per workload and in total, the monthly cost before
// Rightsizer changed anything against the optimized cost, CPU and memory
// utilisation before and after, savings per month and per year (projected and
// realised), the rollbacks with the check that caused them, and the cost per
// trade when a trade rate is given. No I/O; the renderers are in
// finops_render.h.
//
// Money (integer cents, never a float) comes from each status's monthlyCost,
// which the operator computes at the policy's prices × replicas:
//
//   running    = monthlyCost.current            (the size running now)
//   realised   = monthlyCost.realized  (absent: 0, nothing rolled out yet)
//   current    = running + realised             (the size before Rightsizer)
//   target     = monthlyCost.target    (absent: running, no savings claimed)
//   projected  = current − target               (savings once at target)
//   per year   = 12 × per month
//
// Utilisation, per replica and summed over the containers whose usage is
// known (both numerator and denominator), in tenths of a percent:
//
//   cpu    before = Σ cpuP50 / Σ request before   after = Σ cpuP50 / Σ request after
//   memory before = Σ memoryPeak / Σ request before, after likewise
//
// where "before" is the container's `original` requests (else `current`) and
// "after" its `recommended` requests (else `current`). Totals weight each
// workload by its replicas.
//
// Cost per trade, with a trade rate r (trades per second, for all workloads
// together) over a 730-hour month (365 × 24 / 12):
//
//   cost per trade = monthly cost / (r × 2 628 000 s), in micro-units, rounded half up
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "controller/cluster_objects.h"
#include "policies/cost.h"
#include "policies/money.h"

namespace controller {

// A month of 730 hours, as cloud price lists count it.
inline constexpr std::int64_t kSecondsPerMonth = 730 * 3600;

// used / requested in one unit (millicores or bytes).
struct Utilization {
  std::int64_t used = 0;
  std::int64_t requested = 0;
  // Tenths of a percent, rounded half up; nullopt when nothing is requested.
  [[nodiscard]] std::optional<std::int64_t> permille() const;
  friend bool operator==(const Utilization&, const Utilization&) = default;
};

struct ContainerFigures {
  std::string name;
  policies::Resources before, after;  // requests of one replica
  // Usage of one replica (millicores, bytes); nullopt when not known.
  std::optional<std::int64_t> cpu_p50, cpu_p95, cpu_peak, memory_peak;
};

struct RollbackRecord {
  std::optional<policies::Timestamp> at;
  std::string check, observed, threshold, baseline, reason;  // "" when not recorded
};

struct MoneyFigures {
  policies::Cents current;  // before Rightsizer's changes
  policies::Cents running;  // the size running now
  policies::Cents target;   // the optimized size
  policies::Cents realized;
  [[nodiscard]] policies::Cents projected() const { return current - target; }
  friend bool operator==(const MoneyFigures&, const MoneyFigures&) = default;
};

struct UtilizationFigures {
  Utilization cpu_before, cpu_after, memory_before, memory_after;
  friend bool operator==(const UtilizationFigures&, const UtilizationFigures&) = default;
};

struct WorkloadFigures {
  std::string namespace_name;
  std::string workload;  // "Deployment/engine"
  std::string phase;     // "" when unknown
  std::int32_t replicas = 1;
  std::string currency;
  std::optional<MoneyFigures> money;  // nullopt: no (readable) monthlyCost yet
  UtilizationFigures utilization;     // of one replica
  policies::Resources before, after;  // requests of one replica, all containers
  std::vector<ContainerFigures> containers;
  std::optional<RollbackRecord> rollback;
};

struct FinOpsTotals {
  MoneyFigures money;                 // over the workloads in the report's currency
  UtilizationFigures utilization;     // × replicas
  policies::Resources before, after;  // requests × replicas, all workloads
  int workloads = 0;
  int rollbacks = 0;
  // Micro-units of the currency per trade; nullopt without a trade rate.
  std::optional<std::int64_t> cost_per_trade_current, cost_per_trade_target;
};

struct FinOpsOptions {
  bool all_namespaces = false;
  // Trades per second of all workloads together, in millionths (0.001099 → 1099).
  std::optional<std::int64_t> trades_per_second_micro;
};

struct FinOpsReport {
  bool all_namespaces = false;
  std::string currency;  // of the money totals ("USD" when no workload is priced)
  std::vector<WorkloadFigures> workloads;
  FinOpsTotals totals;
  std::optional<std::int64_t> trades_per_second_micro;
  std::vector<std::string> notes;  // what is left out of the totals, and why
};

// One entry per Rightsizing, sorted by namespace and workload. The report's
// currency is the one most priced workloads use (a tie: the first in that
// order). Workloads without money or in another currency are listed but left
// out of the money totals (with a note).
FinOpsReport build_finops_report(std::span<const RightsizingObject> rightsizings,
                                 const FinOpsOptions& options);

// Cost per trade in micro-units for `monthly` at `trades_per_second_micro`
// (nullopt when the rate is not positive).
std::optional<std::int64_t> cost_per_trade_micro(policies::Cents monthly,
                                                 std::int64_t trades_per_second_micro);

}  // namespace controller
