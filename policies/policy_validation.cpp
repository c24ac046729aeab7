#include "policies/policy_validation.h"

#include <cmath>
#include <set>

#include "policies/quantity.h"

namespace policies {
namespace {

class Checker {
 public:
  Checker(Problems& problems, std::string path) : problems_(problems), path_(std::move(path)) {}
  Checker child(const std::string& name) const { return Checker(problems_, path_ + "." + name); }
  std::string path(const std::string& field) const { return path_ + "." + field; }
  void fail(const std::string& field, std::string message) const {
    problems_.push_back({path(field), std::move(message)});
  }
  void open_closed(const std::string& f, double v, double lo, double hi) const {
    if (!(v > lo && v <= hi))
      fail(f,
           "must be greater than " + num(lo) + " and at most " + num(hi) + " (got " + num(v) + ")");
  }
  void open_open(const std::string& f, double v, double lo, double hi) const {
    if (!(v > lo && v < hi))
      fail(f, "must be greater than " + num(lo) + " and less than " + num(hi) + " (got " + num(v) +
                  ")");
  }
  void closed_open(const std::string& f, double v, double lo, double hi) const {
    if (!(v >= lo && v < hi))
      fail(f,
           "must be at least " + num(lo) + " and less than " + num(hi) + " (got " + num(v) + ")");
  }
  void count(const std::string& f, std::int32_t v, std::int32_t lo) const {
    if (v < lo || v > kMaxCount)
      fail(f, "must be between " + std::to_string(lo) + " and " + std::to_string(kMaxCount) +
                  " (got " + std::to_string(v) + ")");
  }
  void positive(const std::string& f, Duration d) const {
    if (d.count() <= 0) fail(f, "must be a positive duration");
  }
  void not_negative(const std::string& f, Duration d) const {
    if (d.count() < 0) fail(f, "must not be negative");
  }
  static std::string num(double v) {
    std::string s = std::to_string(v);
    while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
      const bool dot = s.back() == '.';
      s.pop_back();
      if (dot) break;
    }
    return s;
  }

 private:
  Problems& problems_;
  std::string path_;
};

void check_sizes(const Checker& c, std::int64_t min, std::int64_t max, std::int64_t round_to,
                 std::int64_t limit, std::string (*fmt)(std::int64_t)) {
  for (auto [field, v] :
       {std::pair{"min", min}, std::pair{"max", max}, std::pair{"roundTo", round_to}}) {
    if (v <= 0)
      c.fail(field, "must be greater than 0 (got " + fmt(v) + ")");
    else if (v > limit)
      c.fail(field, "must be at most " + fmt(limit) + " (got " + fmt(v) + ")");
  }
  if (min <= 0 || max <= 0 || round_to <= 0 || max > limit) return;
  if (min > max) {
    c.fail("min", "must not exceed max (" + fmt(min) + " > " + fmt(max) + ")");
  } else if (round_to > max) {
    // No size could ever be reached, and KeepRatio would round limits past max.
    c.fail("roundTo", "must not exceed max (" + fmt(round_to) + " > " + fmt(max) + ")");
  } else if ((min + round_to - 1) / round_to * round_to > max) {
    c.fail("min", "no multiple of roundTo (" + fmt(round_to) + ") lies between min (" + fmt(min) +
                      ") and max (" + fmt(max) + ")");
  }
}

void check_cpu(const Checker& c, const CpuPolicy& cpu) {
  c.open_closed("percentile", cpu.percentile, 0, 100);
  c.open_closed("targetUtilization", cpu.target_utilization, 0, 1);
  check_sizes(c, cpu.min_millicores, cpu.max_millicores, cpu.round_to_millicores, kMaxCpuMillicores,
              format_millicores);
}

void check_memory(const Checker& c, const MemoryPolicy& mem) {
  c.open_closed("percentile", mem.percentile, 0, 100);
  c.open_closed("targetUtilization", mem.target_utilization, 0, 1);
  check_sizes(c, mem.min_bytes, mem.max_bytes, mem.round_to_bytes, kMaxMemoryBytes, format_bytes);
  if (!(mem.oom_bump_ratio >= 1 && mem.oom_bump_ratio <= 10))
    c.fail("oomBumpRatio",
           "must be between 1 and 10 (got " + Checker::num(mem.oom_bump_ratio) + ")");
}

void check_windows(const Checker& c, const std::vector<BlackoutWindow>& windows) {
  if (windows.size() > kMaxWindows)
    c.fail("blackoutWindows", "must have at most " + std::to_string(kMaxWindows) + " items");
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const Checker w = c.child("blackoutWindows[" + std::to_string(i) + "]");
    const BlackoutWindow& win = windows[i];
    if (win.days == 0) w.fail("days", "must name at least one weekday");
    if (win.start == win.end) w.fail("end", "must differ from start (a window cannot be empty)");
    if (win.time_zone.empty())
      w.fail("timeZone", "must not be empty");
    else if (!find_time_zone(win.time_zone))
      w.fail("timeZone", "unknown time zone \"" + win.time_zone +
                             "\" (use an IANA name like America/New_York)");
  }
}

