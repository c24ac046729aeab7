// Reconciler (reconciler.h): reads the caches, builds the desired status with
// the pure builders, writes only a difference, and says when to come back.
#include "controller/reconciler.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

#include "controller/api_resources.h"
#include "controller/checkpoint_schedule.h"
#include "controller/policy_status_builder.h"
#include "controller/rightsizing_builder.h"
#include "controller/rollout_driver.h"
#include "controller/status_bounds.h"
#include "policies/policy_status.h"
#include "policies/rightsizing_status.h"
#include "policies/usage_checkpoint.h"

namespace controller {
namespace {

using nlohmann::json;

constexpr std::string_view kPolicyKeyPrefix = "RightsizePolicy/";
constexpr std::chrono::seconds kDefaultHalfLife = std::chrono::hours(24);

policies::Timestamp timestamp(const k8s::Clock& clock) {
  return std::chrono::floor<std::chrono::seconds>(clock.wall_now());
}

k8s::ObjectRef rightsizing_ref(const WorkloadRef& ref, std::string subresource = "") {
  return {rightsizings(), ref.namespace_name, ref.rightsizing_name(), std::move(subresource)};
}

std::string resource_version_of(const json& object) {
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  const auto rv = meta->find("resourceVersion");
  return rv != meta->end() && rv->is_string() ? rv->get<std::string>() : "";
}

json rightsizing_object(const Workload& w) {
  const std::string kind = to_string(w.ref.kind);
  const std::string& policy = *w.policy;
  return {{"apiVersion", kApiVersion},
          {"kind", "Rightsizing"},
          {"metadata",
           {{"name", w.ref.rightsizing_name()},
            {"namespace", w.ref.namespace_name},
            {"labels", {{std::string(kPolicyLabel), policy}}},
            // blockOwnerDeletion needs update on the owner's finalizers,
            // which the operator is not granted.
            {"ownerReferences", json::array({{{"apiVersion", "apps/v1"},
                                              {"kind", kind},
                                              {"name", w.ref.name},
                                              {"uid", w.uid},
                                              {"controller", true},
                                              {"blockOwnerDeletion", false}}})}}},
          {"spec",
           {{"policyRef", {{"name", policy}}},
            {"targetRef", {{"apiVersion", "apps/v1"}, {"kind", kind}, {"name", w.ref.name}}}}}};
}

// What a PUT to /status needs: the status subresource ignores everything else.
json status_object(std::string_view kind, std::string_view ns, std::string_view name,
                   const std::string& resource_version, json status) {
  return {{"apiVersion", kApiVersion},
          {"kind", kind},
          {"metadata", {{"name", name}, {"namespace", ns}, {"resourceVersion", resource_version}}},
          {"status", std::move(status)}};
}

// The object's .status (null when absent or when the body is no object).
json status_of(const json& object) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find("status");
  return it == object.end() ? json() : *it;
}

policies::RightsizingStatus stored_status(const json& object) {
  auto parsed = policies::rightsizing_status_from_json(status_of(object));
  return parsed ? *parsed : policies::RightsizingStatus{};
}

// Whether the workload may restore from and write to this Rightsizing: not
// being deleted, targeting it, and not controlled by another uid (an earlier
// workload of the same name), as controller-runtime's IsControlledBy.
bool usable(const RightsizingObject& rsz, const Workload& w) {
  if (rsz.deleting || rsz.target != w.ref) return false;
  return std::ranges::none_of(rsz.owners,
                              [&](const OwnerRef& o) { return o.controller && o.uid != w.uid; });
}

ReconcileOutcome failed(k8s::Error e, int writes) {
  return {std::move(e), std::nullopt, writes};
}

}  // namespace

std::string policy_key(std::string_view namespace_name, std::string_view name) {
  return std::string(kPolicyKeyPrefix) + std::string(namespace_name) + "/" + std::string(name);
}

