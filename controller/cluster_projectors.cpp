// The real projectors of the operator's caches, apart from ClusterInformers
// so that unit tests can build informers with projectors of their own.
#include "controller/cluster_informers.h"

namespace controller {

ClusterProjectors cluster_projectors() {
  return {
      .policies = {k8s::FieldMask(), project_policy},
      .rightsizings = {rightsizing_mask(), project_rightsizing},
      .deployments = {workload_mask(),
                      [](const nlohmann::json& o) {
                        return project_workload(WorkloadKind::Deployment, o);
                      }},
      .stateful_sets = {workload_mask(),
                        [](const nlohmann::json& o) {
                          return project_workload(WorkloadKind::StatefulSet, o);
                        }},
      .replica_sets = {replica_set_mask(), project_replica_set},
      .pods = {pod_mask(), project_pod},
      .hpas = {hpa_mask(), project_hpa},
      .pdbs = {pdb_mask(), project_pdb},
  };
}

}  // namespace controller
