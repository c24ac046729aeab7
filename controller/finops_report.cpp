#include "controller/finops_report.h"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

#include "controller/policy_status_builder.h"
#include "policies/quantity.h"

namespace controller {
namespace {

// Exact intermediate products (bytes × replicas × 1000, cents × 10^10).
__extension__ typedef __int128 Int128;

using policies::Cents;
using policies::ResourceList;
using policies::StatusResources;

std::int64_t saturate(Int128 v) {
  constexpr Int128 kMax = std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(v > kMax ? kMax : (v < -kMax ? -kMax : v));
}

std::int64_t sat_add(std::int64_t a, Int128 b) {
  return saturate(Int128{a} + b);
}

// Rounded half up, for non-negative operands and a positive divisor.
Int128 divide_half_up(Int128 num, Int128 den) {
  return (2 * num + den) / (2 * den);
}

std::optional<std::int64_t> millis(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto v = policies::parse_millis(*text);
  return v ? std::optional(*v) : std::nullopt;
}

std::optional<std::int64_t> units(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto v = policies::parse_units(*text);
  return v ? std::optional(*v) : std::nullopt;
}

// The requests of `r` (unset: 0), or nullopt when `r` says nothing about them.
std::optional<policies::Resources> requests_of(const policies::HeapOptional<StatusResources>& r) {
  if (!r || !r->requests) return std::nullopt;
  return policies::Resources{millis(r->requests->cpu).value_or(0),
                             units(r->requests->memory).value_or(0)};
}

ContainerFigures container_figures(const policies::ContainerStatus& c) {
  ContainerFigures f;
  f.name = c.name;
  const auto current = requests_of(c.current).value_or(policies::Resources{});
  f.before = requests_of(c.original).value_or(current);
  f.after = requests_of(c.recommended).value_or(current);
  if (c.usage) {
    f.cpu_p50 = millis(c.usage->cpu_p50);
    f.cpu_p95 = millis(c.usage->cpu_p95);
    f.cpu_peak = millis(c.usage->cpu_peak);
    f.memory_peak = units(c.usage->memory_peak);
  }
  return f;
}

// Adds one replica's figures `times` times.
void add_utilization(UtilizationFigures& u, const ContainerFigures& c, std::int64_t times) {
  if (c.cpu_p50) {
    u.cpu_before.used = sat_add(u.cpu_before.used, Int128{*c.cpu_p50} * times);
    u.cpu_after.used = sat_add(u.cpu_after.used, Int128{*c.cpu_p50} * times);
    u.cpu_before.requested =
        sat_add(u.cpu_before.requested, Int128{c.before.cpu_millicores} * times);
    u.cpu_after.requested = sat_add(u.cpu_after.requested, Int128{c.after.cpu_millicores} * times);
  }
  if (c.memory_peak) {
    u.memory_before.used = sat_add(u.memory_before.used, Int128{*c.memory_peak} * times);
    u.memory_after.used = sat_add(u.memory_after.used, Int128{*c.memory_peak} * times);
    u.memory_before.requested =
        sat_add(u.memory_before.requested, Int128{c.before.memory_bytes} * times);
    u.memory_after.requested =
        sat_add(u.memory_after.requested, Int128{c.after.memory_bytes} * times);
  }
}

void add_requests(policies::Resources& before, policies::Resources& after,
                  const ContainerFigures& c, std::int64_t times) {
  before.cpu_millicores = sat_add(before.cpu_millicores, Int128{c.before.cpu_millicores} * times);
  before.memory_bytes = sat_add(before.memory_bytes, Int128{c.before.memory_bytes} * times);
  after.cpu_millicores = sat_add(after.cpu_millicores, Int128{c.after.cpu_millicores} * times);
  after.memory_bytes = sat_add(after.memory_bytes, Int128{c.after.memory_bytes} * times);
}

std::optional<MoneyFigures> money_of(const policies::MonthlyCostText& cost) {
  const auto running = cost.current ? parse_dollars(*cost.current) : std::nullopt;
  if (!running) return std::nullopt;
  MoneyFigures m;
  m.running = *running;
  m.realized = cost.realized ? parse_dollars(*cost.realized).value_or(Cents{}) : Cents{};
  m.current = m.running + m.realized;
  m.target = cost.target ? parse_dollars(*cost.target).value_or(m.running) : m.running;
  return m;
}

std::optional<RollbackRecord> rollback_of(const policies::RightsizingStatus& s) {
  if (!s.last_rollback) return std::nullopt;
  const auto& r = *s.last_rollback;
  RollbackRecord out;
  out.at = r.at;
  out.check = r.check.value_or("");
  out.observed = r.observed.value_or("");
  out.threshold = r.threshold.value_or("");
  out.baseline = r.baseline.value_or("");
  out.reason = r.reason.value_or("");
  return out;
}

WorkloadFigures workload_figures(const RightsizingObject& rsz) {
  WorkloadFigures w;
  w.namespace_name = rsz.namespace_name;
  w.workload = rsz.target ? std::string(to_string(rsz.target->kind)) + "/" + rsz.target->name
                          : "Rightsizing/" + rsz.name;
  const auto& s = rsz.status;
  if (s.phase) w.phase = policies::to_string(*s.phase);
  w.replicas = std::max<std::int32_t>(s.replicas.value_or(1), 0);
  if (s.monthly_cost) {
    w.currency = s.monthly_cost->currency.value_or("USD");
    w.money = money_of(*s.monthly_cost);
  }
  for (const auto& c : s.containers) {
    w.containers.push_back(container_figures(c));
    add_utilization(w.utilization, w.containers.back(), 1);
    add_requests(w.before, w.after, w.containers.back(), 1);
  }
  w.rollback = rollback_of(s);
  return w;
}

void add_money(MoneyFigures& sum, const MoneyFigures& m) {
  sum.current = sum.current + m.current;
  sum.running = sum.running + m.running;
  sum.target = sum.target + m.target;
  sum.realized = sum.realized + m.realized;
}

void add_totals(FinOpsReport& report, const WorkloadFigures& w) {
  auto& t = report.totals;
  ++t.workloads;
  if (w.rollback) ++t.rollbacks;
  for (const auto& c : w.containers) {
    add_utilization(t.utilization, c, w.replicas);
    add_requests(t.before, t.after, c, w.replicas);
  }
  const std::string where = w.namespace_name + "/" + w.workload;
  if (!w.money) {
    report.notes.push_back(where + ": no monthly cost yet; not in the money totals");
  } else if (w.currency != report.currency) {
    report.notes.push_back(where + ": priced in " + w.currency + ", not " + report.currency +
                           "; not in the money totals");
  } else {
    add_money(t.money, *w.money);
  }
}

// The currency most priced workloads use (a tie: the first in order); "USD"
// when none is priced.
std::string majority_currency(const std::vector<WorkloadFigures>& workloads) {
  std::map<std::string, int, std::less<>> counts;
  std::string best = "USD";
  int best_count = 0;
  for (const auto& w : workloads) {
    if (!w.money) continue;
    const int n = ++counts[w.currency];
    if (n > best_count) {
      best = w.currency;
      best_count = n;
    }
  }
  return best;
}

}  // namespace

std::optional<std::int64_t> Utilization::permille() const {
  if (requested <= 0) return std::nullopt;
  return saturate(divide_half_up(Int128{used < 0 ? 0 : used} * 1000, requested));
}

std::optional<std::int64_t> cost_per_trade_micro(Cents monthly,
                                                 std::int64_t trades_per_second_micro) {
  if (trades_per_second_micro <= 0 || monthly.value < 0) return std::nullopt;
  // cents × 10^4 = micro-units; trades a month = rate_micro × seconds / 10^6.
  const Int128 num = Int128{monthly.value} * 10'000 * 1'000'000;
  const Int128 den = Int128{trades_per_second_micro} * kSecondsPerMonth;
  return saturate(divide_half_up(num, den));
}

FinOpsReport build_finops_report(std::span<const RightsizingObject> rightsizings,
                                 const FinOpsOptions& options) {
  FinOpsReport report;
  report.all_namespaces = options.all_namespaces;
  report.trades_per_second_micro = options.trades_per_second_micro;
  for (const auto& rsz : rightsizings) report.workloads.push_back(workload_figures(rsz));
  std::ranges::stable_sort(report.workloads, [](const auto& a, const auto& b) {
    return std::tie(a.namespace_name, a.workload) < std::tie(b.namespace_name, b.workload);
  });
  report.currency = majority_currency(report.workloads);
  for (const auto& w : report.workloads) add_totals(report, w);
  if (options.trades_per_second_micro) {
    const auto rate = *options.trades_per_second_micro;
    report.totals.cost_per_trade_current = cost_per_trade_micro(report.totals.money.current, rate);
    report.totals.cost_per_trade_target = cost_per_trade_micro(report.totals.money.target, rate);
  }
  return report;
}

}  // namespace controller
