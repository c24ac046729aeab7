#pragma once
// The SLO gate's judgement (DESIGN §6): one analysis runs every check of a
// policy once and says, per check, what was measured, against what, and why
// it passed or failed. The judgement itself is a pure function of
// (checks, target, answers); run_analysis() only adds the queries.
//
// Rules, exactly as analyze() applies them:
// - No pods under analysis fails every check ("no pods to analyze") and runs
//   no query: {{pods}} would render "$^", which matches series without a pod
//   label. (No stable pods only means no baseline.)
// - A Prometheus warning on either query (possibly partial data) fails the
//   check, naming the warning; infos are only reported.
// - Fail closed: an error answer (unreachable, timeout, HTTP or query error,
//   bad response) fails the check, whatever its onNoData says.
// - No series → onNoData (Fail | Pass | Skip).
// - A vector is reduced by max for a `max` bound and by min for a `min`
//   bound; the series count is reported. A NaN or ±Inf in any series fails.
// - Baseline (only when the check has `baseline` and there are stable pods):
//   the same query over the stable pods, reduced the same way; the canary
//   passes only if value <= baseline_limit_high(b) for a max bound and
//   value >= baseline_limit_low(b) for a min bound (policies/slo_check.h), in
//   addition to the absolute bounds. No baseline data → onNoData (Pass means
//   "judge the absolute bounds alone"); a NaN or infinite baseline fails.
// - The analysis passes when no check failed and at least one check passed;
//   all skipped (or no checks) is inconclusive, which is not a pass.
#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "controller/prometheus_client.h"
#include "policies/slo_check.h"

namespace controller {

// The pods a check's {{pods}} stands for.
struct AnalysisTarget {
  std::string ns;
  std::string workload;
  std::vector<std::string> pods;           // under analysis: the canary pods during a canary
  std::vector<std::string> baseline_pods;  // stable pods; empty after promotion
};

// One side (canary or baseline) of a check, reduced.
struct Measurement {
  std::optional<double> high;  // max over series (for a max bound)
  std::optional<double> low;   // min over series (for a min bound)
  std::size_t series = 0;
  bool nan = false;
  bool infinite = false;  // a ±Inf series: fails like NaN (a bound would miss one side)
};

struct CheckVerdict {
  std::string name;
  policies::CheckOutcome outcome = policies::CheckOutcome::Fail;
  std::string reason;              // why it failed or was skipped; "" for a pass
  std::optional<double> min, max;  // the absolute bounds
  Measurement canary;
  bool baseline_used = false;  // a baseline query was part of this check
  Measurement baseline;
  std::optional<double> baseline_high;  // highest value the baseline allows
  std::optional<double> baseline_low;   // lowest value the baseline allows
  std::vector<std::string> warnings;    // Prometheus' warnings for the queries (they fail it)
  std::vector<std::string> infos;       // Prometheus' infos for the queries
};

struct Verdict {
  bool passed = true;
  // No check was judged (all skipped, or none): not a pass (Flagger halts on
  // no values), though no check failed either.
  bool inconclusive = false;
  std::vector<CheckVerdict> checks;
};

using QueryAnswer = PromResult<QueryResult>;
// Answers by rendered query text.
using Answers = std::map<std::string, QueryAnswer, std::less<>>;

// The rendered queries an analysis needs, each once, in check order.
std::vector<std::string> queries_for(std::span<const policies::SloCheck> checks,
                                     const AnalysisTarget& target);

Verdict analyze(std::span<const policies::SloCheck> checks, const AnalysisTarget& target,
                const Answers& answers);

// Runs the queries at `at` one after another, then analyze().
Verdict run_analysis(PrometheusQuerier& prometheus, std::span<const policies::SloCheck> checks,
                     const AnalysisTarget& target, std::chrono::system_clock::time_point at);

}  // namespace controller
