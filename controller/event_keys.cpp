#include "controller/event_keys.h"

#include <algorithm>

#include "controller/reconciler.h"

namespace controller {
namespace {

bool restarts_changed(const PodInfo& old, const PodInfo& now) {
  for (const auto& c : now.containers) {
    auto before = std::ranges::find(old.containers, c.name, &PodContainer::name);
    if (before == old.containers.end()) {
      if (c.restart_count > 0 || !c.last_termination_reason.empty()) return true;
      continue;
    }
    if (before->restart_count != c.restart_count ||
        before->last_termination_reason != c.last_termination_reason ||
        before->last_termination_at != c.last_termination_at) {
      return true;
    }
  }
  return false;
}

void add_unique(Keys& keys, std::string key) {
  if (std::ranges::find(keys, key) == keys.end()) keys.push_back(std::move(key));
}

}  // namespace

Keys keys_for_workload(const Workload& workload) {
  Keys keys{workload.ref.key()};
  if (workload.policy) add_unique(keys, policy_key(workload.ref.namespace_name, *workload.policy));
  return keys;
}

Keys keys_for_workload_change(const Workload& old, const Workload& now) {
  Keys keys = keys_for_workload(now);
  for (auto& k : keys_for_workload(old)) add_unique(keys, std::move(k));
  return keys;
}

Keys keys_for_pod_change(const PodInfo& old, const PodInfo& now, const ClusterView& view) {
  bool progress = old.ready != now.ready || old.deleting != now.deleting;
  if (!progress && !restarts_changed(old, now)) return {};
  auto owner = view.owner_of(now);
  if (!owner) return {};
  return {owner->key()};
}

Keys keys_for_policy(const PolicyObject& policy, const ClusterView& view) {
  Keys keys{policy_key(policy.namespace_name, policy.name)};
  for (const auto& w : view.workloads_in(policy.namespace_name)) {
    if (w->policy == policy.name) add_unique(keys, w->ref.key());
  }
  return keys;
}

Keys keys_for_rightsizing(const RightsizingObject& rightsizing) {
  Keys keys;
  if (rightsizing.target) keys.push_back(rightsizing.target->key());
  if (!rightsizing.policy_ref.empty()) {
    add_unique(keys, policy_key(rightsizing.namespace_name, rightsizing.policy_ref));
  }
  return keys;
}

Keys keys_for_hpa(const HpaInfo& hpa) {
  auto kind = parse_workload_kind(hpa.target_kind);
  if (!kind || hpa.target_name.empty()) return {};
  return {WorkloadRef{*kind, hpa.namespace_name, hpa.target_name}.key()};
}

Keys keys_for_pdb(const PdbInfo& pdb, const ClusterView& view) {
  Keys keys;
  for (const auto& w : view.workloads_in(pdb.namespace_name)) {
    if (w->policy && pdb_selects(pdb, w->template_labels)) keys.push_back(w->ref.key());
  }
  return keys;
}

}  // namespace controller
