// The JSON rendering of the FinOps report: money as decimal strings (the
// status's own format), utilisation as percent strings with one decimal.
#include <nlohmann/json.hpp>

#include "controller/finops_render.h"
#include "policies/quantity.h"

namespace controller {
namespace {

using nlohmann::json;
using policies::Cents;
using policies::format_dollars;

std::string percent(std::optional<std::int64_t> permille) {
  if (!permille) return "";
  auto text = format_percent(permille);
  return text.substr(0, text.size() - 2);  // without " %"
}

json money_json(const MoneyFigures& m, std::int64_t times) {
  const auto f = [times](Cents c) { return format_dollars(Cents{c.value * times}); };
  return {{"current", f(m.current)},
          {"running", f(m.running)},
          {"target", f(m.target)},
          {"savings", f(m.projected())},
          {"realized", f(m.realized)}};
}

json utilization_json(const Utilization& before, const Utilization& after) {
  json j = json::object();
  if (auto p = before.permille()) j["utilizationBefore"] = percent(p);
  if (auto p = after.permille()) j["utilizationAfter"] = percent(p);
  return j;
}

json resources_json(const UtilizationFigures& u, const policies::Resources& before,
                    const policies::Resources& after) {
  json cpu = utilization_json(u.cpu_before, u.cpu_after);
  cpu["requestBefore"] = policies::format_millicores(before.cpu_millicores);
  cpu["requestAfter"] = policies::format_millicores(after.cpu_millicores);
  json memory = utilization_json(u.memory_before, u.memory_after);
  memory["requestBefore"] = policies::format_bytes(before.memory_bytes);
  memory["requestAfter"] = policies::format_bytes(after.memory_bytes);
  return {{"cpu", std::move(cpu)}, {"memory", std::move(memory)}};
}

json container_json(const ContainerFigures& c) {
  json usage = json::object();
  if (c.cpu_p50) usage["cpuP50"] = policies::format_millicores(*c.cpu_p50);
  if (c.cpu_p95) usage["cpuP95"] = policies::format_millicores(*c.cpu_p95);
  if (c.cpu_peak) usage["cpuPeak"] = policies::format_millicores(*c.cpu_peak);
  if (c.memory_peak) usage["memoryPeak"] = policies::format_bytes(*c.memory_peak);
  const auto requests = [](const policies::Resources& r) {
    return json{{"cpu", policies::format_millicores(r.cpu_millicores)},
                {"memory", policies::format_bytes(r.memory_bytes)}};
  };
  return {{"name", c.name},
          {"requestsBefore", requests(c.before)},
          {"requestsAfter", requests(c.after)},
          {"usage", std::move(usage)}};
}

json rollback_json(const RollbackRecord& b) {
  json j = json::object();
  if (b.at) j["at"] = policies::format_timestamp(*b.at);
  const auto put = [&j](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  put("check", b.check);
  put("observed", b.observed);
  put("threshold", b.threshold);
  put("baseline", b.baseline);
  put("reason", b.reason);
  return j;
}

json workload_json(const WorkloadFigures& w) {
  json j = resources_json(w.utilization, w.before, w.after);
  j["namespace"] = w.namespace_name;
  j["workload"] = w.workload;
  j["phase"] = w.phase;
  j["replicas"] = w.replicas;
  if (w.money) {
    j["currency"] = w.currency;
    j["monthly"] = money_json(*w.money, 1);
    j["annual"] = money_json(*w.money, 12);
  }
  j["containers"] = json::array();
  for (const auto& c : w.containers) j["containers"].push_back(container_json(c));
  if (w.rollback) j["rollback"] = rollback_json(*w.rollback);
  return j;
}

}  // namespace

json render_finops_json(const FinOpsReport& r) {
  const auto& t = r.totals;
  json totals = resources_json(t.utilization, t.before, t.after);
  totals["workloads"] = t.workloads;
  totals["rollbacks"] = t.rollbacks;
  totals["monthly"] = money_json(t.money, 1);
  totals["annual"] = money_json(t.money, 12);
  if (t.cost_per_trade_current && t.cost_per_trade_target) {
    totals["costPerTrade"] = {{"current", format_micro_units(*t.cost_per_trade_current)},
                              {"target", format_micro_units(*t.cost_per_trade_target)}};
  }
  json out{{"currency", r.currency}, {"totals", std::move(totals)}, {"workloads", json::array()}};
  if (r.trades_per_second_micro) out["tradesPerSecond"] = format_rate(*r.trades_per_second_micro);
  for (const auto& w : r.workloads) out["workloads"].push_back(workload_json(w));
  out["notes"] = r.notes;
  return out;
}

}  // namespace controller
