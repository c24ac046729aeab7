// UsageStore (usage_store.h): every member takes the one mutex; histograms
// are copied out, never referenced, so readers need no lock afterwards.
#include "controller/usage_store.h"

#include <utility>

namespace controller {
namespace {

using Usages = std::map<UsageKey, policies::ContainerUsage>;

std::optional<policies::ContainerUsage> find_copy(const Usages& usages, const UsageKey& key) {
  auto it = usages.find(key);
  if (it == usages.end()) return std::nullopt;
  return it->second;
}

void erase_workload(Usages& usages, const WorkloadRef& workload) {
  std::erase_if(usages, [&](const auto& entry) { return entry.first.workload == workload; });
}

}  // namespace

bool UsageStore::add_sample(const UsageKey& key, bool canary, policies::Time at,
                            std::int64_t cpu_millicores, std::int64_t memory_bytes,
                            std::chrono::seconds half_life, std::optional<std::uint64_t> since) {
  std::lock_guard lock(mu_);
  if (since) {
    auto forgotten = forgotten_at_.find(key.workload);
    if (forgotten != forgotten_at_.end() && forgotten->second > *since) return false;
  }
  if (!canary) {
    auto until = restored_until_.find(key);
    if (until != restored_until_.end() && at <= until->second) return false;
  }
  auto& usages = canary ? canary_ : usage_;
  auto it = usages.try_emplace(key, half_life).first;
  // The policy's half-life may have changed since the container was first seen.
  if (it->second.cpu().half_life() != half_life) it->second.set_half_life(half_life);
  it->second.add_sample(at, cpu_millicores, memory_bytes);
  return true;
}

std::uint64_t UsageStore::epoch() const {
  std::lock_guard lock(mu_);
  return forgets_;
}

void UsageStore::retire_forgets(std::uint64_t epoch) {
  std::lock_guard lock(mu_);
  std::erase_if(forgotten_at_, [&](const auto& entry) { return entry.second <= epoch; });
}

std::optional<policies::ContainerUsage> UsageStore::usage(const UsageKey& key) const {
  std::lock_guard lock(mu_);
  return find_copy(usage_, key);
}

std::optional<policies::ContainerUsage> UsageStore::canary_usage(const UsageKey& key) const {
  std::lock_guard lock(mu_);
  return find_copy(canary_, key);
}

bool UsageStore::record_oom(const UsageKey& key, const policies::OomKill& oom, double bump_ratio,
                            std::chrono::seconds half_life) {
  std::lock_guard lock(mu_);
  // Each kill once, sized by the usage peak when it is first seen: the pod
  // keeps reporting it, and the interval's peak goes on growing after it.
  auto [seen, first] = oom_seen_.try_emplace(key, oom.at);
  if (!first && oom.at <= seen->second) return false;
  seen->second = oom.at;
  auto& u = usage_.try_emplace(key, half_life).first->second;
  if (u.cpu().half_life() != half_life) u.set_half_life(half_life);
  return u.record_oom(
      oom.at, policies::oom_floor_bytes(oom, u.memory_interval_peak_bytes(oom.at), bump_ratio));
}

bool UsageStore::restore(const UsageKey& key, policies::ContainerUsage restored,
                         std::optional<policies::Time> kill_learnt) {
  std::lock_guard lock(mu_);
  if (!restored_.insert(key).second) return false;
  if (kill_learnt) {
    auto& seen = oom_seen_[key];
    seen = std::max(seen, *kill_learnt);
  }
  if (restored.samples() > 0) restored_until_[key] = restored.last_sample();
  auto it = usage_.find(key);
  if (it == usage_.end()) {
    usage_.emplace(key, std::move(restored));
    return true;
  }
  // The samples since start are the newer ones: they keep their half-life and
  // the memory interval in progress; the checkpoint adds the history before.
  it->second.merge(restored);
  return true;
}

void UsageStore::mark_restored(const UsageKey& key) {
  std::lock_guard lock(mu_);
  restored_.insert(key);
}

bool UsageStore::restored(const UsageKey& key) const {
  std::lock_guard lock(mu_);
  return restored_.contains(key);
}

void UsageStore::forget(const WorkloadRef& workload) {
  std::lock_guard lock(mu_);
  erase_workload(usage_, workload);
  erase_workload(canary_, workload);
  std::erase_if(restored_, [&](const UsageKey& key) { return key.workload == workload; });
  std::erase_if(restored_until_,
                [&](const auto& entry) { return entry.first.workload == workload; });
  std::erase_if(oom_seen_, [&](const auto& entry) { return entry.first.workload == workload; });
  forgotten_at_[workload] = ++forgets_;
}

void UsageStore::record_success(std::string_view namespace_name, policies::Time at) {
  std::lock_guard lock(mu_);
  auto& h = health_[std::string(namespace_name)];
  h.last_success = at;
  h.last_error.clear();
  h.consecutive_failures = 0;
}

void UsageStore::record_failure(std::string_view namespace_name, policies::Time at,
                                std::string error) {
  std::lock_guard lock(mu_);
  auto& h = health_[std::string(namespace_name)];
  h.last_failure = at;
  h.last_error = std::move(error);
  ++h.consecutive_failures;
}

SamplingHealth UsageStore::health(std::string_view namespace_name) const {
  std::lock_guard lock(mu_);
  auto it = health_.find(namespace_name);
  return it == health_.end() ? SamplingHealth{} : it->second;
}

std::size_t UsageStore::memory_bytes() const {
  std::lock_guard lock(mu_);
  std::size_t total = 0;
  for (const auto& [key, u] : usage_) total += u.memory_bytes();
  for (const auto& [key, u] : canary_) total += u.memory_bytes();
  return total;
}

std::size_t UsageStore::containers() const {
  std::lock_guard lock(mu_);
  return usage_.size() + canary_.size();
}

}  // namespace controller
