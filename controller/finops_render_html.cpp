// The HTML rendering of the FinOps report: one self-contained page (inline
// CSS, inline SVG drawn here; no script, no font or image fetched), so that
// it can be mailed, attached to a ticket or opened offline. Every text that
// comes from the cluster is escaped.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "controller/finops_render.h"
#include "policies/quantity.h"

namespace controller {
namespace {

// Pixel positions of values up to 2^63 × the chart's width, exactly.
__extension__ typedef __int128 Int128;

using policies::Cents;
using policies::format_dollars;

constexpr std::string_view kStyle = R"(
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px 32px;color:#1f2933;background:#f6f8fa}
h1{margin:0 0 4px;font-size:26px}h2{font-size:19px;margin:28px 0 10px}
.sub{color:#52606d;margin:0 0 18px}
.cards{display:flex;flex-wrap:wrap;gap:14px}
.card{background:#fff;border:1px solid #d9e2ec;border-radius:8px;padding:12px 16px;min-width:190px}
.card .label{color:#52606d;font-size:13px;text-transform:uppercase;letter-spacing:.04em}
.card .big{font-size:28px;font-weight:bold;margin:4px 0}
.card .detail{color:#52606d;font-size:13px}
.card.target .big{color:#2f8132}.card.savings .big{color:#0b6bcb}
table{border-collapse:collapse;background:#fff;font-size:13px}
th,td{border:1px solid #d9e2ec;padding:5px 9px;text-align:right;white-space:nowrap}
th{background:#eef2f6}td.name,th.name{text-align:left}
tr.total td{font-weight:bold;background:#f0f4f8}
.charts{display:flex;flex-wrap:wrap;gap:14px}
figure{background:#fff;border:1px solid #d9e2ec;border-radius:8px;margin:0;padding:8px 12px}
figcaption{font-weight:bold;font-size:14px;margin-bottom:4px}
svg text{font-family:"DejaVu Sans",Arial,sans-serif;font-size:11px;fill:#1f2933}
.bar-p50{fill:#7cb4e8}.bar-p95{fill:#3d8fd6}.bar-peak{fill:#1b5e9e}
.bar-current{fill:#b0b8c1}.bar-target{fill:#4caf50}
.req-before{stroke:#d64545;stroke-width:2;stroke-dasharray:5 3}.req-after{stroke:#2f8132;stroke-width:2}
.notes{color:#8d2b0b}
)";

struct Bar {
  std::string label, css;
  std::int64_t value = 0;
};
struct Marker {
  std::string label, css;
  std::int64_t value = 0;
};

// A horizontal bar chart: bars, and vertical lines for the markers (the
// requests before and after), on one linear scale from 0.
std::string bar_chart(const std::vector<Bar>& bars, const std::vector<Marker>& markers,
                      const std::function<std::string(std::int64_t)>& format, int kLeft = 110) {
  constexpr int kWidth = 330, kRow = 22, kTop = 8;
  std::int64_t max = 1;
  for (const auto& b : bars) max = std::max(max, b.value);
  for (const auto& m : markers) max = std::max(max, m.value);
  const auto x = [&](std::int64_t v) {
    return kLeft + static_cast<int>(Int128{std::max<std::int64_t>(v, 0)} * kWidth / max);
  };
  const int height = kTop + static_cast<int>(bars.size() + markers.size()) * kRow + 6;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(kLeft + kWidth + 90) + "\" height=\"" + std::to_string(height) +
                    "\" role=\"img\">";
  int y = kTop;
  for (const auto& b : bars) {
    svg += "<text x=\"4\" y=\"" + std::to_string(y + 13) + "\">" + html_escape(b.label) + "</text>";
    svg += "<rect class=\"" + b.css + "\" x=\"" + std::to_string(kLeft) + "\" y=\"" +
           std::to_string(y + 2) + "\" width=\"" + std::to_string(x(b.value) - kLeft) +
           "\" height=\"15\"/>";
    svg += "<text x=\"" + std::to_string(x(b.value) + 4) + "\" y=\"" + std::to_string(y + 13) +
           "\">" + html_escape(format(b.value)) + "</text>";
    y += kRow;
  }
  const int bars_bottom = y;
  for (const auto& m : markers) {
    const auto mx = std::to_string(x(m.value));
    svg += "<line class=\"" + m.css + "\" x1=\"" + mx + "\" y1=\"" + std::to_string(kTop) +
           "\" x2=\"" + mx + "\" y2=\"" + std::to_string(bars_bottom) + "\"/>";
    svg += "<line class=\"" + m.css + "\" x1=\"4\" y1=\"" + std::to_string(y + 10) +
           "\" x2=\"24\" y2=\"" + std::to_string(y + 10) + "\"/>";
    svg += "<text x=\"30\" y=\"" + std::to_string(y + 14) + "\">" +
           html_escape(m.label + " " + format(m.value)) + "</text>";
    y += kRow;
  }
  return svg + "</svg>";
}

std::string cores_text(std::int64_t m) {
  return format_cores(m) + " cores";
}
std::string bytes_text(std::int64_t b) {
  return policies::format_bytes(b);
}

// One replica's usage, containers summed; a figure no container has is left out.
std::vector<Bar> cpu_bars(const WorkloadFigures& w) {
  std::vector<Bar> bars;
  const auto add = [&](const char* label, const char* css, auto member) {
    std::int64_t sum = 0;
    bool known = false;
    for (const auto& c : w.containers) {
      if (const auto& v = c.*member) {
        sum += *v;
        known = true;
      }
    }
    if (known) bars.push_back({label, css, sum});
  };
  add("CPU p50", "bar-p50", &ContainerFigures::cpu_p50);
  add("CPU p95", "bar-p95", &ContainerFigures::cpu_p95);
  add("CPU peak", "bar-peak", &ContainerFigures::cpu_peak);
  add("memory peak", "bar-peak", &ContainerFigures::memory_peak);
  return bars;
}

std::string usage_figure(const WorkloadFigures& w) {
  auto bars = cpu_bars(w);
  std::string out = "<figure><figcaption>" + html_escape(w.namespace_name + "/" + w.workload) +
                    " — one replica, containers summed</figcaption>";
  if (bars.empty()) return out + "<p>No usage learnt yet.</p></figure>";
  std::vector<Bar> memory;
  if (bars.back().label == "memory peak") {
    memory.push_back(bars.back());
    bars.pop_back();
  }
  if (!bars.empty()) {
    out += bar_chart(bars,
                     {{"request before", "req-before", w.before.cpu_millicores},
                      {"request after", "req-after", w.after.cpu_millicores}},
                     cores_text);
  }
  if (!memory.empty()) {
    out += bar_chart(memory,
                     {{"request before", "req-before", w.before.memory_bytes},
                      {"request after", "req-after", w.after.memory_bytes}},
                     bytes_text);
  }
  return out + "</figure>";
}

std::string cost_chart(const FinOpsReport& r) {
  std::vector<Bar> bars;
  for (const auto& w : r.workloads) {
    if (!w.money || w.currency != r.currency) continue;
    bars.push_back({w.workload.substr(w.workload.find('/') + 1) + " now", "bar-current",
                    w.money->current.value});
    bars.push_back({"optimized", "bar-target", w.money->target.value});
  }
  bars.push_back({"TOTAL now", "bar-current", r.totals.money.current.value});
  bars.push_back({"optimized", "bar-target", r.totals.money.target.value});
  return "<figure><figcaption>Monthly cost (" + html_escape(r.currency) +
         "), current vs optimized</figcaption>" +
         bar_chart(
             bars, {}, [](std::int64_t c) { return format_dollars(Cents{c}); }, 190) +
         "</figure>";
}

std::string card(const std::string& css, const std::string& label, const std::string& big,
                 const std::string& detail) {
  return "<div class=\"card " + css + "\"><div class=\"label\">" + label +
         "</div><div class=\"big\">" + big + "</div><div class=\"detail\">" + detail +
         "</div></div>";
}

std::string span(const std::string& id, const std::string& text) {
  return "<span id=\"" + id + "\">" + html_escape(text) + "</span>";
}

std::string sizes(const policies::Resources& r, const Utilization& cpu, const Utilization& mem) {
  return html_escape(format_cores(r.cpu_millicores) + " cores @ " + format_percent(cpu.permille()) +
                     " CPU · " + format_gib(r.memory_bytes) + " GiB @ " +
                     format_percent(mem.permille()) + " memory");
}

std::string cards(const FinOpsReport& r) {
  const auto& t = r.totals;
  const auto& m = t.money;
  const auto& u = t.utilization;
  const std::string per_month = " <small>/month</small>";
  const std::string cur = html_escape(r.currency);
  std::string out = "<section class=\"cards\">";
  out += card("current", "Current (" + cur + ")",
              span("total-current", format_dollars(m.current)) + per_month,
              sizes(t.before, u.cpu_before, u.memory_before));
  out += card("target", "Optimized (" + cur + ")",
              span("total-target", format_dollars(m.target)) + per_month,
              sizes(t.after, u.cpu_after, u.memory_after));
  out += card(
      "savings", "Savings, projected",
      span("total-savings", format_dollars(m.projected())) + per_month,
      span("total-savings-annual", format_dollars(Cents{m.projected().value * 12})) + " /year · " +
          html_escape(
              format_percent(Utilization{m.projected().value, m.current.value}.permille())));
  out +=
      card("realized", "Savings, realised",
           span("total-realized", format_dollars(m.realized)) + per_month,
           span("total-realized-annual", format_dollars(Cents{m.realized.value * 12})) + " /year");
  if (t.cost_per_trade_current && t.cost_per_trade_target) {
    out +=
        card("trade", "Cost per trade",
             span("cost-per-trade-current", format_micro_units(*t.cost_per_trade_current)) + " → " +
                 span("cost-per-trade-target", format_micro_units(*t.cost_per_trade_target)),
             "at " + html_escape(format_rate(*r.trades_per_second_micro)) + " trades/s");
  }
  return out + "</section>";
}

std::string money_cells(const std::optional<MoneyFigures>& m) {
  if (!m) return "<td>-</td><td>-</td><td>-</td><td>-</td><td>-</td>";
  std::string out;
  for (const auto c :
       {m->current, m->target, m->projected(), Cents{m->projected().value * 12}, m->realized}) {
    out += "<td>" + format_dollars(c) + "</td>";
  }
  return out;
}

std::string util_cells(const UtilizationFigures& u) {
  return "<td>" +
         html_escape(format_percent(u.cpu_before.permille()) + " → " +
                     format_percent(u.cpu_after.permille())) +
         "</td><td>" +
         html_escape(format_percent(u.memory_before.permille()) + " → " +
                     format_percent(u.memory_after.permille())) +
         "</td>";
}

std::string workload_table(const FinOpsReport& r) {
  std::string out =
      "<table><tr><th class=\"name\">Namespace</th><th class=\"name\">Workload</th>"
      "<th class=\"name\">Phase</th><th>Replicas</th><th>Current/mo</th><th>Optimized/mo</th>"
      "<th>Savings/mo</th><th>Savings/yr</th><th>Realised/mo</th><th>CPU util</th>"
      "<th>Memory util</th></tr>";
  for (const auto& w : r.workloads) {
    out += "<tr><td class=\"name\">" + html_escape(w.namespace_name) + "</td><td class=\"name\">" +
           html_escape(w.workload) + "</td><td class=\"name\">" +
           html_escape(w.phase.empty() ? "-" : w.phase) + "</td><td>" + std::to_string(w.replicas) +
           "</td>" + money_cells(w.money) + util_cells(w.utilization) + "</tr>";
  }
  out += "<tr class=\"total\"><td class=\"name\" colspan=\"4\">Total (" +
         std::to_string(r.totals.workloads) + " workloads)</td>" + money_cells(r.totals.money) +
         util_cells(r.totals.utilization) + "</tr>";
  return out + "</table>";
}

std::string rollbacks(const FinOpsReport& r) {
  std::string out = "<h2>Rollbacks (" + std::to_string(r.totals.rollbacks) + ")</h2>";
  if (r.totals.rollbacks == 0) return out + "<p>None.</p>";
  out +=
      "<table><tr><th class=\"name\">Workload</th><th class=\"name\">When</th>"
      "<th class=\"name\">Check</th><th>Observed</th><th>Threshold</th><th>Baseline</th>"
      "<th class=\"name\">Reason</th></tr>";
  for (const auto& w : r.workloads) {
    if (!w.rollback) continue;
    const auto& b = *w.rollback;
    out +=
        "<tr><td class=\"name\">" + html_escape(w.namespace_name + "/" + w.workload) +
        "</td><td class=\"name\">" + (b.at ? policies::format_timestamp(*b.at) : std::string("-")) +
        "</td><td class=\"name\">" + html_escape(b.check) + "</td><td>" + html_escape(b.observed) +
        "</td><td>" + html_escape(b.threshold) + "</td><td>" + html_escape(b.baseline) +
        "</td><td class=\"name\">" + html_escape(b.reason) + "</td></tr>";
  }
  return out + "</table>";
}

}  // namespace

std::string render_finops_html(const FinOpsReport& r) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Rightsizer FinOps report</title><style>" +
      std::string(kStyle) + "</style></head><body>\n";
  out += "<h1>FinOps report</h1><p class=\"sub\">Monthly cost in " + html_escape(r.currency) +
         "; utilisation = CPU p50 and memory peak / request, before → after. Current: the size "
         "before Rightsizer changed it; realised: what the running size already saves.</p>\n";
  out += cards(r) + "\n";
  if (r.workloads.empty()) return out + "<p>No Rightsizings to report.</p></body></html>\n";
  out += "<h2>Cost before and after</h2><div class=\"charts\">" + cost_chart(r) + "</div>\n";
  out += "<h2>Workloads</h2>" + workload_table(r) + "\n";
  out += "<h2>Usage against requests</h2><div class=\"charts\">";
  for (const auto& w : r.workloads) out += usage_figure(w);
  out += "</div>\n" + rollbacks(r) + "\n";
  for (const auto& n : r.notes) out += "<p class=\"notes\">" + html_escape(n) + "</p>\n";
  return out + "</body></html>\n";
}

}  // namespace controller
