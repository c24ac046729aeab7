#pragma once
// Auto mode (DESIGN §5, §6): one reconcile of a workload whose policy says
// Auto, after the Recommend-mode status is built. It observes the stage in
// flight through the workload kind's actuator, runs the SLO gate when an
// analysis is due, steps the state machine (policies::advance), writes the
// Rightsizing status FIRST (write ahead, /status with the cached
// resourceVersion), and only when that write succeeded executes the
// actions, records the events and removes a consumed rightsizer.io/action.
// A failed or conflicting status write executes nothing: the caller
// requeues, and the next reconcile decides again from the caches.
//
// Thread-safe: workers call it for different workloads at once (the work
// queue never hands one workload to two workers).
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "controller/actuator.h"
#include "controller/cluster_view.h"
#include "controller/prometheus_client.h"
#include "controller/reconciler.h"
#include "controller/rightsizing_builder.h"
#include "k8s/api_client.h"
#include "k8s/clock.h"

namespace controller {

// One actuator per workload kind (both required).
struct Actuators {
  std::unique_ptr<Actuator> deployment;
  std::unique_ptr<Actuator> stateful_set;
};

// A Prometheus client for a policy's slos.prometheus; asked once per
// address and timeout (the driver keeps the answer).
using PrometheusFactory = std::function<PromResult<std::shared_ptr<PrometheusQuerier>>(
    const policies::PrometheusEndpoint& endpoint)>;

// Counters, by result (operator_metrics.h); unset: not counted.
struct RolloutMetrics {
  std::function<void(std::string_view result)> canary;  // started, promoted, rolled_back, aborted
  std::function<void(std::string_view result)> slo_check;  // pass, fail, skip, error
};

class RolloutDriver {
 public:
  RolloutDriver(const ClusterView& view, k8s::ApiClient& client, PrometheusFactory prometheus,
                Actuators actuators, EventSink events, k8s::Clock& clock,
                RolloutMetrics metrics = {});

  // Auto mode for one workload: `in` as the Recommend builder takes it (its
  // `old` is the stored status, `policy` valid and in Auto mode), `rsz` the
  // cached Rightsizing. Returns whether the status was written (a status
  // written always carries fresh usage figures and checkpoints); counts the
  // writes and lowers outcome.requeue_after to what the rollout needs.
  k8s::Result<bool> drive(RightsizingInput in, const RightsizingObject& rsz,
                          ReconcileOutcome& outcome, const k8s::CallContext& ctx);

  // Opt-out (the annotation removed, or the workload deleting), or a policy
  // no longer usable in Auto mode (invalid, deleted, Recommend): ends what
  // Rightsizer started and no longer drives. A Deployment's canary is
  // deleted (a promotion already written stays); a StatefulSet in any stage
  // in flight gets lastGood back with partition 0, since its template and
  // partition are the only record of the step. `ended`: the stage needed
  // ending and is over (a canary already gone included); `writes`: the
  // mutating calls made. An Event only when something was ended by a write.
  struct Aborted {
    bool ended = false;
    int writes = 0;
  };
  k8s::Result<Aborted> abort_canary(const Workload& workload, const RightsizingObject& rsz,
                                    const k8s::CallContext& ctx);

 private:
  struct Tick;
  Actuator& actuator_for(WorkloadKind kind) const;
  policies::RolloutInput observe(const Tick& tick, const policies::RolloutState& state);
  std::optional<policies::AnalysisOutcome> analyse(const Tick& tick,
                                                   const policies::RolloutState& state,
                                                   const policies::StageObservation& stage,
                                                   bool held);
  PromResult<std::shared_ptr<PrometheusQuerier>> prometheus_for(
      const policies::PrometheusEndpoint& endpoint);
  k8s::Result<bool> write_failed(RightsizingInput in, const RightsizingObject& rsz,
                                 const std::string& error, ReconcileOutcome& outcome,
                                 const k8s::CallContext& ctx);
  k8s::Result<bool> put_status(const RightsizingObject& rsz, const policies::RightsizingStatus& s,
                               ReconcileOutcome& outcome, const k8s::CallContext& ctx);
  k8s::Result<bool> execute(const Tick& tick, const policies::RolloutResult& result,
                            ReconcileOutcome& outcome, const k8s::CallContext& ctx);
  k8s::Result<bool> remove_action(const RightsizingObject& rsz, ReconcileOutcome& outcome,
                                  const k8s::CallContext& ctx);
  void emit(const Workload& w, bool warning, const std::string& reason,
            const std::string& message) const;
  void count_transition(policies::RightsizingPhase from, policies::RightsizingPhase to,
                        const policies::RolloutState& next) const;

  const ClusterView& view_;
  k8s::ApiClient& client_;
  PrometheusFactory prometheus_;
  Actuators actuators_;
  EventSink events_;
  k8s::Clock& clock_;
  RolloutMetrics metrics_;
  std::mutex mu_;  // guards queriers_
  std::map<std::string, std::shared_ptr<PrometheusQuerier>, std::less<>> queriers_;
};

// For a status write that is not Auto mode's reconcile (flushing the
// learning): what Auto mode owns in `built` is put back as `old` has it —
// phase, history, conditions, each container's step, lastGood, floor and
// original, the canary, the last rollback and the realised savings.
void keep_rollout_fields(const policies::RightsizingStatus& old,
                         policies::RightsizingStatus& built);

// After abort_canary ended a stage for a policy no longer in Auto mode: the
// rollout fields of `old` are kept in `built` with the step cleared (Idle,
// lastGood, floor and original kept), the phase is the builder's (Observing
// when the builder kept the old in-flight one) and the change is recorded.
void keep_rollout_fields_stood_down(const policies::RightsizingStatus& old,
                                    policies::RightsizingStatus& built, policies::Timestamp now);

}  // namespace controller
