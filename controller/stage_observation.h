#pragma once
// What the actuators share when they observe a stage (controller/actuator.h):
// whether a template carries a step, and the observation of a promoted
// stage (the workload's own rollout). Reads only the caches.
#include <string>
#include <vector>

#include "controller/actuator.h"

namespace controller {

// Whether the template's containers are exactly `sizes`: the same names,
// each with these requests and limits.
bool template_carries(const Workload& workload, const policies::ContainerSizes& sizes);

// Whether the workload's controller has finished rolling out its spec:
// observedGeneration ≥ generation and updated = ready = available = status
// replicas = spec.replicas.
bool rollout_complete(const Workload& workload);

// Promoting, Verifying, RolledBack: applied = the template carries
// stage.sizes; effective = applied, `rolled_out`, and every non-canary active
// pod (pod_active) is Ready and carries the sizes; pods = those
// pods (by name, sorted); no baseline.
policies::StageObservation observe_promoted(const ClusterView& view, const StageContext& stage,
                                            bool rolled_out);

// Whether a pod counts at all, as the ReplicaSet controller's
// FilterActivePods: not being deleted and not terminated (phase Failed or
// Succeeded). An evicted pod lingers as Failed until pod GC.
bool pod_active(const PodInfo& pod);

// The names of `pods`, sorted.
std::vector<std::string> pod_names(const std::vector<std::shared_ptr<const PodInfo>>& pods);

}  // namespace controller
