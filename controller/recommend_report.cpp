#include "controller/recommend_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace controller {
namespace {

using policies::ResourceList;
using policies::StatusResources;

std::optional<std::string> pick(const StatusResources& r, bool limits, bool cpu) {
  const auto& list = limits ? r.limits : r.requests;
  if (!list) return std::nullopt;
  return cpu ? list->cpu : list->memory;
}

std::string cell(const RecommendRow& row, bool limits, bool cpu) {
  auto now = pick(row.current, limits, cpu);
  auto next = pick(row.recommended, limits, cpu);
  if (!now && !next) return "-";
  if (!next) return *now;
  return now.value_or("-") + "→" + *next;
}

// Display width: "→" is one column but three bytes.
std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::vector<std::vector<std::string>> table_cells(const RecommendReport& report) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head{"WORKLOAD",  "CONTAINER",      "PHASE",        "CPU REQUEST",
                                "CPU LIMIT", "MEMORY REQUEST", "MEMORY LIMIT", "SAVINGS/MONTH"};
  if (report.all_namespaces) head.insert(head.begin(), "NAMESPACE");
  rows.push_back(head);
  for (const auto& r : report.rows) {
    std::string savings = "-";
    if (r.monthly_savings) savings = *r.monthly_savings + (r.currency ? " " + *r.currency : "");
    std::vector<std::string> cells{r.workload,
                                   r.container.empty() ? "-" : r.container,
                                   r.phase.empty() ? "-" : r.phase,
                                   cell(r, false, true),
                                   cell(r, true, true),
                                   cell(r, false, false),
                                   cell(r, true, false),
                                   savings};
    if (report.all_namespaces) cells.insert(cells.begin(), r.namespace_name);
    rows.push_back(std::move(cells));
  }
  return rows;
}

nlohmann::json resources_json(const StatusResources& r) {
  auto list = [](const std::optional<ResourceList>& l) {
    nlohmann::json j = nlohmann::json::object();
    if (l && l->cpu) j["cpu"] = *l->cpu;
    if (l && l->memory) j["memory"] = *l->memory;
    return j;
  };
  return {{"requests", list(r.requests)}, {"limits", list(r.limits)}};
}

}  // namespace

std::vector<RecommendRow> rows_of(const RightsizingObject& rsz) {
  RecommendRow base;
  base.namespace_name = rsz.namespace_name;
  base.workload = rsz.target ? std::string(to_string(rsz.target->kind)) + "/" + rsz.target->name
                             : "Rightsizing/" + rsz.name;
  if (rsz.status.phase) base.phase = policies::to_string(*rsz.status.phase);
  if (rsz.status.monthly_cost) {
    base.monthly_savings = rsz.status.monthly_cost->savings;
    base.currency = rsz.status.monthly_cost->currency;
  }
  std::vector<RecommendRow> rows;
  for (const auto& c : rsz.status.containers) {
    RecommendRow row = base;
    row.container = c.name;
    if (c.current) row.current = *c.current;
    if (c.recommended) row.recommended = *c.recommended;
    rows.push_back(std::move(row));
  }
  if (rows.empty()) rows.push_back(std::move(base));
  return rows;
}

std::string render_table(const RecommendReport& report) {
  std::string out;
  if (!report.note.empty()) out += report.note + "\n";
  if (report.rows.empty()) return out + "No workloads to report.\n";
  auto rows = table_cells(report);
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], width(r[i]));
  }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line.append(widths[i] - width(r[i]) + 3, ' ');
    }
    out += line + "\n";
  }
  return out;
}

nlohmann::json render_json(const RecommendReport& report) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : report.rows) {
    nlohmann::json item{{"namespace", r.namespace_name},
                        {"workload", r.workload},
                        {"container", r.container},
                        {"phase", r.phase},
                        {"current", resources_json(r.current)},
                        {"recommended", resources_json(r.recommended)}};
    if (r.monthly_savings) item["monthlySavings"] = *r.monthly_savings;
    if (r.currency) item["currency"] = *r.currency;
    items.push_back(std::move(item));
  }
  nlohmann::json out{{"items", std::move(items)}};
  if (!report.note.empty()) out["note"] = report.note;
  return out;
}

}  // namespace controller
