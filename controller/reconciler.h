#pragma once
// One reconcile is one workload (DESIGN §1), or one policy's status. Reads
// only the caches (ClusterView) and the usage store, decides, writes at most
// what changed (no write when nothing did; status through /status; a 409
// re-reads and re-applies), and says when to come back — controller-runtime's
// one outcome: an error (requeue with backoff), a requeue-after, or done.
// Recommend mode never changes the workload; Auto mode (enable_auto_mode)
// hands a workload whose policy says Auto to the RolloutDriver.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "controller/cluster_view.h"
#include "controller/usage_store.h"
#include "k8s/api_client.h"
#include "k8s/call_context.h"
#include "k8s/clock.h"
#include "k8s/error.h"
#include "k8s/event_recorder.h"

namespace controller {

class RolloutDriver;

// Work-queue keys: WorkloadRef::key() for workloads, and this for policies.
std::string policy_key(std::string_view namespace_name,
                       std::string_view name);  // "RightsizePolicy/ns/name"
struct PolicyKey {
  std::string namespace_name, name;
};
std::optional<PolicyKey> parse_policy_key(std::string_view key);

struct ReconcileOutcome {
  std::optional<k8s::Error> error;                        // requeue with backoff
  std::optional<std::chrono::nanoseconds> requeue_after;  // come back then
  int writes = 0;                                         // mutating API calls made
};

// Events on workloads and policies; the manager passes EventRecorder::record.
using EventSink = std::function<void(const k8s::InvolvedObject& object, k8s::EventType type,
                                     const std::string& reason, const std::string& message)>;

struct ReconcilerOptions {
  // How often a workload is looked at again without a watch event (new
  // samples arrive every metrics interval).
  std::chrono::nanoseconds resync{std::chrono::seconds(60)};
  int conflict_retries = 3;
  // Usage figures and checkpoints alone (histograms that only grew) are
  // written at most this often; any other change writes them at once.
  std::chrono::nanoseconds checkpoint_interval{std::chrono::minutes(5)};
  // Plus a per-workload share of this (checkpoint_schedule.h), so that the
  // workloads written together at a start do not all write again together.
  std::chrono::nanoseconds checkpoint_jitter{std::chrono::seconds(150)};
  // A create that finds the object already there (the cache lags the
  // server) is looked at again this soon, without backoff.
  std::chrono::nanoseconds cache_lag_requeue{std::chrono::seconds(2)};
};

class Reconciler {
 public:
  Reconciler(const ClusterView& view, UsageStore& usage, k8s::ApiClient& client, EventSink events,
             k8s::Clock& clock, ReconcilerOptions options = {});

  // The Rightsizing of the workload (or its deletion when the workload no
  // longer opts in), kept true to the caches and the usage learnt.
  ReconcileOutcome reconcile_workload(const WorkloadRef& ref, const k8s::CallContext& ctx);
  // The policy's status: Valid/Ready, workload counts, total savings.
  ReconcileOutcome reconcile_policy(const PolicyKey& key, const k8s::CallContext& ctx);
  // Writes the status of every annotated workload whose learning (usage
  // figures, checkpoint) is not yet written, whatever the checkpoint interval:
  // what a leader does after its workers stopped and before it releases the
  // lease, so that a clean restart loses no learning.
  ReconcileOutcome flush_learning(const k8s::CallContext& ctx);
  // Restores, without writing, the checkpoints of the Rightsizings in the
  // cache for every annotated workload (once per container, as
  // reconcile_workload would): run before the sampler's first pass so that
  // samples taken since the start are merged under the restored learning.
  void restore_all();
  // Dispatches a work-queue key to one of the two; an unknown key is dropped.
  ReconcileOutcome reconcile(std::string_view key, const k8s::CallContext& ctx);
  // Workloads whose policy is in Auto mode are driven by `driver` from now
  // on (it must outlive the reconciler); without it, every policy is treated
  // as Recommend.
  void enable_auto_mode(RolloutDriver& driver) { rollout_ = &driver; }

 private:
  ReconcileOutcome remove_rightsizing(const WorkloadRef& ref, const RightsizingObject* rsz,
                                      const k8s::CallContext& ctx);
  void restore_checkpoints(const Workload& w, const RightsizingObject* rsz,
                           const PolicyObject* policy);
  k8s::Result<std::string> create_rightsizing(const Workload& w, const k8s::CallContext& ctx);
  k8s::Result<bool> write_status(const Workload& w, const PolicyObject* policy,
                                 std::string resource_version, policies::RightsizingStatus old,
                                 ReconcileOutcome& outcome, const k8s::CallContext& ctx,
                                 bool force_learning = false,
                                 const RightsizingObject* rsz = nullptr);
  bool auto_mode(const PolicyObject* policy) const;
  bool all_restored(const Workload& w) const;
  bool learning_due(const std::string& key) const;
  void emit(const Workload& w, k8s::EventType type, const std::string& reason,
            const std::string& message);

  const ClusterView& view_;
  UsageStore& usage_;
  k8s::ApiClient& client_;
  EventSink events_;
  k8s::Clock& clock_;
  ReconcilerOptions options_;
  RolloutDriver* rollout_ = nullptr;
  // When each workload's usage figures and checkpoints were last written
  // (monotonic); a workload not listed is due. Workers reconcile in parallel.
  mutable std::mutex mu_;
  std::map<std::string, k8s::Clock::Monotonic> learning_written_;
};

}  // namespace controller
