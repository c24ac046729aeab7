// A plain UsageStore for the reconciler's unit tests until the sampler's
// controller/usage_store.cpp is in the library; delete this file (and its
// line in CMakeLists.txt) then. Same contract as usage_store.h, no more.
#include <utility>

#include "controller/usage_store.h"

namespace controller {

void UsageStore::add_sample(const UsageKey& key, bool canary, policies::Time at,
                            std::int64_t cpu_millicores, std::int64_t memory_bytes,
                            std::chrono::seconds half_life) {
  std::lock_guard lock(mu_);
  auto& map = canary ? canary_ : usage_;
  auto it = map.try_emplace(key, policies::ContainerUsage(half_life)).first;
  it->second.add_sample(at, cpu_millicores, memory_bytes);
}

std::optional<policies::ContainerUsage> UsageStore::usage(const UsageKey& key) const {
  std::lock_guard lock(mu_);
  auto it = usage_.find(key);
  if (it == usage_.end()) return std::nullopt;
  return it->second;
}

std::optional<policies::ContainerUsage> UsageStore::canary_usage(const UsageKey& key) const {
  std::lock_guard lock(mu_);
  auto it = canary_.find(key);
  if (it == canary_.end()) return std::nullopt;
  return it->second;
}

bool UsageStore::restore(const UsageKey& key, policies::ContainerUsage restored) {
  std::lock_guard lock(mu_);
  if (!restored_.insert(key).second) return false;
  auto it = usage_.find(key);
  if (it != usage_.end()) restored.merge(it->second);
  usage_.insert_or_assign(key, std::move(restored));
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
  std::erase_if(usage_, [&](const auto& kv) { return kv.first.workload == workload; });
  std::erase_if(canary_, [&](const auto& kv) { return kv.first.workload == workload; });
  std::erase_if(restored_, [&](const auto& k) { return k.workload == workload; });
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
  return 0;
}
std::size_t UsageStore::containers() const {
  std::lock_guard lock(mu_);
  return usage_.size();
}

}  // namespace controller
