// Observations shared by the actuators (see stage_observation.h).
#include "controller/stage_observation.h"

#include <algorithm>

namespace controller {

bool template_carries(const Workload& workload, const policies::ContainerSizes& sizes) {
  if (workload.containers.size() != sizes.size()) return false;
  return std::all_of(workload.containers.begin(), workload.containers.end(),
                     [&](const ContainerSpec& c) {
                       const auto it = sizes.find(c.name);
                       return it != sizes.end() && it->second == c.resources;
                     });
}

bool rollout_complete(const Workload& w) {
  return w.observed_generation >= w.generation && w.updated_replicas == w.replicas &&
         w.ready_replicas == w.replicas && w.available_replicas == w.replicas &&
         w.status_replicas == w.replicas;
}

bool pod_active(const PodInfo& pod) {
  return !pod.deleting && pod.phase != "Failed" && pod.phase != "Succeeded";
}

std::vector<std::string> pod_names(const std::vector<std::shared_ptr<const PodInfo>>& pods) {
  std::vector<std::string> names;
  names.reserve(pods.size());
  for (const auto& p : pods) names.push_back(p->name);
  std::sort(names.begin(), names.end());
  return names;
}

policies::StageObservation observe_promoted(const ClusterView& view, const StageContext& stage,
                                            bool rolled_out) {
  policies::StageObservation obs;
  const Workload& w = *stage.workload;
  obs.applied = template_carries(w, stage.sizes);
  if (!obs.applied) {
    obs.detail = "the template does not carry the stage's resources yet";
    return obs;
  }
  std::vector<std::shared_ptr<const PodInfo>> pods;
  int behind = 0;
  for (auto& p : view.pods_of(w)) {
    if (p->canary || !pod_active(*p)) continue;
    if (!p->ready || !pod_carries(*p, stage.sizes)) ++behind;
    pods.push_back(std::move(p));
  }
  obs.pods = pod_names(pods);
  obs.effective = rolled_out && behind == 0;
  if (!rolled_out) {
    obs.detail = "the workload's rollout is in progress";
  } else if (behind > 0) {
    obs.detail = std::to_string(behind) + " pod(s) not Ready with the stage's resources";
  }
  return obs;
}

}  // namespace controller
