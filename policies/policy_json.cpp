#include "policies/policy_json.h"

#include <array>

#include "policies/json_fields.h"
#include "policies/policy_validation.h"
#include "policies/quantity.h"

namespace policies {
namespace {

using detail::FieldReader;
using detail::for_each_element;
using nlohmann::json;

constexpr std::array<std::pair<std::string_view, Mode>, 2> kModes{
    {{"Recommend", Mode::Recommend}, {"Auto", Mode::Auto}}};
constexpr std::array<std::pair<std::string_view, LimitsPolicy>, 4> kLimits{
    {{"KeepRatio", LimitsPolicy::KeepRatio},
     {"EqualToRequests", LimitsPolicy::EqualToRequests},
     {"Unset", LimitsPolicy::Unset},
     {"Unchanged", LimitsPolicy::Unchanged}}};
constexpr std::array<std::pair<std::string_view, Increases>, 2> kIncreases{
    {{"Immediate", Increases::Immediate}, {"Canary", Increases::Canary}}};
constexpr std::array<std::pair<std::string_view, OnNoData>, 3> kOnNoData{
    {{"Fail", OnNoData::Fail}, {"Pass", OnNoData::Pass}, {"Skip", OnNoData::Skip}}};

// min > max compared exactly, as the CRD compares them: 100.7m > 100.5m
// although both round up to 101m. (Rounded values above max are the
// validator's to report.)
void check_exact_order(FieldReader& r, const std::optional<Quantity>& min,
                       const std::optional<Quantity>& max, std::int64_t rounded_min,
                       std::int64_t rounded_max) {
  if (min && max && compare(*min, *max) > 0 && rounded_min <= rounded_max)
    r.report("min", "must not exceed max (" + to_string(*min) + " > " + to_string(*max) + ")");
}

void parse_cpu(FieldReader parent, CpuPolicy& cpu, Problems& problems) {
  FieldReader r(parent.get("cpu"), parent.path_of("cpu"), problems,
                {"percentile", "targetUtilization", "min", "max", "roundTo"});
  r.number("percentile", cpu.percentile);
  r.number("targetUtilization", cpu.target_utilization);
  std::optional<Quantity> min, max;
  r.cpu("min", cpu.min_millicores, &min);
  r.cpu("max", cpu.max_millicores, &max);
  check_exact_order(r, min, max, cpu.min_millicores, cpu.max_millicores);
  r.cpu("roundTo", cpu.round_to_millicores);
}

void parse_memory(FieldReader parent, MemoryPolicy& mem, Problems& problems) {
  FieldReader r(parent.get("memory"), parent.path_of("memory"), problems,
                {"percentile", "targetUtilization", "min", "max", "roundTo", "oomBumpRatio"});
  r.number("percentile", mem.percentile);
  r.number("targetUtilization", mem.target_utilization);
  std::optional<Quantity> min, max;
  r.memory("min", mem.min_bytes, &min);
  r.memory("max", mem.max_bytes, &max);
  check_exact_order(r, min, max, mem.min_bytes, mem.max_bytes);
  r.memory("roundTo", mem.round_to_bytes);
  r.number("oomBumpRatio", mem.oom_bump_ratio);
}

void parse_history(FieldReader parent, HistoryPolicy& h, Problems& problems) {
  FieldReader r(parent.get("history"), parent.path_of("history"), problems,
                {"halfLife", "minObservation", "bootstrapFromPrometheus"});
  r.duration("halfLife", h.half_life);
  r.duration("minObservation", h.min_observation);
  r.duration("bootstrapFromPrometheus", h.bootstrap_from_prometheus);
}

void parse_days(const FieldReader& r, WeekdayMask& days, Problems& problems) {
  if (r.get("days") == nullptr) return;
  days = 0;
  for_each_element(r, "days", problems, [&](const json& day, const std::string& path) {
    auto index = day.is_string() ? parse_weekday(day.get<std::string>())
                                 : Result<int>(make_error("must be a weekday name"));
    if (!index) return problems.push_back({path, index.error()});
    if ((days >> *index) & 1U) return problems.push_back({path, "duplicate weekday"});
    days = static_cast<WeekdayMask>(days | (1U << *index));
  });
}

void parse_window(const json& element, const std::string& path, BlackoutWindow& w,
                  Problems& problems) {
  FieldReader r(&element, path, problems, {"days", "start", "end", "timeZone"});
  parse_days(r, w.days, problems);
  for (auto [key, field] : {std::pair{"start", &w.start}, std::pair{"end", &w.end}}) {
    std::string text;
    r.string(key, text);
    if (r.get(key) == nullptr) {
      r.report(key, "required: a time of day as HH:MM");
      continue;
    }
    if (!r.get(key)->is_string()) continue;
    auto t = parse_time_of_day(text);
    if (!t)
      r.report(key, "invalid value \"" + text + "\": " + t.error());
    else
      *field = *t;
  }
  r.string("timeZone", w.time_zone);
}

void parse_rollout(FieldReader parent, RolloutPolicy& ro, Problems& problems) {
  FieldReader r(parent.get("rollout"), parent.path_of("rollout"), problems,
                {"maxStepDown", "minChange", "canaryReplicas", "analysisInterval",
                 "successfulChecks", "failureThreshold", "postPromotionChecks", "progressDeadline",
                 "cooldown", "increases", "allowHPAConflict", "allowGitOps", "blackoutWindows"});
  r.number("maxStepDown", ro.max_step_down);
  r.number("minChange", ro.min_change);
  r.integer("canaryReplicas", ro.canary_replicas);
  r.duration("analysisInterval", ro.analysis_interval);
  r.integer("successfulChecks", ro.successful_checks);
  r.integer("failureThreshold", ro.failure_threshold);
  r.integer("postPromotionChecks", ro.post_promotion_checks);
  r.duration("progressDeadline", ro.progress_deadline);
  r.duration("cooldown", ro.cooldown);
  r.enumeration<Increases>("increases", ro.increases, kIncreases);
  r.boolean("allowHPAConflict", ro.allow_hpa_conflict);
  r.boolean("allowGitOps", ro.allow_git_ops);
  for_each_element(r, "blackoutWindows", problems, [&](const json& e, const std::string& path) {
    parse_window(e, path, ro.blackout_windows.emplace_back(), problems);
  });
}

// A decimal string field ("1.25"); absent leaves `out` as it is.
void decimal_text(FieldReader& r, std::string_view key, double& out) {
  std::string text;
  if (r.get(key) == nullptr) return;
  r.string(key, text);
  if (!r.get(key)->is_string()) return;  // string() reported the type
  if (auto v = parse_decimal_text(text))
    out = *v;
  else
    r.report(key, "must be a decimal string like \"1.25\" (got \"" + text + "\")");
}

void parse_baseline(FieldReader& check, SloCheck& c, Problems& problems) {
  if (check.get("baseline") == nullptr) return;
  FieldReader r(check.get("baseline"), check.path_of("baseline"), problems,
                {"maxRatio", "maxDelta"});
  SloBaseline& b = c.baseline.emplace();
  decimal_text(r, "maxRatio", b.max_ratio);
  decimal_text(r, "maxDelta", b.max_delta);
}

void parse_check(const json& element, const std::string& path, SloCheck& c, Problems& problems) {
  FieldReader r(&element, path, problems, {"name", "query", "min", "max", "onNoData", "baseline"});
  for (auto key : {"name", "query"}) {
    if (r.get(key) == nullptr) r.report(key, "required");
  }
  r.string("name", c.name);
  r.string("query", c.query);
  r.optional_number("min", c.min);
  r.optional_number("max", c.max);
  r.enumeration<OnNoData>("onNoData", c.on_no_data, kOnNoData);
  parse_baseline(r, c, problems);
}

void parse_slos(FieldReader parent, SloPolicy& slos, Problems& problems) {
  FieldReader r(parent.get("slos"), parent.path_of("slos"), problems, {"prometheus", "checks"});
  FieldReader prom(r.get("prometheus"), r.path_of("prometheus"), problems, {"address", "timeout"});
  prom.string("address", slos.prometheus.address);
  prom.duration("timeout", slos.prometheus.timeout);
  for_each_element(r, "checks", problems, [&](const json& e, const std::string& path) {
    parse_check(e, path, slos.checks.emplace_back(), problems);
  });
}

void parse_pricing(FieldReader parent, Pricing& p, Problems& problems) {
  FieldReader r(parent.get("pricing"), parent.path_of("pricing"), problems,
                {"cpuCoreMonth", "memoryGiBMonth", "currency"});
  r.price("cpuCoreMonth", p.prices.cpu_core_month);
  r.price("memoryGiBMonth", p.prices.memory_gib_month);
  r.string("currency", p.currency);
}

// Kubernetes' IsDNS1123Subdomain: what the apiserver requires of a name
// (which also rules out anything that is not ASCII, valid UTF-8 or not).
bool is_dns_subdomain(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i < name.size() && name[i] != '.') {
      const char c = name[i];
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
      continue;
    }
    const std::string_view label = name.substr(label_start, i - label_start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    label_start = i + 1;
  }
  return true;
}

}  // namespace

