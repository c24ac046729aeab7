// The Deployment actuator (controller/actuator.h): a canary Deployment
// "<name>-rightsizer-canary" beside the workload, promotion by one
// strategic-merge patch of the workload's own template.
#include <algorithm>
#include <utility>

#include "controller/actuator.h"
#include "controller/actuator_patches.h"
#include "controller/api_resources.h"
#include "controller/stage_observation.h"
#include "k8s/object_meta.h"

namespace controller {
namespace {

using nlohmann::json;

const char* kCanaryValue = "true";

std::string canary_name(const Workload& w) {
  return w.ref.name + std::string(kCanarySuffix);
}

k8s::ObjectRef canary_ref(const Workload& w) {
  return {k8s::resources::deployments(), w.ref.namespace_name, canary_name(w), ""};
}

k8s::ObjectRef workload_ref(const Workload& w) {
  return {k8s::resources::deployments(), w.ref.namespace_name, w.ref.name, ""};
}

// Parses a cached JSON fragment of the workload, which must be an object.
k8s::Result<json> cached_object(const std::string& text, const char* what) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return k8s::make_error(k8s::ErrorKind::Invalid,
                           std::string("the workload's cached ") + what + " is not an object");
  }
  return parsed;
}

// The object member `key` of `parent` (created when absent); nullptr when
// either is something else. The cached JSON came from the API server, but a
// malformed one must be an error, not an exception.
json* object_member(json& parent, const char* key) {
  if (!parent.is_object()) return nullptr;
  json& member = parent[key];
  if (member.is_null()) member = json::object();
  return member.is_object() ? &member : nullptr;
}

std::string text_member(const json& parent, const std::string& key) {
  if (!parent.is_object()) return "";
  const auto it = parent.find(key);
  return it != parent.end() && it->is_string() ? it->get<std::string>() : "";
}

k8s::Error malformed(const char* what) {
  return k8s::make_error(k8s::ErrorKind::Invalid,
                         std::string("the workload's cached ") + what + " is malformed");
}

// The workload's template, as read live, with the canary label and the
// step's resources.
k8s::Result<json> canary_template(json tmpl, const policies::ContainerSizes& sizes) {
  if (!tmpl.is_object()) return malformed("pod template");
  json* metadata = object_member(tmpl, "metadata");
  json* labels = metadata ? object_member(*metadata, "labels") : nullptr;
  json* spec = object_member(tmpl, "spec");
  if (!labels || !spec || !spec->contains("containers") || !(*spec)["containers"].is_array()) {
    return malformed("pod template");
  }
  (*labels)[std::string(kCanaryLabel)] = kCanaryValue;
  for (json& c : (*spec)["containers"]) {
    if (!c.is_object()) return malformed("pod template");
    const auto it = sizes.find(text_member(c, "name"));
    if (it != sizes.end()) set_resources(c, it->second);
  }
  return tmpl;
}

k8s::Result<json> canary_selector(const Workload& w) {
  auto selector = cached_object(w.selector_json, "selector");
  if (!selector) return selector;
  json* match_labels = object_member(*selector, "matchLabels");
  if (!match_labels) return malformed("selector");
  (*match_labels)[std::string(kCanaryLabel)] = kCanaryValue;
  return selector;
}

// The canary Deployment (ro-shared: labels, owner, selector, template,
// replicas), made from the workload's template as read live.
k8s::Result<json> canary_deployment(const StageContext& stage,
                                    const policies::RolloutAction& action, json live_template) {
  const Workload& w = *stage.workload;
  auto tmpl = canary_template(std::move(live_template), action.sizes);
  if (!tmpl) return tmpl;
  auto selector = canary_selector(w);
  if (!selector) return selector;
  json labels = json::object();
  for (const auto& [k, v] : w.template_labels) labels[k] = v;
  labels[std::string(kCanaryLabel)] = kCanaryValue;
  const json owner = {
      {"apiVersion", kApiVersion},     {"kind", "Rightsizing"}, {"name", stage.rightsizing->name},
      {"uid", stage.rightsizing->uid}, {"controller", true},    {"blockOwnerDeletion", false}};
  return json{{"apiVersion", "apps/v1"},
              {"kind", "Deployment"},
              {"metadata",
               {{"name", canary_name(w)},
                {"namespace", w.ref.namespace_name},
                {"labels", std::move(labels)},
                {"annotations",
                 {{std::string(kStepAnnotation), action.hash},
                  {std::string(kTemplateAnnotation), w.template_hash}}},
                {"ownerReferences", json::array({owner})}}},
              {"spec",
               {{"replicas", stage.policy->rollout.canary_replicas},
                {"selector", std::move(*selector)},
                {"template", std::move(*tmpl)}}}};
}

