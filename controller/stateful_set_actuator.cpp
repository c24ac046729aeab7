// The StatefulSet actuator (controller/actuator.h): the native partitioned
// rolling update is the canary (the highest ordinals take the step first),
// then partition 0 promotes it. Every action is one strategic-merge patch.
#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "controller/actuator.h"
#include "controller/actuator_patches.h"
#include "controller/stage_observation.h"

namespace controller {
namespace {

using nlohmann::json;

// The partition that leaves canaryReplicas pods (the highest ordinals) on the step.
std::int32_t canary_partition(const Workload& w, const policies::RightsizePolicySpec& policy) {
  return std::max<std::int32_t>(0, w.replicas - policy.rollout.canary_replicas);
}

// The ordinal of a StatefulSet pod "<sts>-<n>"; nullopt for any other name.
std::optional<std::int32_t> ordinal_of(const std::string& pod, const std::string& sts) {
  if (pod.size() <= sts.size() + 1 || pod.compare(0, sts.size(), sts) != 0 ||
      pod[sts.size()] != '-') {
    return std::nullopt;
  }
  const char* first = pod.data() + sts.size() + 1;
  const char* last = pod.data() + pod.size();
  std::int32_t n = 0;
  const auto [end, ec] = std::from_chars(first, last, n);
  if (ec != std::errc() || end != last || n < 0) return std::nullopt;
  return n;
}

class StatefulSetActuator final : public Actuator {
 public:
  explicit StatefulSetActuator(k8s::ApiClient& client) : client_(client) {}

  policies::StageObservation observe(const ClusterView& view,
                                     const StageContext& stage) const override {
    const Workload& w = *stage.workload;
    if (stage.phase == policies::RightsizingPhase::Canary) return observe_canary(view, stage);
    const bool rolled_out = rollout_complete(w) && w.partition.value_or(0) == 0 &&
                            w.current_revision == w.update_revision;
    auto obs = observe_promoted(view, stage, rolled_out);
    // A partition left over from the canary holds the promotion back.
    if (w.partition.value_or(0) != 0) {
      obs.applied = false;
      obs.effective = false;
      obs.detail = "the partition is still " + std::to_string(*w.partition);
    }
    return obs;
  }

  // The canary is a partition of the workload itself, not an object of its
  // own: AbortCanary, Promote and Restore all end it. A partition left above
  // 0 on a workload we patched (it carries our step marker) is a canary
  // still in place, even when the stored state says nothing is in flight
  // (an abort whose patch never ran): the template may carry an unverified
  // step, so it must not pass for the live size.
  bool canary_exists(const ClusterView&, const Workload& w) const override {
    return w.partition.value_or(0) > 0 && w.step_marker.has_value();
  }

  k8s::Result<int> execute(const policies::RolloutAction& action, const StageContext& stage,
                           const k8s::CallContext& ctx) override {
    if (action.kind == policies::ActionKind::FinishCanary) return 0;
    const Workload& w = *stage.workload;
    const std::int32_t partition =
        action.kind == policies::ActionKind::StartCanary ? canary_partition(w, *stage.policy) : 0;
    json patch = template_resources_patch(action.sizes, action.hash);
    patch["spec"]["updateStrategy"] = {{"rollingUpdate", {{"partition", partition}}}};
    const k8s::ObjectRef ref{k8s::resources::statefulsets(), w.ref.namespace_name, w.ref.name, ""};
    auto patched = client_.patch(ref, k8s::PatchType::StrategicMerge, patch, {}, ctx);
    if (!patched) return patched.error();
    return 1;
  }

 private:
  static policies::StageObservation observe_canary(const ClusterView& view,
                                                   const StageContext& stage) {
    policies::StageObservation obs;
    const Workload& w = *stage.workload;
    const std::int32_t partition = canary_partition(w, *stage.policy);
    obs.applied = template_carries(w, stage.sizes) && w.partition.value_or(0) == partition;
    std::vector<std::shared_ptr<const PodInfo>> canary, baseline;
    std::int32_t serving = 0;
    for (auto& p : view.pods_of(w)) {
      const auto n = ordinal_of(p->name, w.ref.name);
      if (!n || !pod_active(*p)) continue;
      if (*n < partition) {
        if (p->ready) baseline.push_back(std::move(p));
        continue;
      }
      if (*n >= w.replicas) continue;
      if (p->ready && pod_carries(*p, stage.sizes)) ++serving;
      canary.push_back(std::move(p));
    }
    const std::int32_t wanted = w.replicas - partition;
    obs.effective = obs.applied && wanted > 0 && serving == wanted;
    obs.pods = pod_names(canary);
    obs.baseline_pods = pod_names(baseline);
    if (!obs.applied) {
      obs.detail = "the template or partition does not carry the step yet";
    } else if (!obs.effective) {
      obs.detail = std::to_string(serving) + " of " + std::to_string(wanted) +
                   " canary pod(s) Ready with the step's resources";
    }
    return obs;
  }

  k8s::ApiClient& client_;
};

}  // namespace

std::unique_ptr<Actuator> make_stateful_set_actuator(k8s::ApiClient& client) {
  return std::make_unique<StatefulSetActuator>(client);
}

}  // namespace controller