ParsedPolicy parse_policy_spec(const json& spec, const std::string& path) {
  ParsedPolicy out;
  FieldReader r(&spec, path, out.problems,
                {"mode", "cpu", "memory", "limits", "history", "rollout", "slos", "pricing"});
  r.enumeration<Mode>("mode", out.spec.mode, kModes);
  parse_cpu(r, out.spec.cpu, out.problems);
  parse_memory(r, out.spec.memory, out.problems);
  r.enumeration<LimitsPolicy>("limits", out.spec.limits, kLimits);
  parse_history(r, out.spec.history, out.problems);
  parse_rollout(r, out.spec.rollout, out.problems);
  parse_slos(r, out.spec.slos, out.problems);
  parse_pricing(r, out.spec.pricing, out.problems);
  return out;
}

ParsedPolicy parse_policy_object(const json& object) {
  Problems header;
  FieldReader r(&object, "", header, {"apiVersion", "kind", "metadata", "spec", "status"});
  std::string api_version, kind, name;
  r.string("apiVersion", api_version);
  r.string("kind", kind);
  if (api_version != "rightsizer.io/v1alpha1")
    r.report("apiVersion", "must be rightsizer.io/v1alpha1 (got \"" + api_version + "\")");
  if (kind != "RightsizePolicy") r.report("kind", "must be RightsizePolicy (got \"" + kind + "\")");
  if (r.get("metadata") != nullptr && r.get("metadata")->is_object()) {
    const json& meta = *r.get("metadata");
    if (meta.contains("name") && meta["name"].is_string()) name = meta["name"].get<std::string>();
  }
  if (name.empty())
    header.push_back({"metadata.name", "required"});
  else if (!is_dns_subdomain(name))
    header.push_back({"metadata.name",
                      "must be a lower-case DNS subdomain (a-z, 0-9, '-' and '.', starting and "
                      "ending with a letter or digit, at most 253 characters)"});
  static const json kEmpty = json::object();
  ParsedPolicy out = parse_policy_spec(r.get("spec") ? *r.get("spec") : kEmpty, "spec");
  out.name = name;
  Problems semantic = validate(out.spec, "spec");
  header.insert(header.end(), out.problems.begin(), out.problems.end());
  // A field that failed to parse kept its default; do not report it twice.
  for (auto& p : semantic) {
    bool seen = false;
    for (const auto& q : out.problems) seen = seen || q.path == p.path;
    if (!seen) header.push_back(std::move(p));
  }
  out.problems = std::move(header);
  return out;
}

}  // namespace policies
