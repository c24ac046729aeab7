#pragma once
// Read access to the informer caches, as the reconciler and the usage sampler
// need it (DESIGN §12: no GET in a reconcile). The manager implements it over
// its informers; unit tests over plain maps. Returned objects are immutable
// snapshots. Thread-safe.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/cluster_objects.h"

namespace controller {

class ClusterView {
 public:
  virtual ~ClusterView() = default;

  virtual std::shared_ptr<const Workload> workload(const WorkloadRef& ref) const = 0;
  // Every Deployment and StatefulSet, or those of one namespace.
  virtual std::vector<std::shared_ptr<const Workload>> workloads() const = 0;
  virtual std::vector<std::shared_ptr<const Workload>> workloads_in(
      std::string_view namespace_name) const = 0;
  // The pods a workload controls, through owner references (Pod → ReplicaSet
  // → Deployment, Pod → StatefulSet; uids, never names), canaries included:
  // the pods of a Deployment's canary (a Deployment whose controller owner
  // is a Rightsizing) count as its target workload's, with PodInfo::canary.
  virtual std::vector<std::shared_ptr<const PodInfo>> pods_of(const Workload& workload) const = 0;
  virtual std::shared_ptr<const PodInfo> pod(std::string_view namespace_name,
                                             std::string_view name) const = 0;
  // The workload controlling a pod, by the same owner chain.
  virtual std::optional<WorkloadRef> owner_of(const PodInfo& pod) const = 0;

  virtual std::shared_ptr<const PolicyObject> policy(std::string_view namespace_name,
                                                     std::string_view name) const = 0;
  virtual std::vector<std::shared_ptr<const PolicyObject>> policies() const = 0;

  virtual std::shared_ptr<const RightsizingObject> rightsizing(std::string_view namespace_name,
                                                               std::string_view name) const = 0;
  virtual std::vector<std::shared_ptr<const RightsizingObject>> rightsizings_in(
      std::string_view namespace_name) const = 0;

  virtual std::vector<std::shared_ptr<const HpaInfo>> hpas_in(
      std::string_view namespace_name) const = 0;
  virtual std::vector<std::shared_ptr<const PdbInfo>> pdbs_in(
      std::string_view namespace_name) const = 0;
};

}  // namespace controller
