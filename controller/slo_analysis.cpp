#include "controller/slo_analysis.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace controller {
namespace {

using policies::CheckOutcome;
using policies::OnNoData;
using policies::SloCheck;

policies::TemplateValues canary_values(const AnalysisTarget& t) {
  return {t.ns, t.workload, t.pods};
}

policies::TemplateValues baseline_values(const AnalysisTarget& t) {
  return {t.ns, t.workload, t.baseline_pods};
}

bool uses_baseline(const SloCheck& check, const AnalysisTarget& t) {
  return check.baseline.has_value() && !t.baseline_pods.empty();
}

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

Measurement reduce(const QueryResult& r) {
  Measurement m;
  m.series = r.samples.size();
  for (const auto& s : r.samples) {
    if (std::isnan(s.value)) {
      m.nan = true;
      continue;
    }
    if (std::isinf(s.value)) m.infinite = true;
    m.high = m.high ? std::max(*m.high, s.value) : s.value;
    m.low = m.low ? std::min(*m.low, s.value) : s.value;
  }
  return m;
}

void add_reason(CheckVerdict& v, const std::string& why);

// Looks up and reduces one side; false (with `reason` set) on an error answer.
// A warning may mean partial data (e.g. a store was down): it fails the check.
bool measure(const Answers& answers, const std::string& query, const char* side, Measurement& out,
             CheckVerdict& v, std::string& reason) {
  const auto it = answers.find(query);
  if (it == answers.end()) {
    reason = std::string(side) + " query was not run";
    return false;
  }
  if (!it->second.ok()) {
    reason = std::string(side) + " query failed: " + it->second.error().describe();
    return false;
  }
  out = reduce(it->second.value());
  for (const auto& w : it->second->warnings) {
    v.warnings.push_back(w);
    add_reason(v, std::string(side) + " query: Prometheus warning: " + w);
  }
  for (const auto& i : it->second->infos) v.infos.push_back(i);
  return true;
}

std::string_view on_no_data_name(OnNoData o) {
  switch (o) {
    case OnNoData::Pass:
      return "Pass";
    case OnNoData::Skip:
      return "Skip";
    case OnNoData::Fail:
      return "Fail";
  }
  return "Fail";
}

void add_reason(CheckVerdict& v, const std::string& why) {
  v.outcome = CheckOutcome::Fail;
  if (!v.reason.empty()) v.reason += "; ";
  v.reason += why;
}

// No data on a side: onNoData decides; Pass leaves the verdict to the rest,
// and Skip never hides a failure already found.
void no_data(CheckVerdict& v, const SloCheck& check, const char* what) {
  const std::string why = std::string("no data") + what +
                          " (onNoData: " + std::string(on_no_data_name(check.on_no_data)) + ")";
  if (check.on_no_data == OnNoData::Fail) {
    add_reason(v, why);
  } else if (check.on_no_data == OnNoData::Skip && v.outcome != CheckOutcome::Fail) {
    v.outcome = CheckOutcome::Skip;
    v.reason = why;
  }
}

void judge_absolute(CheckVerdict& v, const SloCheck& check) {
  const auto& m = v.canary;
  if (m.nan) add_reason(v, "NaN in " + std::to_string(m.series) + " series");
  if (m.infinite) add_reason(v, "infinite value in " + std::to_string(m.series) + " series");
  if (check.max && m.high && *m.high > *check.max)
    add_reason(v, num(*m.high) + " is above max " + num(*check.max));
  if (check.min && m.low && *m.low < *check.min)
    add_reason(v, num(*m.low) + " is below min " + num(*check.min));
}

void judge_baseline(CheckVerdict& v, const SloCheck& check) {
  const auto& b = v.baseline;
  if (b.nan) {
    add_reason(v, "baseline is NaN");
    return;
  }
  if (b.infinite) {
    add_reason(v, "baseline is infinite");  // no meaningful comparison
    return;
  }
  if (check.max && b.high) {
    v.baseline_high = policies::baseline_limit_high(*check.baseline, *b.high);
    if (v.canary.high && !(*v.canary.high <= *v.baseline_high))
      add_reason(v, num(*v.canary.high) + " is worse than baseline " + num(*b.high) +
                        " allows (at most " + num(*v.baseline_high) + ")");
  }
  if (check.min && b.low) {
    v.baseline_low = policies::baseline_limit_low(*check.baseline, *b.low);
    if (v.canary.low && !(*v.canary.low >= *v.baseline_low))
      add_reason(v, num(*v.canary.low) + " is worse than baseline " + num(*b.low) +
                        " allows (at least " + num(*v.baseline_low) + ")");
  }
}

CheckVerdict judge(const SloCheck& check, const AnalysisTarget& target, const Answers& answers) {
  CheckVerdict v;
  v.name = check.name;
  v.min = check.min;
  v.max = check.max;
  v.outcome = CheckOutcome::Pass;
  if (target.pods.empty()) {
    // {{pods}} would render "$^", which matches an absent pod label: the
    // query would judge unrelated series, so nothing is queried.
    add_reason(v, "no pods to analyze");
    return v;
  }
  std::string reason;
  const auto query = policies::render_query(check.query, canary_values(target));
  if (!measure(answers, query, "canary", v.canary, v, reason)) {
    add_reason(v, reason);  // fail closed, whatever onNoData says
    return v;
  }
  if (v.canary.series == 0) {
    no_data(v, check, "");  // nothing to compare with bounds or a baseline
    return v;
  }
  judge_absolute(v, check);
  if (!uses_baseline(check, target)) return v;
  v.baseline_used = true;
  const auto base_query = policies::render_query(check.query, baseline_values(target));
  if (!measure(answers, base_query, "baseline", v.baseline, v, reason)) {
    add_reason(v, reason);
    return v;
  }
  if (v.baseline.series == 0) {
    no_data(v, check, " for the baseline");  // Pass: the absolute bounds alone decide
    return v;
  }
  judge_baseline(v, check);
  return v;
}

}  // namespace

std::vector<std::string> queries_for(std::span<const SloCheck> checks,
                                     const AnalysisTarget& target) {
  std::vector<std::string> out;
  const auto add = [&out](std::string q) {
    if (std::find(out.begin(), out.end(), q) == out.end()) out.push_back(std::move(q));
  };
  if (target.pods.empty()) return out;  // judge() fails every check instead
  for (const auto& c : checks) {
    add(policies::render_query(c.query, canary_values(target)));
    if (uses_baseline(c, target)) add(policies::render_query(c.query, baseline_values(target)));
  }
  return out;
}

Verdict analyze(std::span<const SloCheck> checks, const AnalysisTarget& target,
                const Answers& answers) {
  Verdict out;
  bool judged = false;
  for (const auto& c : checks) {
    out.checks.push_back(judge(c, target, answers));
    if (out.checks.back().outcome == CheckOutcome::Fail) out.passed = false;
    if (out.checks.back().outcome != CheckOutcome::Skip) judged = true;
  }
  // Nothing judged is no evidence that the change is safe.
  out.inconclusive = !judged;
  if (out.inconclusive) out.passed = false;
  return out;
}

Verdict run_analysis(PrometheusQuerier& prometheus, std::span<const SloCheck> checks,
                     const AnalysisTarget& target, std::chrono::system_clock::time_point at) {
  Answers answers;
  for (auto& q : queries_for(checks, target)) {
    auto a = prometheus.query(q, at);
    answers.emplace(std::move(q), std::move(a));
  }
  return analyze(checks, target, answers);
}

}  // namespace controller
