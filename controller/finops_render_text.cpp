// Text and Markdown renderings of the FinOps report.
#include <algorithm>
#include <string>
#include <vector>

#include "controller/finops_render.h"

namespace controller {
namespace {

using policies::Cents;
using policies::format_dollars;
using Row = std::vector<std::string>;

Cents annual(Cents c) {
  return Cents{c.value * 12};
}

std::string ratio(std::optional<std::int64_t> before, std::optional<std::int64_t> after) {
  return format_percent(before) + "→" + format_percent(after);
}

Row header(bool all_namespaces) {
  Row h{"WORKLOAD",   "PHASE",      "REPLICAS",    "CURRENT/MO", "OPTIMIZED/MO",
        "SAVINGS/MO", "SAVINGS/YR", "REALISED/MO", "CPU UTIL",   "MEMORY UTIL"};
  if (all_namespaces) h.insert(h.begin(), "NAMESPACE");
  return h;
}

Row money_cells(const std::optional<MoneyFigures>& m) {
  if (!m) return {"-", "-", "-", "-", "-"};
  return {format_dollars(m->current), format_dollars(m->target), format_dollars(m->projected()),
          format_dollars(annual(m->projected())), format_dollars(m->realized)};
}

Row util_cells(const UtilizationFigures& u) {
  return {ratio(u.cpu_before.permille(), u.cpu_after.permille()),
          ratio(u.memory_before.permille(), u.memory_after.permille())};
}

std::vector<Row> table_rows(const FinOpsReport& r) {
  std::vector<Row> rows{header(r.all_namespaces)};
  for (const auto& w : r.workloads) {
    Row row{w.workload, w.phase.empty() ? "-" : w.phase, std::to_string(w.replicas)};
    for (auto& c : money_cells(w.money)) row.push_back(std::move(c));
    for (auto& c : util_cells(w.utilization)) row.push_back(std::move(c));
    if (r.all_namespaces) row.insert(row.begin(), w.namespace_name);
    rows.push_back(std::move(row));
  }
  Row total{"TOTAL", "", ""};
  for (auto& c : money_cells(r.totals.money)) total.push_back(std::move(c));
  for (auto& c : util_cells(r.totals.utilization)) total.push_back(std::move(c));
  if (r.all_namespaces) total.insert(total.begin(), "");
  rows.push_back(std::move(total));
  return rows;
}

// Display width: "→" is one column but three bytes.
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::ranges::count_if(
      s, [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string aligned(const std::vector<Row>& rows) {
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], width(r[i]));
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line.append(widths[i] - width(r[i]) + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::optional<std::int64_t> savings_permille(const MoneyFigures& m) {
  return Utilization{m.projected().value, m.current.value}.permille();
}

std::string rollback_line(const WorkloadFigures& w) {
  const auto& b = *w.rollback;
  std::string line = w.namespace_name + " " + w.workload;
  if (b.at) line += " at " + policies::format_timestamp(*b.at);
  line += ": check " + (b.check.empty() ? std::string("-") : b.check);
  if (!b.observed.empty()) line += ", observed " + b.observed;
  if (!b.threshold.empty()) line += ", threshold " + b.threshold;
  if (!b.baseline.empty()) line += ", baseline " + b.baseline;
  if (!b.reason.empty()) line += " — " + b.reason;
  return line;
}

// The summary lines below the table, shared by text and Markdown; amounts
// right-aligned.
std::vector<std::string> summary_lines(const FinOpsReport& r) {
  const auto& t = r.totals;
  const auto& m = t.money;
  const auto& u = t.utilization;
  std::vector<std::string> amounts{format_dollars(m.current), format_dollars(m.target),
                                   format_dollars(m.projected()), format_dollars(m.realized)};
  std::size_t w = 0;
  for (const auto& a : amounts) w = std::max(w, a.size());
  for (auto& a : amounts) a.insert(0, w - a.size(), ' ');
  const std::string cur = " " + r.currency;
  const auto sizes = [&](const policies::Resources& req, const Utilization& cpu,
                         const Utilization& mem) {
    return format_cores(req.cpu_millicores) + " cores @ " + format_percent(cpu.permille()) +
           " CPU, " + format_gib(req.memory_bytes) + " GiB @ " + format_percent(mem.permille()) +
           " memory";
  };
  std::vector<std::string> lines{
      "Current:    " + amounts[0] + cur + "/month  " +
          sizes(t.before, u.cpu_before, u.memory_before),
      "Optimized:  " + amounts[1] + cur + "/month  " + sizes(t.after, u.cpu_after, u.memory_after),
      "Savings:    " + amounts[2] + cur + "/month  " + format_dollars(annual(m.projected())) + cur +
          "/year projected (" + format_percent(savings_permille(m)) + ")",
      "Realised:   " + amounts[3] + cur + "/month  " + format_dollars(annual(m.realized)) + cur +
          "/year"};
  if (t.cost_per_trade_current && t.cost_per_trade_target) {
    lines.push_back("Cost/trade: " + format_micro_units(*t.cost_per_trade_current) + " → " +
                    format_micro_units(*t.cost_per_trade_target) + cur + " at " +
                    format_rate(*r.trades_per_second_micro) + " trades/s");
  }
  return lines;
}

}  // namespace

std::string render_finops_text(const FinOpsReport& r) {
  std::string out = "FinOps report: monthly cost in " + r.currency +
                    "; utilisation = CPU p50 and memory peak / request, before→after\n\n";
  if (r.workloads.empty()) return out + "No Rightsizings to report.\n";
  out += aligned(table_rows(r)) + "\n";
  for (const auto& line : summary_lines(r)) out += line + "\n";
  out += "Rollbacks:  " + std::to_string(r.totals.rollbacks) + "\n";
  for (const auto& w : r.workloads) {
    if (w.rollback) out += "  " + rollback_line(w) + "\n";
  }
  for (const auto& n : r.notes) out += "Note: " + n + "\n";
  return out;
}

std::string render_finops_markdown(const FinOpsReport& r) {
  // Cells are escaped for the pipe that separates them, and "<" so that no
  // text (a rollback reason) becomes HTML in a Markdown viewer.
  const auto cell = [](const std::string& s) {
    std::string out;
    for (char c : s)
      out += c == '|' ? std::string("\\|") : c == '<' ? std::string("&lt;") : std::string(1, c);
    return out;
  };
  std::string out = "# FinOps report\n\nMonthly cost in " + r.currency +
                    "; utilisation = CPU p50 and memory peak / request, before→after.\n\n";
  if (r.workloads.empty()) return out + "No Rightsizings to report.\n";
  const auto rows = table_rows(r);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string line = "|";
    for (const auto& c : rows[i])
      line += " " + cell(i + 1 == rows.size() && !c.empty() ? "**" + c + "**" : c) + " |";
    out += line + "\n";
    if (i == 0) {
      out += "|";
      for (std::size_t k = 0; k < rows[i].size(); ++k)
        out += k < (r.all_namespaces ? 3u : 2u) ? "---|" : "---:|";
      out += "\n";
    }
  }
  out += "\n";
  for (const auto& line : summary_lines(r)) out += "- " + cell(line) + "\n";
  out += "\n## Rollbacks (" + std::to_string(r.totals.rollbacks) + ")\n\n";
  for (const auto& w : r.workloads) {
    if (w.rollback) out += "- " + cell(rollback_line(w)) + "\n";
  }
  for (const auto& n : r.notes) out += "\n> " + cell(n) + "\n";
  return out;
}

}  // namespace controller
