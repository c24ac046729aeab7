// The Rightsizing status within the CRD's limits (status_bounds.h).
#include "controller/status_bounds.h"

#include <optional>
#include <vector>

namespace controller {
namespace {

constexpr std::string_view kEllipsis = "…";

void bound(std::string& s, std::size_t max) {
  s = bounded_text(std::move(s), max);
}

void bound(std::optional<std::string>& s, std::size_t max) {
  if (s) bound(*s, max);
}

template <typename T>
void keep_first(std::vector<T>& v, std::size_t max) {
  if (v.size() > max) v.resize(max);
}

void bound(policies::ResourceList& r) {
  bound(r.cpu, kMaxQuantity);
  bound(r.memory, kMaxQuantity);
}

void bound(policies::StatusResources& r) {
  if (r.requests) bound(*r.requests);
  if (r.limits) bound(*r.limits);
}

void bound(policies::CanaryStatus& c) {
  keep_first(c.pods, kMaxPods);
  keep_first(c.baseline_pods, kMaxPods);
  keep_first(c.last_checks, kMaxChecks);
  for (auto& check : c.last_checks) {
    bound(check.name, kMaxMessage);
    bound(check.value, kMaxMessage);
    bound(check.min, kMaxMessage);
    bound(check.max, kMaxMessage);
    bound(check.message, kMaxMessage);
  }
}

void bound(policies::LastRollback& r) {
  for (auto* s : {&r.check, &r.observed, &r.threshold, &r.baseline, &r.reason}) {
    bound(*s, kMaxMessage);
  }
}

}  // namespace

std::string bounded_text(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  if (max_bytes < kEllipsis.size()) return {};
  std::size_t cut = max_bytes - kEllipsis.size();
  // Back up over continuation bytes (10xxxxxx) to the start of a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  text += kEllipsis;
  return text;
}

void bound_to_schema(policies::RightsizingStatus& s) {
  if (s.summary) {
    bound(s.summary->cpu, kMaxQuantity);
    bound(s.summary->memory, kMaxQuantity);
    bound(s.summary->last_event, kMaxLastEvent);
  }
  keep_first(s.containers, kMaxContainers);
  for (auto& c : s.containers) {
    for (auto* r : {&c.current, &c.recommended, &c.step, &c.last_good, &c.original}) {
      if (*r) bound(**r);
    }
    if (c.floor) bound(*c.floor);
  }
  if (s.canary) bound(*s.canary);
  if (s.last_rollback) bound(*s.last_rollback);
  // record_transition keeps the newest kMaxHistory already.
  for (auto& t : s.history) bound(t.reason, kMaxMessage);
  keep_first(s.conditions, kMaxConditions);
  for (auto& c : s.conditions) {
    bound(c.type, kMaxConditionType);
    bound(c.reason, kMaxMessage);
    bound(c.message, kMaxConditionMessage);
  }
}

}  // namespace controller
