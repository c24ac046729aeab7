// The rollout state <-> the Rightsizing status (policies/rollout.h). The
// status is the durable copy of the state machine's state (write ahead), so
// reading it back must give exactly the state that was written; a quantity
// that does not parse is an error, never a guess.
#include <algorithm>
#include <string>

#include "policies/quantity.h"
#include "policies/rollout.h"

namespace policies {
namespace {

// --------------------------------------------------------------- reading

// A missing quantity is 0 (no request) / nullopt (no limit).
bool read_quantity(const std::optional<std::string>& text, bool cpu, std::int64_t& out,
                   const std::string& path, std::string& error) {
  if (!text) return true;
  const Result<std::int64_t> v = cpu ? parse_millis(*text) : parse_units(*text);
  if (!v) {
    error = path + ": " + v.error();
    return false;
  }
  out = *v;
  return true;
}

bool read_limit(const std::optional<std::string>& text, bool cpu, std::optional<std::int64_t>& out,
                const std::string& path, std::string& error) {
  if (!text) return true;
  std::int64_t v = 0;
  if (!read_quantity(text, cpu, v, path, error)) return false;
  out = v;
  return true;
}

bool read_requests(const ResourceList& l, Resources& out, const std::string& path,
                   std::string& error) {
  return read_quantity(l.cpu, true, out.cpu_millicores, path + ".cpu", error) &&
         read_quantity(l.memory, false, out.memory_bytes, path + ".memory", error);
}

bool read_resources(const StatusResources& r, ContainerResources& out, const std::string& path,
                    std::string& error) {
  if (r.requests && !read_requests(*r.requests, out.requests, path + ".requests", error))
    return false;
  if (!r.limits) return true;
  return read_limit(r.limits->cpu, true, out.limits.cpu_millicores, path + ".limits.cpu", error) &&
         read_limit(r.limits->memory, false, out.limits.memory_bytes, path + ".limits.memory",
                    error);
}

// containers[].step, .lastGood and (with a lastRollback) .floor.
bool read_containers(const RightsizingStatus& status, RolloutState& s, std::string& error) {
  for (const ContainerStatus& c : status.containers) {
    const std::string path = "status.containers[" + c.name + "]";
    if (c.step && !read_resources(*c.step, s.step[c.name], path + ".step", error)) return false;
    if (c.last_good &&
        !read_resources(*c.last_good, s.last_good[c.name], path + ".lastGood", error))
      return false;
    if (c.floor && s.last_rollback &&
        !read_requests(*c.floor, s.last_rollback->floor[c.name].requests, path + ".floor", error))
      return false;
  }
  return true;
}

void read_canary(const CanaryStatus& c, RolloutState& s) {
  s.step_hash = c.step.value_or("");
  s.pods = c.pods;
  s.baseline_pods = c.baseline_pods;
  s.started_at = c.started_at;
  s.effective_at = c.effective_at;
  s.not_effective_since = c.not_effective_since;
  s.last_analysis_at = c.last_analysis_at;
  s.passed = c.checks_passed.value_or(0);
  s.failed = c.checks_failed.value_or(0);
  s.last_checks = c.last_checks;
}

RollbackRecord read_rollback(const LastRollback& b) {
  RollbackRecord r;
  r.at = b.at.value_or(Timestamp{});
  r.check = b.check.value_or("");
  r.observed = b.observed.value_or("");
  r.threshold = b.threshold.value_or("");
  r.baseline = b.baseline.value_or("");
  r.reason = b.reason.value_or("");
  r.until = b.until;
  return r;
}

// --------------------------------------------------------------- writing

std::optional<std::string> text_if(std::optional<std::string> s) {
  if (s && s->empty()) return std::nullopt;
  return s;
}

// A zero request is a missing one (the template has none).
ResourceList requests_text(const Resources& r) {
  ResourceList l;
  if (r.cpu_millicores != 0) l.cpu = format_millicores(r.cpu_millicores);
  if (r.memory_bytes != 0) l.memory = format_bytes(r.memory_bytes);
  return l;
}

StatusResources resources_text(const ContainerResources& r) {
  StatusResources out;
  out.requests = requests_text(r.requests);
  if (r.limits.cpu_millicores || r.limits.memory_bytes) {
    ResourceList l;
    if (r.limits.cpu_millicores) l.cpu = format_millicores(*r.limits.cpu_millicores);
    if (r.limits.memory_bytes) l.memory = format_bytes(*r.limits.memory_bytes);
    out.limits = l;
  }
  return out;
}

template <class T>
std::optional<T> entry(const ContainerSizes& sizes, const std::string& name, auto convert) {
  const auto it = sizes.find(name);
  if (it == sizes.end()) return std::nullopt;
  return convert(it->second);
}

ContainerStatus& container(RightsizingStatus& status, const std::string& name) {
  const auto it = std::find_if(status.containers.begin(), status.containers.end(),
                               [&](const ContainerStatus& c) { return c.name == name; });
  if (it != status.containers.end()) return *it;
  ContainerStatus& added = status.containers.emplace_back();
  added.name = name;
  return added;
}

CanaryStatus canary_status(const RolloutState& s) {
  CanaryStatus c;
  c.pods = s.pods;
  c.baseline_pods = s.baseline_pods;
  c.step = text_if(s.step_hash);
  c.started_at = s.started_at;
  c.effective_at = s.effective_at;
  c.not_effective_since = s.not_effective_since;
  c.last_analysis_at = s.last_analysis_at;
  c.checks_passed = s.passed;
  c.checks_failed = s.failed;
  c.last_checks = s.last_checks;
  return c;
}

// The summary of the containers' floors: the largest of each resource.
std::optional<RollbackFloor> floor_summary(const ContainerSizes& floor) {
  Resources top;
  for (const auto& [name, f] : floor) {
    top.cpu_millicores = std::max(top.cpu_millicores, f.requests.cpu_millicores);
    top.memory_bytes = std::max(top.memory_bytes, f.requests.memory_bytes);
  }
  if (top == Resources{}) return std::nullopt;
  const ResourceList l = requests_text(top);
  return RollbackFloor{l.cpu, l.memory};
}

LastRollback rollback_status(const RollbackRecord& r) {
  LastRollback b;
  b.at = r.at;
  b.check = text_if(r.check);
  b.observed = text_if(r.observed);
  b.threshold = text_if(r.threshold);
  b.baseline = text_if(r.baseline);
  b.reason = text_if(r.reason);
  b.floor = floor_summary(r.floor);
  b.until = r.until;
  return b;
}

// The phase a Failed status stood in: the `from` of the history's last move
// into Failed (none: it stood in no phase yet, Observing). Absent from the
// history (edited, or truncated) while a step or canary is stored, it is
// unknown: resuming from idle would leave that step neither verified nor
// rolled back.
Result<RightsizingPhase> phase_before_failed(const RightsizingStatus& status) {
  const std::string failed = to_string(RightsizingPhase::Failed);
  const auto entry = std::find_if(status.history.rbegin(), status.history.rend(),
                                  [&](const Transition& t) { return t.to == failed; });
  const bool step_stored = std::any_of(status.containers.begin(), status.containers.end(),
                                       [](const ContainerStatus& c) { return c.step.has_value(); });
  if (entry != status.history.rend()) {
    if (!entry->from) return RightsizingPhase::Observing;
    for (int i = 0; i < static_cast<int>(RightsizingPhase::Failed); ++i) {
      const auto p = static_cast<RightsizingPhase>(i);
      if (*entry->from != to_string(p)) continue;
      // A stage without its step (deleted to "correct" it) is no stage.
      if (in_flight(p) && !step_stored) {
        return make_error("status.history says Failed came from " + *entry->from +
                          ", and no container has the step of that stage");
      }
      return p;
    }
    return make_error("status.history: the move into Failed comes from an unknown phase \"" +
                      *entry->from + "\"");
  }
  if (!step_stored && !status.canary) return RightsizingPhase::Observing;
  return make_error(
      "status.phase is Failed with a step stored, and status.history does not say which phase "
      "it stood in");
}

}  // namespace

Result<RolloutState> rollout_state_from_status(const RightsizingStatus& status) {
  RolloutState s;
  s.phase = status.phase.value_or(RightsizingPhase::Observing);
  if (s.phase == RightsizingPhase::Failed) {
    auto before = phase_before_failed(status);
    if (!before) return make_error(before.error());
    s.phase = *before;
  }
  if (status.canary) read_canary(*status.canary, s);
  if (status.last_rollback) s.last_rollback = read_rollback(*status.last_rollback);
  std::string error;
  if (!read_containers(status, s, error)) return make_error(error);
  return s;
}

void write_rollout_state(const RolloutState& state, RightsizingStatus& status) {
  status.phase = state.phase;
  const bool flying = in_flight(state.phase);
  const ContainerSizes no_floor;
  const ContainerSizes& floor = state.last_rollback ? state.last_rollback->floor : no_floor;
  // Every container the state names gets an entry; the others lose their
  // rollout fields (the state is the truth for them).
  for (const auto* sizes : {&state.step, &state.last_good, &floor})
    for (const auto& [name, r] : *sizes) container(status, name);
  for (ContainerStatus& c : status.containers) {
    c.step = flying ? entry<StatusResources>(state.step, c.name, resources_text) : std::nullopt;
    c.last_good = entry<StatusResources>(state.last_good, c.name, resources_text);
    c.floor = entry<ResourceList>(
        floor, c.name, [](const ContainerResources& f) { return requests_text(f.requests); });
  }
  status.canary = flying ? std::optional(canary_status(state)) : std::nullopt;
  status.last_rollback =
      state.last_rollback ? std::optional(rollback_status(*state.last_rollback)) : std::nullopt;
}

}  // namespace policies
