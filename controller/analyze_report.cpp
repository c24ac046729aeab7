// The report of `rightsizer analyze`: pure formatting of a Verdict.
#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "controller/analyze_command.h"

namespace controller {
namespace {

using policies::CheckOutcome;

std::string num(std::optional<double> v) {
  if (!v) return "-";
  std::ostringstream s;
  s << std::setprecision(4) << *v;
  return s.str();
}

std::string outcome(CheckOutcome o) {
  switch (o) {
    case CheckOutcome::Pass:
      return "Pass";
    case CheckOutcome::Fail:
      return "Fail";
    case CheckOutcome::Skip:
      return "Skip";
  }
  return "Fail";
}

std::string bounds(const CheckVerdict& c) {
  std::string out;
  if (c.min) out += ">= " + num(c.min);
  if (c.max) out += std::string(out.empty() ? "" : ", ") + "<= " + num(c.max);
  return out;
}

// The value a bound is judged on: max over series for a max bound.
std::optional<double> shown(const CheckVerdict& c, const Measurement& m) {
  if (c.max) return m.high;
  return m.low;
}

std::string allowed(const CheckVerdict& c) {
  if (!c.baseline_used) return "-";
  if (c.baseline_high) return "<= " + num(c.baseline_high);
  if (c.baseline_low) return ">= " + num(c.baseline_low);
  return "-";
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "(none)" : out;
}

nlohmann::json value_json(std::optional<double> v) {
  if (!v) return nullptr;
  if (std::isnan(*v)) return "NaN";
  if (std::isinf(*v)) return *v > 0 ? "+Inf" : "-Inf";
  return *v;
}

nlohmann::json measurement_json(const Measurement& m) {
  return {{"max", value_json(m.high)},
          {"min", value_json(m.low)},
          {"series", m.series},
          {"nan", m.nan},
          {"infinite", m.infinite}};
}

}  // namespace

std::string format_verdict_text(const Verdict& verdict, const AnalysisTarget& target) {
  std::ostringstream o;
  o << "workload " << target.ns << "/" << target.workload << "\n"
    << "pods analysed: " << join(target.pods) << "\n"
    << "baseline pods: " << join(target.baseline_pods) << "\n\n";
  o << std::left << std::setw(22) << "CHECK" << std::setw(12) << "VALUE" << std::setw(16) << "BOUND"
    << std::setw(12) << "BASELINE" << std::setw(14) << "ALLOWED" << std::setw(8) << "SERIES"
    << "VERDICT\n";
  for (const auto& c : verdict.checks) {
    const std::string series = std::to_string(c.canary.series) +
                               (c.baseline_used ? "/" + std::to_string(c.baseline.series) : "");
    o << std::setw(22) << c.name << std::setw(12) << num(shown(c, c.canary)) << std::setw(16)
      << bounds(c) << std::setw(12) << (c.baseline_used ? num(shown(c, c.baseline)) : "-")
      << std::setw(14) << allowed(c) << std::setw(8) << series << outcome(c.outcome) << "\n";
  }
  for (const auto& c : verdict.checks) {
    if (!c.reason.empty()) o << "  " << c.name << ": " << c.reason << "\n";
    for (const auto& w : c.warnings) o << "  " << c.name << ": warning: " << w << "\n";
    for (const auto& i : c.infos) o << "  " << c.name << ": info: " << i << "\n";
  }
  o << "\nanalysis: " << (verdict.passed ? "PASS" : "FAIL") << "\n";
  return o.str();
}

std::string format_verdict_json(const Verdict& verdict, const AnalysisTarget& target) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : verdict.checks) {
    nlohmann::json j = {{"name", c.name},           {"outcome", outcome(c.outcome)},
                        {"reason", c.reason},       {"min", value_json(c.min)},
                        {"max", value_json(c.max)}, {"canary", measurement_json(c.canary)},
                        {"warnings", c.warnings},   {"infos", c.infos}};
    if (c.baseline_used) {
      j["baseline"] = measurement_json(c.baseline);
      j["baselineAllowsAtMost"] = value_json(c.baseline_high);
      j["baselineAllowsAtLeast"] = value_json(c.baseline_low);
    }
    checks.push_back(std::move(j));
  }
  return nlohmann::json{{"namespace", target.ns},   {"workload", target.workload},
                        {"pods", target.pods},      {"baselinePods", target.baseline_pods},
                        {"passed", verdict.passed}, {"checks", checks}}
             .dump(2) +
         "\n";
}

}  // namespace controller