void check_rollout(const Checker& c, const RolloutPolicy& r) {
  c.open_open("maxStepDown", r.max_step_down, 0, 1);
  c.closed_open("minChange", r.min_change, 0, 1);
  c.count("canaryReplicas", r.canary_replicas, 1);
  c.positive("analysisInterval", r.analysis_interval);
  c.count("successfulChecks", r.successful_checks, 1);
  c.count("failureThreshold", r.failure_threshold, 1);
  c.count("postPromotionChecks", r.post_promotion_checks, 0);
  c.positive("progressDeadline", r.progress_deadline);
  c.not_negative("cooldown", r.cooldown);
  check_windows(c, r.blackout_windows);
}

// Characters as the apiserver counts them for maxLength: code points.
std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80 ? 1 : 0;
  return n;
}

// The CRD's ^https?://[^\s/]+[^\s]*$ (RE2's \s: space, \t, \n, \f, \r)
// with its maxLength.
bool is_prometheus_url(std::string_view addr) {
  std::string_view rest = addr;
  if (rest.starts_with("http://"))
    rest.remove_prefix(7);
  else if (rest.starts_with("https://"))
    rest.remove_prefix(8);
  else
    return false;
  return !rest.empty() && rest.front() != '/' &&
         rest.find_first_of(" \t\n\f\r") == std::string_view::npos &&
         utf8_length(addr) <= kMaxAddressLength;
}

bool is_dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  for (char ch : s)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  return true;
}

void check_check(const Checker& c, const SloCheck& check, std::set<std::string>& names,
                 Problems& problems) {
  if (!is_dns_label(check.name))
    c.fail("name", "must be a lower-case DNS label (a-z, 0-9, '-', at most 63 characters)");
  else if (!names.insert(check.name).second)
    c.fail("name", "duplicate check name \"" + check.name + "\"");
  if (check.query.empty()) c.fail("query", "must not be empty");
  if (utf8_length(check.query) > kMaxQueryLength)
    c.fail("query", "must be at most " + std::to_string(kMaxQueryLength) + " characters");
  for (auto& p : check_query_template(check.query, c.path("query"))) problems.push_back(p);
  if (!check.min && !check.max) c.fail("max", "a check needs max, min, or both");
  for (auto [field, v] : {std::pair{"min", check.min}, std::pair{"max", check.max}})
    if (v && !std::isfinite(*v)) c.fail(field, "must be a finite number");
  if (check.min && check.max && *check.min > *check.max) c.fail("min", "must not exceed max");
  if (check.baseline) {
    const Checker b = c.child("baseline");
    // Without {{pods}} both sides render the same text: the canary would be
    // compared with itself and always pass.
    if (check.query.find("{{pods}}") == std::string::npos)
      c.fail("baseline", "needs a query that uses {{pods}}");
    const double ratio = check.baseline->max_ratio;
    if (!(ratio >= 1 && ratio <= 100))
      b.fail("maxRatio", "must be between 1 and 100 (got " + Checker::num(ratio) + ")");
    if (!(check.baseline->max_delta >= 0 && std::isfinite(check.baseline->max_delta)))
      b.fail("maxDelta", "must be a finite number >= 0");
  }
}

void check_slos(const Checker& c, const SloPolicy& slos, Problems& problems) {
  const Checker prom = c.child("prometheus");
  if (!is_prometheus_url(slos.prometheus.address))
    prom.fail("address", "must be an http:// or https:// URL with a host, at most " +
                             std::to_string(kMaxAddressLength) + " characters");
  prom.positive("timeout", slos.prometheus.timeout);
  if (slos.checks.size() > kMaxChecks)
    c.fail("checks", "must have at most " + std::to_string(kMaxChecks) + " items");
  std::set<std::string> names;
  for (std::size_t i = 0; i < slos.checks.size(); ++i)
    check_check(c.child("checks[" + std::to_string(i) + "]"), slos.checks[i], names, problems);
}

void check_pricing(const Checker& c, const Pricing& p) {
  const auto& cur = p.currency;
  bool ok = cur.size() == 3;
  for (char ch : cur) ok = ok && ch >= 'A' && ch <= 'Z';
  if (!ok) c.fail("currency", "must be a three-letter ISO 4217 code like USD");
}

}  // namespace

Problems validate(const RightsizePolicySpec& spec, const std::string& path) {
  Problems problems;
  const Checker root(problems, path);
  check_cpu(root.child("cpu"), spec.cpu);
  check_memory(root.child("memory"), spec.memory);
  const Checker history = root.child("history");
  history.positive("halfLife", spec.history.half_life);
  history.not_negative("minObservation", spec.history.min_observation);
  history.not_negative("bootstrapFromPrometheus", spec.history.bootstrap_from_prometheus);
  check_rollout(root.child("rollout"), spec.rollout);
  check_slos(root.child("slos"), spec.slos, problems);
  check_pricing(root.child("pricing"), spec.pricing);
  return problems;
}

}  // namespace policies