std::optional<PolicyKey> parse_policy_key(std::string_view key) {
  if (!key.starts_with(kPolicyKeyPrefix)) return std::nullopt;
  key.remove_prefix(kPolicyKeyPrefix.size());
  const auto slash = key.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size() ||
      key.find('/', slash + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return PolicyKey{std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

Reconciler::Reconciler(const ClusterView& view, UsageStore& usage, k8s::ApiClient& client,
                       EventSink events, k8s::Clock& clock, ReconcilerOptions options)
    : view_(view),
      usage_(usage),
      client_(client),
      events_(std::move(events)),
      clock_(clock),
      options_(options) {}

ReconcileOutcome Reconciler::reconcile(std::string_view key, const k8s::CallContext& ctx) {
  if (auto p = parse_policy_key(key)) return reconcile_policy(*p, ctx);
  if (auto w = parse_workload_key(key)) return reconcile_workload(*w, ctx);
  return {};
}

ReconcileOutcome Reconciler::reconcile_workload(const WorkloadRef& ref,
                                                const k8s::CallContext& ctx) {
  const auto w = view_.workload(ref);
  const auto rsz = view_.rightsizing(ref.namespace_name, ref.rightsizing_name());
  if (!w || !w->policy || w->deleting) {
    // Opting out mid-canary ends the canary first; the workload keeps its size.
    if (w && rollout_ != nullptr && rsz && !rsz->deleting && rsz->target == ref) {
      auto aborted = rollout_->abort_canary(*w, *rsz, ctx);
      if (!aborted) return failed(aborted.error(), 0);
      auto removed = remove_rightsizing(ref, rsz.get(), ctx);
      removed.writes += aborted->writes;
      return removed;
    }
    return remove_rightsizing(ref, rsz.get(), ctx);
  }
  ReconcileOutcome outcome;
  outcome.requeue_after = options_.resync;
  // Being deleted, or owned by an earlier workload of this name (the garbage
  // collector removes it): a new one once it is gone, and its checkpoint is
  // not this workload's learning. Another target's object is not ours.
  if (rsz && !usable(*rsz, *w)) return outcome;
  const auto policy = view_.policy(ref.namespace_name, *w->policy);
  std::string rv;
  policies::RightsizingStatus old;
  if (!rsz) {
    // An invalid or missing policy causes no action; its status says why.
    if (!policy || !policy->parsed.valid()) return outcome;
    auto created = create_rightsizing(*w, ctx);
    ++outcome.writes;
    if (!created && created.error().kind == k8s::ErrorKind::AlreadyExists) {
      // The cache lags the server: its checkpoint is not restored yet, so
      // nothing is marked and the update path runs once the watch has it.
      outcome.requeue_after = options_.cache_lag_requeue;
      return outcome;
    }
    if (!created) return failed(created.error(), outcome.writes);
    rv = std::move(*created);
    // Created just now: there is no checkpoint to miss.
    restore_checkpoints(*w, nullptr, policy.get());
  } else {
    restore_checkpoints(*w, rsz.get(), policy.get());
    rv = rsz->resource_version;
    if (rsz->policy_label != w->policy || rsz->policy_ref != *w->policy) {
      const json patch = {{"metadata", {{"labels", {{std::string(kPolicyLabel), *w->policy}}}}},
                          {"spec", {{"policyRef", {{"name", *w->policy}}}}}};
      auto patched = client_.patch(rightsizing_ref(ref), k8s::PatchType::Merge, patch, {}, ctx);
      ++outcome.writes;
      if (!patched) return failed(patched.error(), outcome.writes);
      // The status goes on top of the patched object, not into a conflict.
      if (auto patched_rv = resource_version_of(*patched); !patched_rv.empty()) rv = patched_rv;
    }
    if (rsz->status_error.empty()) old = rsz->status;
  }
  auto written = write_status(*w, policy.get(), std::move(rv), std::move(old), outcome, ctx,
                              /*force_learning=*/false, rsz.get());
  if (!written) return failed(written.error(), outcome.writes);
  return outcome;
}

namespace {

bool in_flight_stored(const policies::RightsizingStatus& status) {
  const auto state = policies::rollout_state_from_status(status);
  return state && policies::in_flight(state->phase);
}

// Auto mode's fields a status built outside it keeps in any mode: a stage
// in flight, or a state that does not parse (written over by a status built
// without it, its step and lastGood would be lost).
bool rollout_fields_kept(const policies::RightsizingStatus& status) {
  const auto state = policies::rollout_state_from_status(status);
  return !state || policies::in_flight(state->phase);
}

// A stage in flight outlives a policy that stops being usable in Auto mode
// (invalid, deleted, Recommend): what Rightsizer started and no longer
// drives is ended (RolloutDriver::abort_canary); the rest of the state is
// kept for when Auto mode returns. Returns whether something was ended.
k8s::Result<bool> end_stage_without_auto_mode(RolloutDriver* rollout, const Workload& w,
                                              const RightsizingObject* rsz,
                                              const policies::RightsizingStatus& old,
                                              ReconcileOutcome& outcome,
                                              const k8s::CallContext& ctx) {
  if (rollout == nullptr || rsz == nullptr || !in_flight_stored(old)) return false;
  auto ended = rollout->abort_canary(w, *rsz, ctx);
  if (!ended) return ended.error();
  outcome.writes += ended->writes;
  return ended->ended;
}

// The builder's events as the status written shows them: one that keeps
// Auto mode's phase or conditions (keep_auto_fields: a stage in flight, a
// state that does not parse) announces no recommendation or block it does
// not show, or every learning write would announce it again.
bool shown(const PlannedEvent& e, const policies::RightsizingStatus& s) {
  if (e.reason == "RightsizeRecommended") return s.phase == policies::RightsizingPhase::Recommended;
  if (e.reason == "RightsizeBlocked") {
    const auto* b = policies::find_condition(s.conditions, kBlockedCondition);
    return b != nullptr && b->status == policies::ConditionStatus::True &&
           e.message.starts_with(b->reason + ":");
  }
  return true;
}

// What Auto mode owns in a status built outside it, then the schema's limits.
void keep_auto_fields(bool stood_down, bool auto_mode, const policies::RightsizingStatus& old,
                      policies::RightsizingStatus& built, policies::Timestamp now) {
  if (stood_down) {
    keep_rollout_fields_stood_down(old, built, now);
  } else if (auto_mode || rollout_fields_kept(old)) {
    keep_rollout_fields(old, built);
  }
  bound_to_schema(built);
}

}  // namespace

bool Reconciler::auto_mode(const PolicyObject* policy) const {
  return rollout_ != nullptr && policy != nullptr && policy->parsed.valid() &&
         policy->parsed.spec.mode == policies::Mode::Auto;
}

ReconcileOutcome Reconciler::flush_learning(const k8s::CallContext& ctx) {
  ReconcileOutcome outcome;
  for (const auto& w : view_.workloads()) {
    if (ctx.stop.stop_requested()) break;
    if (!w->policy || w->deleting) continue;
    const auto rsz = view_.rightsizing(w->ref.namespace_name, w->ref.rightsizing_name());
    // Only a Rightsizing this workload owns and whose checkpoints were
    // restored: writing before the restore would replace the stored history.
    if (!rsz || !usable(*rsz, *w) || !all_restored(*w)) continue;
    const auto policy = view_.policy(w->ref.namespace_name, *w->policy);
    policies::RightsizingStatus old;
    if (rsz->status_error.empty()) old = rsz->status;
    auto written = write_status(*w, policy.get(), rsz->resource_version, std::move(old), outcome,
                                ctx, /*force_learning=*/true);
    // One workload's failure does not keep the others' learning unwritten.
    if (!written && !outcome.error) outcome.error = written.error();
  }
  return outcome;
}

void Reconciler::restore_all() {
  for (const auto& w : view_.workloads()) {
    if (!w->policy || w->deleting) continue;
    const auto rsz = view_.rightsizing(w->ref.namespace_name, w->ref.rightsizing_name());
    // Nothing cached is nothing known: the reconcile decides later.
    if (!rsz || !usable(*rsz, *w)) continue;
    const auto policy = view_.policy(w->ref.namespace_name, *w->policy);
    restore_checkpoints(*w, rsz.get(), policy.get());
  }
}

bool Reconciler::all_restored(const Workload& w) const {
  return std::ranges::all_of(w.containers, [&](const auto& c) {
    return usage_.restored({w.ref, c.name});
  });
}

ReconcileOutcome Reconciler::remove_rightsizing(const WorkloadRef& ref,
                                                const RightsizingObject* rsz,
                                                const k8s::CallContext& ctx) {
  usage_.forget(ref);
  {
    std::lock_guard lock(mu_);
    learning_written_.erase(ref.key());
  }
  // Only the Rightsizing this workload owns by name and target; another
  // object of that name is not ours to delete.
  if (rsz == nullptr || rsz->deleting || rsz->target != ref) return {};
  k8s::DeleteOptions opts;
  opts.precondition_uid = rsz->uid;
  auto removed = client_.remove(rightsizing_ref(ref), opts, ctx);
  if (!removed && removed.error().kind != k8s::ErrorKind::NotFound &&
      removed.error().kind != k8s::ErrorKind::Conflict) {
    return failed(removed.error(), 1);
  }
  return {std::nullopt, std::nullopt, 1};
}

void Reconciler::restore_checkpoints(const Workload& w, const RightsizingObject* rsz,
                                     const PolicyObject* policy) {
  const auto half_life =
      policy != nullptr && policy->parsed.valid()
          ? std::chrono::duration_cast<std::chrono::seconds>(policy->parsed.spec.history.half_life)
          : kDefaultHalfLife;
  for (const auto& c : w.containers) {
    const UsageKey key{w.ref, c.name};
    if (usage_.restored(key)) continue;
    const policies::ContainerStatus* stored = nullptr;
    if (rsz != nullptr && rsz->status_error.empty()) {
      for (const auto& s : rsz->status.containers) {
        if (s.name == c.name && s.checkpoint) stored = &s;
      }
    }
    if (stored == nullptr) {
      usage_.mark_restored(key);
      continue;
    }
    auto decoded = policies::decode_checkpoint_text(*stored->checkpoint, half_life);
    if (decoded) {
      // The kill in status went out with the checkpoint holding it (a kill
      // learnt makes the learning due): the pod that still reports it is
      // not sized again from the usage peak grown since.
      std::optional<policies::Time> kill_learnt;
      if (decoded->memory_interval_oom_bytes() > 0) kill_learnt = stored->oom_killed_at;
      usage_.restore(key, std::move(*decoded), kill_learnt);
      continue;
    }
    usage_.mark_restored(key);
    emit(w, k8s::EventType::Warning, "RightsizeCheckpointCorrupt",
         "the usage checkpoint of container " + c.name + " does not decode (" + decoded.error() +
             "); learning starts again");
  }
}

k8s::Result<std::string> Reconciler::create_rightsizing(const Workload& w,
                                                        const k8s::CallContext& ctx) {
  const k8s::ObjectRef collection{rightsizings(), w.ref.namespace_name, "", ""};
  auto created = client_.create(collection, rightsizing_object(w), {}, ctx);
  if (!created) return created.error();
  return resource_version_of(*created);
}

bool Reconciler::learning_due(const std::string& key) const {
  std::lock_guard lock(mu_);
  const auto it = learning_written_.find(key);
  return it == learning_written_.end() ||
         clock_.now() - it->second >=
             checkpoint_delay(key, options_.checkpoint_interval, options_.checkpoint_jitter);
}

void Reconciler::emit(const Workload& w, k8s::EventType type, const std::string& reason,
                      const std::string& message) {
  if (!events_) return;
  events_(k8s::InvolvedObject{"apps/v1", to_string(w.ref.kind), w.ref.namespace_name, w.ref.name,
                              w.uid},
          type, reason, message);
}

k8s::Result<bool> Reconciler::write_status(const Workload& w, const PolicyObject* policy,
                                           std::string rv, policies::RightsizingStatus old,
                                           ReconcileOutcome& outcome, const k8s::CallContext& ctx,
                                           bool force_learning, const RightsizingObject* rsz) {
  const auto pods = view_.pods_of(w);
  const auto hpas = view_.hpas_in(w.ref.namespace_name);
  RightsizingInput in;
  in.workload = &w;
  in.pods = pods;
  in.hpas = hpas;
  in.policy = policy;
  // An OOMKill goes into the learning before it is read (VPA's RecordOOM):
  // the bump it asks for outlives the pod that reported it. The checkpoint
  // holding it is written with this status, not at the next learning write:
  // the bump's rollout replaces the pod that reports the kill, and a restart
  // before that write would forget it.
  if (policy != nullptr && policy->parsed.valid()) {
    for (const auto& c : w.containers) {
      auto oom = latest_oom_kill(pods, c.name);
      if (oom && usage_.record_oom({w.ref, c.name}, *oom, policy->parsed.spec.memory.oom_bump_ratio,
                                   std::chrono::duration_cast<std::chrono::seconds>(
                                       policy->parsed.spec.history.half_life))) {
        std::lock_guard lock(mu_);
        learning_written_.erase(w.ref.key());
      }
    }
  }
  for (const auto& c : w.containers) {
    if (auto u = usage_.usage({w.ref, c.name})) in.usage.emplace(c.name, std::move(*u));
  }
  in.health = usage_.health(w.ref.namespace_name);
  in.now = timestamp(clock_);  // after the reads
  const bool due = force_learning || learning_due(w.ref.key());
  if (auto_mode(policy) && rsz != nullptr) {
    in.old = &old;
    in.refresh_learning = due;
    auto written = rollout_->drive(std::move(in), *rsz, outcome, ctx);
    // Every status the driver writes carries fresh learning.
    if (written && *written) {
      std::lock_guard lock(mu_);
      learning_written_[w.ref.key()] = clock_.now();
    }
    return written;
  }
  const auto stood_down = end_stage_without_auto_mode(rollout_, w, rsz, old, outcome, ctx);
  if (!stood_down) return stood_down.error();
  const auto keep = [&](policies::RightsizingStatus& built) {
    keep_auto_fields(*stood_down, auto_mode(policy), old, built, in.now);
  };
  for (int attempt = 0;; ++attempt) {
    in.old = &old;
    in.refresh_learning = false;
    auto plan = build_rightsizing_status(in);
    keep(plan.status);
    if (plan.status == old && !due) return false;
    in.refresh_learning = true;
    plan = build_rightsizing_status(in);
    keep(plan.status);
    if (plan.status == old) return false;
    auto put =
        client_.replace(rightsizing_ref(w.ref, "status"),
                        status_object("Rightsizing", w.ref.namespace_name, w.ref.rightsizing_name(),
                                      rv, policies::rightsizing_status_to_json(plan.status)),
                        {}, ctx);
    ++outcome.writes;
    if (put) {
      {
        std::lock_guard lock(mu_);
        learning_written_[w.ref.key()] = clock_.now();
      }
      for (const auto& e : plan.events) {
        if (shown(e, plan.status)) emit(w, e.type, e.reason, e.message);
      }
      return true;
    }
    if (put.error().kind != k8s::ErrorKind::Conflict || attempt >= options_.conflict_retries) {
      return put.error();
    }
    auto fresh = client_.get(rightsizing_ref(w.ref), ctx);
    if (!fresh) return fresh.error();
    rv = resource_version_of(*fresh);
    old = stored_status(*fresh);
  }
}

ReconcileOutcome Reconciler::reconcile_policy(const PolicyKey& key, const k8s::CallContext& ctx) {
  const auto policy = view_.policy(key.namespace_name, key.name);
  if (!policy) return {};
  const auto workloads = view_.workloads_in(key.namespace_name);
  const auto rightsizings = view_.rightsizings_in(key.namespace_name);
  PolicyObject current = *policy;
  if (!current.status_error.empty()) current.status = {};
  const k8s::ObjectRef ref{rightsize_policies(), key.namespace_name, key.name, ""};
  ReconcileOutcome outcome;
  for (int attempt = 0;; ++attempt) {
    auto desired = build_policy_status({&current, workloads, rightsizings, timestamp(clock_)});
    if (desired == current.status && current.status_error.empty()) return outcome;
    auto put = client_.replace(
        {rightsize_policies(), key.namespace_name, key.name, "status"},
        status_object("RightsizePolicy", key.namespace_name, key.name, current.resource_version,
                      policies::policy_status_to_json(desired)),
        {}, ctx);
    ++outcome.writes;
    if (put) return outcome;
    if (put.error().kind != k8s::ErrorKind::Conflict || attempt >= options_.conflict_retries) {
      return failed(put.error(), outcome.writes);
    }
    auto fresh = client_.get(ref, ctx);
    if (!fresh) return failed(fresh.error(), outcome.writes);
    // The conflict may come from a spec change: observedGeneration and Valid
    // are computed from the fresh object, not from the cached spec.
    current = project_policy(*fresh);
    if (!current.status_error.empty()) current.status = {};
  }
}

}  // namespace controller