// Whether an existing canary (as read back) is this step's, made from the
// workload's current template, owned by this Rightsizing.
bool is_this_step(const json& canary, const StageContext& stage,
                  const policies::RolloutAction& action) {
  const auto meta = canary.is_object() ? canary.find("metadata") : canary.end();
  if (!canary.is_object() || meta == canary.end()) return false;
  const auto annotations = meta->is_object() ? meta->find("annotations") : meta->end();
  if (annotations == meta->end() ||
      text_member(*annotations, std::string(kStepAnnotation)) != action.hash ||
      text_member(*annotations, std::string(kTemplateAnnotation)) !=
          stage.workload->template_hash) {
    return false;
  }
  const auto owners = meta->find("ownerReferences");
  if (owners == meta->end() || !owners->is_array()) return false;
  return std::any_of(owners->begin(), owners->end(), [&](const json& o) {
    const auto controller = o.is_object() ? o.find("controller") : o.end();
    return controller != o.end() && *controller == true &&
           text_member(o, "uid") == stage.rightsizing->uid;
  });
}

class DeploymentActuator final : public Actuator {
 public:
  explicit DeploymentActuator(k8s::ApiClient& client) : client_(client) {}

  policies::StageObservation observe(const ClusterView& view,
                                     const StageContext& stage) const override {
    if (stage.phase != policies::RightsizingPhase::Canary) {
      return observe_promoted(view, stage, rollout_complete(*stage.workload));
    }
    return observe_canary(view, stage);
  }

  bool canary_exists(const ClusterView& view, const Workload& workload) const override {
    return view.workload({WorkloadKind::Deployment, workload.ref.namespace_name,
                          canary_name(workload)}) != nullptr;
  }

  k8s::Result<int> execute(const policies::RolloutAction& action, const StageContext& stage,
                           const k8s::CallContext& ctx) override {
    switch (action.kind) {
      case policies::ActionKind::StartCanary:
        return start_canary(action, stage, ctx);
      case policies::ActionKind::AbortCanary:
      case policies::ActionKind::FinishCanary:
        return delete_canary(*stage.workload, {}, ctx);
      case policies::ActionKind::Promote:
      case policies::ActionKind::Restore:
        break;
    }
    auto patched = client_.patch(workload_ref(*stage.workload), k8s::PatchType::StrategicMerge,
                                 template_resources_patch(action.sizes, action.hash), {}, ctx);
    if (!patched) return patched.error();
    return 1;
  }

 private:
  static policies::StageObservation observe_canary(const ClusterView& view,
                                                   const StageContext& stage) {
    policies::StageObservation obs;
    const Workload& w = *stage.workload;
    const auto canary =
        view.workload({WorkloadKind::Deployment, w.ref.namespace_name, canary_name(w)});
    // A canary of an older template of the workload (CI deployed since) is
    // not this step's: what it passes is not what a promotion would run.
    const bool stale = canary && canary->template_marker != w.template_hash;
    obs.applied = canary && canary->step_marker == stage.hash && !stale;
    std::vector<std::shared_ptr<const PodInfo>> serving, baseline;
    for (auto& p : view.pods_of(w)) {
      if (!pod_active(*p) || !p->ready) continue;
      if (!p->canary) {
        baseline.push_back(std::move(p));
      } else if (pod_carries(*p, stage.sizes)) {
        serving.push_back(std::move(p));
      }
    }
    const auto wanted =
        static_cast<std::size_t>(std::max(1, stage.policy->rollout.canary_replicas));
    obs.effective = obs.applied && serving.size() >= wanted;
    obs.pods = pod_names(serving);
    obs.baseline_pods = pod_names(baseline);
    if (stale) {
      obs.detail = "the canary runs an older template of the workload; replacing it";
    } else if (!obs.applied) {
      obs.detail = "no canary Deployment for this step yet";
    } else if (!obs.effective) {
      obs.detail = std::to_string(serving.size()) + " of " + std::to_string(wanted) +
                   " canary pod(s) Ready with the step's resources";
    }
    return obs;
  }

