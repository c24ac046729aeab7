#include "controller/informer_cluster_view.h"

#include <string>

namespace controller {
namespace {

std::string cache_key(std::string_view namespace_name, std::string_view name) {
  std::string key(namespace_name);
  key += '/';
  key += name;
  return key;
}

// The owner reference is the controller of kind `kind` with uid `uid`: a
// reference by name alone could name a newer object of the same name.
bool controlled_by(const std::optional<OwnerRef>& controller, std::string_view kind,
                   std::string_view uid) {
  return controller && controller->controller && controller->kind == kind && !uid.empty() &&
         controller->uid == uid;
}

template <class T>
std::vector<std::shared_ptr<const T>> controlled(const k8s::Store<T>& store, std::string_view kind,
                                                 std::string_view owner_uid) {
  std::vector<std::shared_ptr<const T>> out;
  for (auto& item : store.by_owner(owner_uid)) {
    if (controlled_by(item->controller, kind, owner_uid)) out.push_back(std::move(item));
  }
  return out;
}

// The pods of a Deployment, through its ReplicaSets.
std::vector<std::shared_ptr<const PodInfo>> deployment_pods(const ClusterStores& s,
                                                            std::string_view deployment_uid) {
  std::vector<std::shared_ptr<const PodInfo>> out;
  for (const auto& rs : controlled(s.replica_sets, "Deployment", deployment_uid)) {
    auto pods = controlled(s.pods, "ReplicaSet", rs->uid);
    out.insert(out.end(), pods.begin(), pods.end());
  }
  return out;
}

}  // namespace

const k8s::Store<Workload>& InformerClusterView::workloads_of(WorkloadKind kind) const {
  return kind == WorkloadKind::StatefulSet ? s_.stateful_sets : s_.deployments;
}

std::shared_ptr<const Workload> InformerClusterView::workload(const WorkloadRef& ref) const {
  return workloads_of(ref.kind).get(cache_key(ref.namespace_name, ref.name));
}

std::vector<std::shared_ptr<const Workload>> InformerClusterView::workloads() const {
  auto out = s_.deployments.list();
  auto sets = s_.stateful_sets.list();
  out.insert(out.end(), sets.begin(), sets.end());
  return out;
}

std::vector<std::shared_ptr<const Workload>> InformerClusterView::workloads_in(
    std::string_view namespace_name) const {
  auto out = s_.deployments.by_namespace(namespace_name);
  auto sets = s_.stateful_sets.by_namespace(namespace_name);
  out.insert(out.end(), sets.begin(), sets.end());
  return out;
}

std::vector<std::shared_ptr<const PodInfo>> InformerClusterView::pods_of(
    const Workload& workload) const {
  if (workload.ref.kind == WorkloadKind::StatefulSet) {
    return controlled(s_.pods, "StatefulSet", workload.uid);
  }
  auto out = deployment_pods(s_, workload.uid);
  // The canary's pods: Deployments controlled by the workload's Rightsizing
  // (by uid), when that Rightsizing targets this workload.
  auto rightsizing =
      s_.rightsizings.get(cache_key(workload.ref.namespace_name, workload.ref.rightsizing_name()));
  if (!rightsizing || rightsizing->target != workload.ref) return out;
  for (const auto& canary : controlled(s_.deployments, "Rightsizing", rightsizing->uid)) {
    auto pods = deployment_pods(s_, canary->uid);
    out.insert(out.end(), pods.begin(), pods.end());
  }
  return out;
}

std::shared_ptr<const PodInfo> InformerClusterView::pod(std::string_view namespace_name,
                                                        std::string_view name) const {
  return s_.pods.get(cache_key(namespace_name, name));
}

std::optional<WorkloadRef> InformerClusterView::owner_of(const PodInfo& pod) const {
  const auto& owner = pod.controller;
  if (!owner || !owner->controller) return std::nullopt;
  if (owner->kind == "StatefulSet") {
    auto set = s_.stateful_sets.get(cache_key(pod.namespace_name, owner->name));
    if (!set || set->uid != owner->uid) return std::nullopt;
    return set->ref;
  }
  if (owner->kind != "ReplicaSet") return std::nullopt;
  auto rs = s_.replica_sets.get(cache_key(pod.namespace_name, owner->name));
  if (!rs || rs->uid != owner->uid || !rs->controller || !rs->controller->controller ||
      rs->controller->kind != "Deployment") {
    return std::nullopt;
  }
  auto deployment = s_.deployments.get(cache_key(pod.namespace_name, rs->controller->name));
  if (!deployment || deployment->uid != rs->controller->uid) return std::nullopt;
  if (!deployment->controller || !deployment->controller->controller ||
      deployment->controller->kind != "Rightsizing") {
    return deployment->ref;
  }
  return canary_target(*deployment);
}

std::optional<WorkloadRef> InformerClusterView::canary_target(const Workload& canary) const {
  auto rightsizing =
      s_.rightsizings.get(cache_key(canary.ref.namespace_name, canary.controller->name));
  // As pods_of() finds it: the target's own Rightsizing, of a Deployment.
  if (!rightsizing || rightsizing->uid != canary.controller->uid || !rightsizing->target ||
      rightsizing->target->kind != WorkloadKind::Deployment ||
      rightsizing->target->rightsizing_name() != rightsizing->name) {
    return std::nullopt;
  }
  return rightsizing->target;
}

std::shared_ptr<const PolicyObject> InformerClusterView::policy(std::string_view namespace_name,
                                                                std::string_view name) const {
  return s_.policies.get(cache_key(namespace_name, name));
}

std::vector<std::shared_ptr<const PolicyObject>> InformerClusterView::policies() const {
  return s_.policies.list();
}

std::shared_ptr<const RightsizingObject> InformerClusterView::rightsizing(
    std::string_view namespace_name, std::string_view name) const {
  return s_.rightsizings.get(cache_key(namespace_name, name));
}

std::vector<std::shared_ptr<const RightsizingObject>> InformerClusterView::rightsizings_in(
    std::string_view namespace_name) const {
  return s_.rightsizings.by_namespace(namespace_name);
}

std::vector<std::shared_ptr<const HpaInfo>> InformerClusterView::hpas_in(
    std::string_view namespace_name) const {
  return s_.hpas.by_namespace(namespace_name);
}

std::vector<std::shared_ptr<const PdbInfo>> InformerClusterView::pdbs_in(
    std::string_view namespace_name) const {
  return s_.pdbs.by_namespace(namespace_name);
}

}  // namespace controller
