#pragma once
// Actuators (DESIGN §5): how a step is tried, promoted, aborted and restored
// on one kind of workload. The state machine (policies/rollout.h) never knows
// which actuator ran; a third one (in-place resize of the canary pods through
// pods/resize) is an addition behind this interface, not a rewrite.
//
// Every mutation is idempotent: repeating one with the same sizes changes
// nothing (the API server makes an identical patch a no-op, so the
// workload's generation moves once per step), which is what makes the
// write-ahead status safe to replay after a crash. observe() reads only the
// caches (ClusterView); mutations make at most the calls their comment says.
//
//   Deployment  StartCanary  create "<name>-rightsizer-canary": the workload's
//                            template (labels, annotations) plus the label
//                            rightsizer.io/canary: "true", canaryReplicas
//                            replicas, the step's resources, selector = the
//                            workload's plus the canary label, annotation
//                            rightsizer.io/step = hash and
//                            rightsizer.io/template = the template's hash,
//                            controller owner reference to the Rightsizing
//                            (1 POST; an existing canary of another step or
//                            an older template is deleted first); observe():
//                            a canary of an older template is not applied
//              AbortCanary   delete the canary (1 DELETE; NotFound is done)
//              Promote       one strategic-merge patch of the workload: every
//                            container's resources + annotation
//                            rightsizer.io/step = hash (1 PATCH)
//              FinishCanary  delete the canary (as AbortCanary)
//              Restore       as Promote, with lastGood
//   StatefulSet StartCanary  one patch: template resources + partition =
//                            replicas − canaryReplicas + the step annotation;
//                            the canary pods are the highest ordinals
//              AbortCanary   one patch: template back to lastGood, partition 0
//              Promote       one patch: partition 0 (template already has it);
//                            with no canary before (increases), template too
//              FinishCanary  nothing
//              Restore       one patch: template lastGood, partition 0
#include <memory>
#include <string>

#include "controller/cluster_objects.h"
#include "controller/cluster_view.h"
#include "k8s/api_client.h"
#include "k8s/call_context.h"
#include "k8s/result.h"
#include "policies/rollout.h"

namespace controller {

// What a stage needs to know to observe or act.
struct StageContext {
  const Workload* workload = nullptr;                     // required
  const RightsizingObject* rightsizing = nullptr;         // required (the canary's owner)
  const policies::RightsizePolicySpec* policy = nullptr;  // required
  policies::RightsizingPhase phase = policies::RightsizingPhase::Observing;  // stage in flight
  policies::ContainerSizes sizes;  // the stage's resources (step, or lastGood when RolledBack)
  std::string hash;                // step_hash(sizes)
};

class Actuator {
 public:
  virtual ~Actuator() = default;
  // From the caches only: is the stage's mutation visible, are its pods Ready
  // with its resources, which pods to analyse (and the stable ones).
  virtual policies::StageObservation observe(const ClusterView& view,
                                             const StageContext& stage) const = 0;
  // Whether a canary object (of any step) exists for the workload.
  virtual bool canary_exists(const ClusterView& view, const Workload& workload) const = 0;
  // Executes one action; returns the number of mutating calls made.
  virtual k8s::Result<int> execute(const policies::RolloutAction& action, const StageContext& stage,
                                   const k8s::CallContext& ctx) = 0;
};

std::unique_ptr<Actuator> make_deployment_actuator(k8s::ApiClient& client);
std::unique_ptr<Actuator> make_stateful_set_actuator(k8s::ApiClient& client);

// Whether a pod's containers carry exactly these requests and limits (a
// request unset in `sizes` under a limit may be the limit in the pod, as the
// API server defaults it); containers not named in `sizes` are not looked at.
bool pod_carries(const PodInfo& pod, const policies::ContainerSizes& sizes);

}  // namespace controller
