#include "policies/rightsizing_status.h"

#include <nlohmann/json.hpp>

#include <span>

#include "policies/status_json.h"

namespace policies {
namespace {

using detail::put;
using detail::StatusReader;
using nlohmann::json;

constexpr std::pair<std::string_view, RightsizingPhase> kPhases[] = {
    {"Observing", RightsizingPhase::Observing},   {"Recommended", RightsizingPhase::Recommended},
    {"Waiting", RightsizingPhase::Waiting},       {"Canary", RightsizingPhase::Canary},
    {"Promoting", RightsizingPhase::Promoting},   {"Verifying", RightsizingPhase::Verifying},
    {"Rightsized", RightsizingPhase::Rightsized}, {"RolledBack", RightsizingPhase::RolledBack},
    {"Paused", RightsizingPhase::Paused},         {"Failed", RightsizingPhase::Failed}};

constexpr std::pair<std::string_view, CheckResult> kOutcomes[] = {{"Pass", CheckResult::Pass},
                                                                  {"Fail", CheckResult::Fail},
                                                                  {"Skip", CheckResult::Skip},
                                                                  {"Error", CheckResult::Error}};

void read_resource_list(StatusReader& r, ResourceList& l) {
  r.string("cpu", l.cpu);
  r.string("memory", l.memory);
}

void read_resources(StatusReader& r, StatusResources& res) {
  r.object("requests", res.requests, read_resource_list);
  r.object("limits", res.limits, read_resource_list);
}

void read_usage(StatusReader& r, UsageFigures& u) {
  r.string("cpuP50", u.cpu_p50);
  r.string("cpuP95", u.cpu_p95);
  r.string("cpuPeak", u.cpu_peak);
  r.string("memoryPeak", u.memory_peak);
  r.integer("samples", u.samples);
  r.time("observedSince", u.observed_since);
}

void read_container(StatusReader& r, ContainerStatus& c) {
  r.required_string("name", c.name);
  r.object("current", c.current, read_resources);
  r.object("recommended", c.recommended, read_resources);
  r.object("step", c.step, read_resources);
  r.object("lastGood", c.last_good, read_resources);
  r.object("original", c.original, read_resources);
  r.object("floor", c.floor, read_resource_list);
  r.object("usage", c.usage, read_usage);
  r.string("checkpoint", c.checkpoint);
  r.time("oomKilledAt", c.oom_killed_at);
}

void read_check(StatusReader& r, CheckRecord& c) {
  r.required_string("name", c.name);
  r.string("value", c.value);
  r.string("min", c.min);
  r.string("max", c.max);
  r.enumeration("result", c.result,
                std::span<const std::pair<std::string_view, CheckResult>>(kOutcomes));
  r.string("message", c.message);
}

void read_canary(StatusReader& r, CanaryStatus& c) {
  r.strings("pods", c.pods);
  r.strings("baselinePods", c.baseline_pods);
  r.string("step", c.step);
  r.time("startedAt", c.started_at);
  r.time("effectiveAt", c.effective_at);
  r.time("notEffectiveSince", c.not_effective_since);
  r.time("lastAnalysisAt", c.last_analysis_at);
  r.integer("checksPassed", c.checks_passed);
  r.integer("checksFailed", c.checks_failed);
  r.list("lastChecks", c.last_checks, read_check);
}

void read_rollback(StatusReader& r, LastRollback& b) {
  r.time("at", b.at);
  r.string("check", b.check);
  r.string("observed", b.observed);
  r.string("threshold", b.threshold);
  r.string("baseline", b.baseline);
  r.string("reason", b.reason);
  r.object("floor", b.floor, [](StatusReader& f, RollbackFloor& floor) {
    f.string("cpu", floor.cpu);
    f.string("memory", floor.memory);
  });
  r.time("until", b.until);
}

void read_cost(StatusReader& r, MonthlyCostText& m) {
  r.string("current", m.current);
  r.string("target", m.target);
  r.string("savings", m.savings);
  r.string("currency", m.currency);
  r.string("realized", m.realized);
}

void read_transition(StatusReader& r, Transition& t) {
  r.required_time("time", t.time);
  r.string("from", t.from);
  r.required_string("to", t.to);
  r.string("reason", t.reason);
}

void read_status(StatusReader& r, RightsizingStatus& s) {
  r.integer("observedGeneration", s.observed_generation);
  r.enumeration("phase", s.phase,
                std::span<const std::pair<std::string_view, RightsizingPhase>>(kPhases));
  r.object("summary", s.summary, [](StatusReader& m, RightsizingSummary& sum) {
    m.string("cpu", sum.cpu);
    m.string("memory", sum.memory);
    m.string("lastEvent", sum.last_event);
  });
  r.integer("replicas", s.replicas);
  r.list("containers", s.containers, read_container);
  r.object("canary", s.canary, read_canary);
  r.object("lastRollback", s.last_rollback, read_rollback);
  r.object("monthlyCost", s.monthly_cost, read_cost);
  r.list("history", s.history, read_transition);
  detail::read_conditions(r, s.conditions);
}

json resource_list_json(const ResourceList& l) {
  json j = json::object();
  put(j, "cpu", l.cpu);
  put(j, "memory", l.memory);
  return j;
}

void put_resources(json& j, const char* key, const HeapOptional<StatusResources>& r) {
  if (!r) return;
  json o = json::object();
  if (r->requests) o["requests"] = resource_list_json(*r->requests);
  if (r->limits) o["limits"] = resource_list_json(*r->limits);
  j[key] = std::move(o);
}

json container_json(const ContainerStatus& c) {
  json j = {{"name", c.name}};
  put_resources(j, "current", c.current);
  put_resources(j, "recommended", c.recommended);
  put_resources(j, "step", c.step);
  put_resources(j, "lastGood", c.last_good);
  put_resources(j, "original", c.original);
  if (c.floor) j["floor"] = resource_list_json(*c.floor);
  if (c.usage) {
    json u = json::object();
    put(u, "cpuP50", c.usage->cpu_p50);
    put(u, "cpuP95", c.usage->cpu_p95);
    put(u, "cpuPeak", c.usage->cpu_peak);
    put(u, "memoryPeak", c.usage->memory_peak);
    put(u, "samples", c.usage->samples);
    put(u, "observedSince", c.usage->observed_since);
    j["usage"] = std::move(u);
  }
  put(j, "checkpoint", c.checkpoint);
  put(j, "oomKilledAt", c.oom_killed_at);
  return j;
}

json canary_json(const CanaryStatus& c) {
  json j = json::object();
  put(j, "pods", c.pods);
  put(j, "baselinePods", c.baseline_pods);
  put(j, "step", c.step);
  put(j, "startedAt", c.started_at);
  put(j, "effectiveAt", c.effective_at);
  put(j, "notEffectiveSince", c.not_effective_since);
  put(j, "lastAnalysisAt", c.last_analysis_at);
  put(j, "checksPassed", c.checks_passed);
  put(j, "checksFailed", c.checks_failed);
  if (!c.last_checks.empty()) {
    json list = json::array();
    for (const CheckRecord& r : c.last_checks) {
      json o = {{"name", r.name}};
      put(o, "value", r.value);
      put(o, "min", r.min);
      put(o, "max", r.max);
      if (r.result) o["result"] = std::string(kOutcomes[static_cast<int>(*r.result)].first);
      put(o, "message", r.message);
      list.push_back(std::move(o));
    }
    j["lastChecks"] = std::move(list);
  }
  return j;
}

json rollback_json(const LastRollback& b) {
  json j = json::object();
  put(j, "at", b.at);
  put(j, "check", b.check);
  put(j, "observed", b.observed);
  put(j, "threshold", b.threshold);
  put(j, "baseline", b.baseline);
  put(j, "reason", b.reason);
  if (b.floor) {
    json f = json::object();
    put(f, "cpu", b.floor->cpu);
    put(f, "memory", b.floor->memory);
    j["floor"] = std::move(f);
  }
  put(j, "until", b.until);
  return j;
}

json cost_json(const MonthlyCostText& m) {
  json j = json::object();
  put(j, "current", m.current);
  put(j, "target", m.target);
  put(j, "savings", m.savings);
  put(j, "currency", m.currency);
  put(j, "realized", m.realized);
  return j;
}

}  // namespace

const char* to_string(RightsizingPhase p) {
  return kPhases[static_cast<int>(p)].first.data();
}

void record_transition(RightsizingStatus& status, Transition t) {
  status.history.push_back(std::move(t));
  if (status.history.size() > RightsizingStatus::kMaxHistory)
    status.history.erase(status.history.begin(),
                         status.history.end() - RightsizingStatus::kMaxHistory);
}

Result<RightsizingStatus> rightsizing_status_from_json(const nlohmann::json& status) {
  RightsizingStatus s;
  if (status.is_null()) return s;
  if (!status.is_object()) return make_error("status: must be an object");
  std::string error;
  StatusReader r(status, "status", error);
  read_status(r, s);
  if (!error.empty()) return make_error(error);
  return s;
}

nlohmann::json rightsizing_status_to_json(const RightsizingStatus& s) {
  json j = json::object();
  put(j, "observedGeneration", s.observed_generation);
  if (s.phase) j["phase"] = to_string(*s.phase);
  if (s.summary) {
    json m = json::object();
    put(m, "cpu", s.summary->cpu);
    put(m, "memory", s.summary->memory);
    put(m, "lastEvent", s.summary->last_event);
    j["summary"] = std::move(m);
  }
  put(j, "replicas", s.replicas);
  if (!s.containers.empty()) {
    json list = json::array();
    for (const ContainerStatus& c : s.containers) list.push_back(container_json(c));
    j["containers"] = std::move(list);
  }
  if (s.canary) j["canary"] = canary_json(*s.canary);
  if (s.last_rollback) j["lastRollback"] = rollback_json(*s.last_rollback);
  if (s.monthly_cost) j["monthlyCost"] = cost_json(*s.monthly_cost);
  if (!s.history.empty()) {
    json list = json::array();
    for (const Transition& t : s.history) {
      json o = {{"time", format_timestamp(t.time)}};
      put(o, "from", t.from);
      o["to"] = t.to;
      put(o, "reason", t.reason);
      list.push_back(std::move(o));
    }
    j["history"] = std::move(list);
  }
  detail::put_conditions(j, s.conditions);
  return j;
}

}  // namespace policies
