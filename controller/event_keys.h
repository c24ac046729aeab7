#pragma once
// Which work-queue keys an informer notification asks to reconcile. A
// workload's own changes, its Rightsizing's, its HPA's, the PDBs selecting
// it, and its pods' restarts (an OOMKill), readiness and deletion wake the
// workload; anything that changes what a
// policy's status counts wakes the policy; a policy's change wakes the
// workloads naming it. Pure functions over the cache projections.
#include <string>
#include <vector>

#include "controller/cluster_objects.h"
#include "controller/cluster_view.h"

namespace controller {

using Keys = std::vector<std::string>;

// The workload, and the policy it names (its counts), if any.
Keys keys_for_workload(const Workload& workload);
// As keys_for_workload for both, so that a policy the annotation left is
// recounted too.
Keys keys_for_workload_change(const Workload& old, const Workload& now);
// The pod's workload, only when a container's restart count or last
// termination changed, or the pod became Ready or unready, or began
// terminating (a step's progress): usage itself arrives through the
// sampler, and pods change status far more often than that.
Keys keys_for_pod_change(const PodInfo& old, const PodInfo& now, const ClusterView& view);
// The policy, and every workload of its namespace that names it.
Keys keys_for_policy(const PolicyObject& policy, const ClusterView& view);
// The workload it targets and the policy it names.
Keys keys_for_rightsizing(const RightsizingObject& rightsizing);
// The Deployment or StatefulSet it scales (an HPA conflict blocks it).
Keys keys_for_hpa(const HpaInfo& hpa);
// The opted-in workloads of its namespace whose pod template it selects (a
// PDB allowing no disruption blocks their steps; allowing one again unblocks).
Keys keys_for_pdb(const PdbInfo& pdb, const ClusterView& view);

}  // namespace controller
