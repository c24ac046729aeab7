#pragma once
// SLO checks: a PromQL query template and its bounds, evaluated on each
// analysis during a canary or verification (DESIGN §6).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policies/duration.h"
#include "policies/problem.h"

namespace policies {

enum class OnNoData { Fail, Pass, Skip };

// Canary vs baseline: during a canary the check's query also runs over the
// stable pods, and the canary may be worse than them by at most
//   max(|baseline| * (maxRatio - 1), maxDelta)      higher, for a max bound
//   max(|baseline| * (1 - 1/maxRatio), maxDelta)    lower, for a min bound
// (so a min check may fall to baseline / maxRatio). The ratio follows market
// load; the delta is a noise floor for values near zero.
struct SloBaseline {
  double max_ratio = 1.0;  // in [1, 100]; written as a decimal string ("1.25")
  double max_delta = 0.0;  // >= 0; written as a decimal string ("0.005")
};

// How far the canary may go for a baseline value `b`: the highest allowed
// value for a max bound (b + allowance), the lowest for a min bound
// (b - allowance). An infinite baseline allows exactly itself.
double baseline_limit_high(const SloBaseline& baseline, double b);
double baseline_limit_low(const SloBaseline& baseline, double b);

// "1.25" -> 1.25: digits with an optional fraction (at most 6 places, at most
// 6 integer digits), as the CRD's pattern allows; nullopt otherwise.
std::optional<double> parse_decimal_text(std::string_view text);

struct SloCheck {
  std::string name;
  std::string query;  // may use {{namespace}}, {{workload}}, {{pods}}
  std::optional<double> min;
  std::optional<double> max;
  OnNoData on_no_data = OnNoData::Fail;
  // Initialized so that aggregate initializations without it stay warning-free.
  std::optional<SloBaseline> baseline = std::nullopt;
};

struct PrometheusEndpoint {
  std::string address = "http://prometheus.monitoring:9090";
  Duration timeout = std::chrono::seconds(5);
};

// Problems with the template variables of `query` (reported at `path`):
// any {{...}} other than the three known variables, or an unclosed "{{".
Problems check_query_template(std::string_view query, const std::string& path);

struct TemplateValues {
  std::string ns;
  std::string workload;
  std::vector<std::string> pods;
};

// Escapes regular-expression metacharacters for use inside a double-quoted
// PromQL string (so the escape itself is doubled: "a.b" -> "a\\.b"), and
// escapes '"'.
std::string escape_for_promql_regex(std::string_view value);

// "trader-0|trader-1" style alternation of escaped pod names (PromQL regex
// matchers are anchored); an empty list matches nothing ("$^").
std::string pods_regex(std::span<const std::string> pods);

// Substitutes the three variables; anything else is left as written (a
// validated query has nothing else).
std::string render_query(std::string_view query, const TemplateValues& values);

enum class CheckOutcome { Pass, Fail, Skip };

// A value passes when min <= value <= max (each bound optional); NaN fails;
// no value (no data) follows on_no_data.
CheckOutcome evaluate(const SloCheck& check, std::optional<double> value);

}  // namespace policies
