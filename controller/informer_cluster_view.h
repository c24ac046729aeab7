#pragma once
// The ClusterView the operator runs with: reads straight from its informers'
// stores, so a reconcile never GETs (DESIGN §12). Pods are mapped to their
// workload through controller owner references and uids only (Pod →
// ReplicaSet → Deployment, Pod → StatefulSet): a pod whose chain names an
// object by a uid the cache does not hold belongs to nothing. A canary
// Deployment's pods (Pod → ReplicaSet → Deployment whose controller is a
// Rightsizing) belong to that Rightsizing's target Deployment. Thread-safe
// (the stores are).
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "controller/cluster_objects.h"
#include "controller/cluster_view.h"
#include "k8s/store.h"

namespace controller {

// The caches the view reads; each must outlive the view.
struct ClusterStores {
  const k8s::Store<PolicyObject>& policies;
  const k8s::Store<RightsizingObject>& rightsizings;
  const k8s::Store<Workload>& deployments;
  const k8s::Store<Workload>& stateful_sets;
  const k8s::Store<ReplicaSetInfo>& replica_sets;
  const k8s::Store<PodInfo>& pods;
  const k8s::Store<HpaInfo>& hpas;
  const k8s::Store<PdbInfo>& pdbs;
};

class InformerClusterView final : public ClusterView {
 public:
  explicit InformerClusterView(ClusterStores stores) : s_(stores) {}

  std::shared_ptr<const Workload> workload(const WorkloadRef& ref) const override;
  std::vector<std::shared_ptr<const Workload>> workloads() const override;
  std::vector<std::shared_ptr<const Workload>> workloads_in(
      std::string_view namespace_name) const override;
  std::vector<std::shared_ptr<const PodInfo>> pods_of(const Workload& workload) const override;
  std::shared_ptr<const PodInfo> pod(std::string_view namespace_name,
                                     std::string_view name) const override;
  std::optional<WorkloadRef> owner_of(const PodInfo& pod) const override;

  std::shared_ptr<const PolicyObject> policy(std::string_view namespace_name,
                                             std::string_view name) const override;
  std::vector<std::shared_ptr<const PolicyObject>> policies() const override;

  std::shared_ptr<const RightsizingObject> rightsizing(std::string_view namespace_name,
                                                       std::string_view name) const override;
  std::vector<std::shared_ptr<const RightsizingObject>> rightsizings_in(
      std::string_view namespace_name) const override;

  std::vector<std::shared_ptr<const HpaInfo>> hpas_in(
      std::string_view namespace_name) const override;
  std::vector<std::shared_ptr<const PdbInfo>> pdbs_in(
      std::string_view namespace_name) const override;

 private:
  [[nodiscard]] const k8s::Store<Workload>& workloads_of(WorkloadKind kind) const;
  // The target of the Rightsizing controlling `canary` (by uid); nullopt
  // when that Rightsizing is not cached or targets no Deployment.
  [[nodiscard]] std::optional<WorkloadRef> canary_target(const Workload& canary) const;
  ClusterStores s_;
};

}  // namespace controller