  // The workload's spec.template read from the API server (the cache keeps
  // only its hash). It must be the object and generation the cache holds —
  // the spec the step was planned on and the hash the canary records; a
  // Deployment changed (or replaced) since is an error the next reconcile
  // retries once the cache has caught up. Generation, not the hash: an API
  // server of another version may default fields the cache's did not.
  k8s::Result<json> live_template(const Workload& w, const k8s::CallContext& ctx) {
    if (w.template_hash.empty()) {
      return k8s::make_error(k8s::ErrorKind::Invalid,
                             "Deployment " + w.ref.name + " has no pod template in the cache");
    }
    auto live = client_.get(workload_ref(w), ctx);
    if (!live) return live.error();
    std::int64_t generation = 0;  // absent: as the cache reads it (project_workload)
    if (const auto meta = live->is_object() ? live->find("metadata") : live->end();
        meta != live->end() && meta->is_object()) {
      const auto g = meta->find("generation");
      if (g != meta->end() && g->is_number_integer()) generation = g->get<std::int64_t>();
    }
    if (k8s::meta_uid(*live) != w.uid || generation != w.generation) {
      return k8s::make_error(
          k8s::ErrorKind::Conflict,
          "Deployment " + w.ref.name + " changed since the cache saw it (generation " +
              std::to_string(generation) + ", cached " + std::to_string(w.generation) +
              "); the canary is made at the next reconcile");
    }
    json* tmpl = nullptr;
    if (live->is_object()) {
      const auto spec = live->find("spec");
      if (spec != live->end() && spec->is_object()) {
        const auto t = spec->find("template");
        if (t != spec->end()) tmpl = &*t;
      }
    }
    if (!tmpl || !tmpl->is_object()) {
      return k8s::make_error(k8s::ErrorKind::Invalid,
                             "Deployment " + w.ref.name + " as read has no pod template");
    }
    return std::move(*tmpl);
  }

  k8s::Result<int> start_canary(const policies::RolloutAction& action, const StageContext& stage,
                                const k8s::CallContext& ctx) {
    const Workload& w = *stage.workload;
    auto live = live_template(w, ctx);
    if (!live) return live.error();
    auto body = canary_deployment(stage, action, std::move(*live));
    if (!body) return body.error();
    const k8s::ObjectRef collection{k8s::resources::deployments(), w.ref.namespace_name, "", ""};
    auto created = client_.create(collection, *body, {}, ctx);
    if (created) return 1;
    if (created.error().kind != k8s::ErrorKind::AlreadyExists) return created.error();
    // A canary is there already: this step's (a repeat after a crash) is
    // done; another step's is deleted, and the next reconcile creates ours.
    auto existing = client_.get(canary_ref(w), ctx);
    if (!existing && existing.error().kind != k8s::ErrorKind::NotFound) return existing.error();
    if (existing && is_this_step(*existing, stage, action)) return 0;
    if (existing) {
      const auto meta = existing->is_object() ? existing->find("metadata") : existing->end();
      const auto uid = meta != existing->end() ? text_member(*meta, "uid") : std::string();
      auto removed = delete_canary(w, uid, ctx);
      if (!removed) return removed.error();
    }
    return k8s::make_error(k8s::ErrorKind::Conflict,
                           "a canary of another step existed and is being deleted; retry");
  }

  k8s::Result<int> delete_canary(const Workload& w, const std::string& uid,
                                 const k8s::CallContext& ctx) {
    k8s::DeleteOptions opts;
    opts.propagation_policy = k8s::PropagationPolicy::Background;
    if (!uid.empty()) opts.precondition_uid = uid;
    auto removed = client_.remove(canary_ref(w), opts, ctx);
    if (removed) return 1;
    // Gone already (or replaced since we read it): nothing of ours to delete.
    if (removed.error().kind == k8s::ErrorKind::NotFound) return 0;
    if (!uid.empty() && removed.error().kind == k8s::ErrorKind::Conflict) return 0;
    return removed.error();
  }

  k8s::ApiClient& client_;
};

}  // namespace

std::unique_ptr<Actuator> make_deployment_actuator(k8s::ApiClient& client) {
  return std::make_unique<DeploymentActuator>(client);
}

}  // namespace controller
