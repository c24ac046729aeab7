// The projectors and FieldMasks of cluster_objects.h. Each mask keeps exactly
// the paths its projector reads (plus what every cache needs for keys and
// resumption), so decoding through the mask and then projecting gives the
// same result as projecting the full object.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "controller/cluster_objects.h"
#include "k8s/object_meta.h"
#include "policies/quantity.h"
#include "policies/status_conditions.h"

namespace controller {
namespace {

using nlohmann::json;

// obj[key] when obj is an object holding key, else nullptr.
const json* child(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

const json* path(const json& obj, std::initializer_list<std::string_view> keys) {
  const json* at = &obj;
  for (auto key : keys) {
    at = child(*at, key);
    if (!at) return nullptr;
  }
  return at;
}

std::string string_at(const json& obj, std::initializer_list<std::string_view> keys) {
  const json* v = path(obj, keys);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<std::string> optional_string(const json& obj,
                                           std::initializer_list<std::string_view> keys) {
  const json* v = path(obj, keys);
  if (!v || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::int64_t int_at(const json& obj, std::initializer_list<std::string_view> keys,
                    std::int64_t fallback) {
  const json* v = path(obj, keys);
  return v && v->is_number_integer() ? v->get<std::int64_t>() : fallback;
}

// Elements of obj[keys...] when it is an array (empty otherwise).
const json& array_at(const json& obj, std::initializer_list<std::string_view> keys) {
  static const json kEmpty = json::array();
  const json* v = path(obj, keys);
  return v && v->is_array() ? *v : kEmpty;
}

// A quantity that is absent or does not parse is "not set": never a guess.
std::optional<std::int64_t> cpu_of(const json& list) {
  const json* v = child(list, "cpu");
  if (!v || !v->is_string()) return std::nullopt;
  auto m = policies::parse_millis(v->get_ref<const std::string&>());
  if (!m || *m < 0) return std::nullopt;
  return *m;
}

std::optional<std::int64_t> memory_of(const json& list) {
  const json* v = child(list, "memory");
  if (!v || !v->is_string()) return std::nullopt;
  auto b = policies::parse_units(v->get_ref<const std::string&>());
  if (!b || *b < 0) return std::nullopt;
  return *b;
}

policies::ContainerResources resources_of(const json& container) {
  policies::ContainerResources out;
  static const json kNone = json::object();
  const json* requests = path(container, {"resources", "requests"});
  const json* limits = path(container, {"resources", "limits"});
  const json& req = requests ? *requests : kNone;
  const json& lim = limits ? *limits : kNone;
  out.requests.cpu_millicores = cpu_of(req).value_or(0);
  out.requests.memory_bytes = memory_of(req).value_or(0);
  out.limits.cpu_millicores = cpu_of(lim);
  out.limits.memory_bytes = memory_of(lim);
  return out;
}

OwnerRef owner_of(const json& ref) {
  OwnerRef o;
  o.api_version = string_at(ref, {"apiVersion"});
  o.kind = string_at(ref, {"kind"});
  o.name = string_at(ref, {"name"});
  o.uid = string_at(ref, {"uid"});
  const json* c = child(ref, "controller");
  o.controller = c && c->is_boolean() && c->get<bool>();
  return o;
}

std::vector<OwnerRef> owners_of(const json& object) {
  std::vector<OwnerRef> out;
  for (const auto& ref : array_at(object, {"metadata", "ownerReferences"})) {
    out.push_back(owner_of(ref));
  }
  return out;
}

// The owner reference with controller: true (at most one, as the API server enforces).
std::optional<OwnerRef> controller_of(const json& object) {
  for (auto& o : owners_of(object)) {
    if (o.controller) return std::move(o);
  }
  return std::nullopt;
}

// The value of annotation or label `key` (names hold dots, so they are read
// from the whole map).
std::optional<std::string> meta_entry(const json& object, std::string_view map,
                                      std::string_view key) {
  return optional_string(object, {"metadata", map, key});
}

k8s::FieldMask mask_of(std::vector<std::string> paths) {
  const auto& required = k8s::required_meta_paths();
  paths.insert(paths.begin(), required.begin(), required.end());
  return k8s::FieldMask(paths);
}

void read_metadata(const json& object, std::string& ns, std::string& name, std::string& uid) {
  ns = k8s::meta_namespace(object);
  name = k8s::meta_name(object);
  uid = k8s::meta_uid(object);
}

}  // namespace

namespace {

// The managers of Argo CD (server-side apply, and its application
// controller's own updates) and of Flux (Kustomizations, HelmReleases).
constexpr std::array<std::string_view, 4> kGitOpsManagers = {
    "argocd-controller", "argocd-application-controller", "kustomize-controller",
    "helm-controller"};

bool is_gitops_manager(std::string_view manager) {
  return std::find(kGitOpsManagers.begin(), kGitOpsManagers.end(), manager) !=
         kGitOpsManagers.end();
}

// Whether a managedFields entry's fieldsV1 owns the resources of a template
// container (keys such as k:{"name":"engine"} → f:resources).
bool owns_container_resources(const json& entry) {
  const json* containers =
      path(entry, {"fieldsV1", "f:spec", "f:template", "f:spec", "f:containers"});
  if (!containers || !containers->is_object()) return false;
  for (const auto& [key, fields] : containers->items()) {
    if (key.starts_with("k:") && child(fields, "f:resources")) return true;
  }
  return false;
}

// The first GitOps applier that owns template container resources; "" when none.
std::string gitops_manager_of(const json& object) {
  for (const auto& entry : array_at(object, {"metadata", "managedFields"})) {
    std::string manager = string_at(entry, {"manager"});
    if (is_gitops_manager(manager) && owns_container_resources(entry)) return manager;
  }
  return {};
}

// An int-or-string field as written ("25%", "1"); "" when absent.
std::string int_or_string_at(const json& obj, std::initializer_list<std::string_view> keys) {
  const json* v = path(obj, keys);
  if (!v) return {};
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer()) return std::to_string(v->get<std::int64_t>());
  return {};
}

std::map<std::string, std::string, std::less<>> string_map_at(
    const json& obj, std::initializer_list<std::string_view> keys) {
  std::map<std::string, std::string, std::less<>> out;
  const json* v = path(obj, keys);
  if (!v || !v->is_object()) return out;
  for (const auto& [key, value] : v->items()) {
    if (value.is_string()) out.emplace(key, value.get<std::string>());
  }
  return out;
}

// Compact JSON of obj[keys...] when it is an object; "" otherwise.
std::string object_json_at(const json& obj, std::initializer_list<std::string_view> keys) {
  const json* v = path(obj, keys);
  return v && v->is_object() ? v->dump() : std::string();
}

std::int32_t int32_at(const json& obj, std::initializer_list<std::string_view> keys) {
  return static_cast<std::int32_t>(int_at(obj, keys, 0));
}

void read_rollout_fields(const json& object, Workload& w) {
  w.step_marker = meta_entry(object, "annotations", kStepAnnotation);
  w.template_marker = meta_entry(object, "annotations", kTemplateAnnotation);
  w.controller = controller_of(object);
  w.template_labels = string_map_at(object, {"spec", "template", "metadata", "labels"});
  // Only an opted-in Deployment gets a canary Deployment: its template is
  // hashed, and the canary is made from the template read live, so the
  // cache holds no copy of any template (DESIGN §12).
  if (w.policy && w.ref.kind == WorkloadKind::Deployment) {
    if (const json* t = path(object, {"spec", "template"})) w.template_hash = pod_template_hash(*t);
  }
  w.selector_json = object_json_at(object, {"spec", "selector"});
  w.gitops_manager = gitops_manager_of(object);
  w.max_unavailable =
      int_or_string_at(object, {"spec", "strategy", "rollingUpdate", "maxUnavailable"});
  w.max_surge = int_or_string_at(object, {"spec", "strategy", "rollingUpdate", "maxSurge"});
  const json* partition = path(object, {"spec", "updateStrategy", "rollingUpdate", "partition"});
  if (partition && partition->is_number_integer()) {
    w.partition = static_cast<std::int32_t>(partition->get<std::int64_t>());
  }
  w.update_strategy = string_at(object, {"spec", "strategy", "type"});
  if (w.update_strategy.empty())
    w.update_strategy = string_at(object, {"spec", "updateStrategy", "type"});
  const json* paused = path(object, {"spec", "paused"});
  w.spec_paused = paused != nullptr && paused->is_boolean() && paused->get<bool>();
}

void read_workload_status(const json& object, Workload& w) {
  w.observed_generation = int_at(object, {"status", "observedGeneration"}, 0);
  w.status_replicas = int32_at(object, {"status", "replicas"});
  w.updated_replicas = int32_at(object, {"status", "updatedReplicas"});
  w.ready_replicas = int32_at(object, {"status", "readyReplicas"});
  w.available_replicas = int32_at(object, {"status", "availableReplicas"});
  w.update_revision = string_at(object, {"status", "updateRevision"});
  w.current_revision = string_at(object, {"status", "currentRevision"});
}

}  // namespace

Workload project_workload(WorkloadKind kind, const json& object) {
  Workload w;
  w.ref.kind = kind;
  read_metadata(object, w.ref.namespace_name, w.ref.name, w.uid);
  w.generation = int_at(object, {"metadata", "generation"}, 0);
  w.policy = meta_entry(object, "annotations", kPolicyAnnotation);
  w.paused = meta_entry(object, "annotations", kPausedAnnotation) == "true";
  w.replicas = static_cast<std::int32_t>(int_at(object, {"spec", "replicas"}, 1));
  for (const auto& c : array_at(object, {"spec", "template", "spec", "containers"})) {
    w.containers.push_back({string_at(c, {"name"}), resources_of(c)});
  }
  w.deleting = path(object, {"metadata", "deletionTimestamp"}) != nullptr;
  read_rollout_fields(object, w);
  read_workload_status(object, w);
  return w;
}

k8s::FieldMask workload_mask() {
  // Annotations are kept whole: their names hold dots, which a mask path
  // cannot address. The template is kept whole because an opted-in
  // workload's is hashed whole (the projector keeps only the hash); of the
  // managedFields, only the managers and what they own of the containers.
  return mask_of({"metadata.generation",
                  "metadata.annotations",
                  "metadata.deletionTimestamp",
                  "metadata.ownerReferences",
                  "metadata.managedFields[].manager",
                  "metadata.managedFields[].fieldsV1.f:spec.f:template.f:spec.f:containers",
                  "spec.replicas",
                  "spec.selector",
                  "spec.template",
                  "spec.strategy.rollingUpdate.maxUnavailable",
                  "spec.strategy.rollingUpdate.maxSurge",
                  "spec.updateStrategy.rollingUpdate.partition",
                  "spec.strategy.type",
                  "spec.updateStrategy.type",
                  "spec.paused",
                  "status.observedGeneration",
                  "status.replicas",
                  "status.updatedReplicas",
                  "status.readyReplicas",
                  "status.availableReplicas",
                  "status.updateRevision",
                  "status.currentRevision"});
}

std::string pod_template_hash(const json& pod_template) {
  if (!pod_template.is_object()) return "";
  json tmpl = pod_template;
  if (auto spec = tmpl.find("spec"); spec != tmpl.end() && spec->is_object()) {
    if (auto cs = spec->find("containers"); cs != spec->end() && cs->is_array()) {
      for (json& c : *cs)
        if (c.is_object()) c.erase("resources");
    }
  }
  if (auto meta = tmpl.find("metadata"); meta != tmpl.end() && meta->is_object()) {
    if (auto notes = meta->find("annotations"); notes != meta->end() && notes->is_object()) {
      for (auto it = notes->begin(); it != notes->end();) {
        it = it.key().starts_with("rightsizer.io/") ? notes->erase(it) : std::next(it);
      }
      // The API server drops an empty map: absent and empty are one template.
      if (notes->empty()) meta->erase(notes);
    }
  }
  // nlohmann::json keeps object keys sorted: the dump is canonical.
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  for (const unsigned char ch : tmpl.dump()) {
    h ^= ch;
    h *= 1099511628211ULL;  // FNV-1a 64 prime
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return std::string("tp-") + hex;
}

ReplicaSetInfo project_replica_set(const json& object) {
  ReplicaSetInfo rs;
  read_metadata(object, rs.namespace_name, rs.name, rs.uid);
  rs.controller = controller_of(object);
  return rs;
}

k8s::FieldMask replica_set_mask() {
  return mask_of({"metadata.ownerReferences"});
}

namespace {

void read_container_status(const json& status, PodContainer& c) {
  c.restart_count = static_cast<std::int32_t>(int_at(status, {"restartCount"}, 0));
  const json* terminated = path(status, {"lastState", "terminated"});
  if (!terminated) return;
  c.last_termination_reason = string_at(*terminated, {"reason"});
  auto at = policies::parse_timestamp(string_at(*terminated, {"finishedAt"}));
  if (at) c.last_termination_at = *at;
}

// The label a StatefulSet's controller puts on its pods: the revision they run.
constexpr std::string_view kRevisionLabel = "controller-revision-hash";

// Condition Ready is "True" (kubelet's verdict: containers ready, readiness gates passed).
bool ready_of(const json& pod) {
  for (const auto& c : array_at(pod, {"status", "conditions"})) {
    if (string_at(c, {"type"}) == "Ready") return string_at(c, {"status"}) == "True";
  }
  return false;
}

}  // namespace

PodInfo project_pod(const json& object) {
  PodInfo p;
  read_metadata(object, p.namespace_name, p.name, p.uid);
  p.controller = controller_of(object);
  p.canary = meta_entry(object, "labels", kCanaryLabel).has_value();
  p.phase = string_at(object, {"status", "phase"});
  p.ready = ready_of(object);
  p.deleting = path(object, {"metadata", "deletionTimestamp"}) != nullptr;
  p.revision = meta_entry(object, "labels", kRevisionLabel).value_or("");
  const json& statuses = array_at(object, {"status", "containerStatuses"});
  for (const auto& spec : array_at(object, {"spec", "containers"})) {
    PodContainer c;
    c.name = string_at(spec, {"name"});
    c.resources = resources_of(spec);
    for (const auto& st : statuses) {
      if (string_at(st, {"name"}) == c.name) read_container_status(st, c);
    }
    p.containers.push_back(std::move(c));
  }
  return p;
}

k8s::FieldMask pod_mask() {
  // Labels are kept whole for the same reason as workload annotations; a
  // pod's labels are small and only the canary flag is cached.
  return mask_of({"metadata.ownerReferences", "metadata.labels", "metadata.deletionTimestamp",
                  "status.phase", "status.conditions[].type", "status.conditions[].status",
                  "spec.containers[].name", "spec.containers[].resources",
                  "status.containerStatuses[].name", "status.containerStatuses[].restartCount",
                  "status.containerStatuses[].lastState.terminated.reason",
                  "status.containerStatuses[].lastState.terminated.finishedAt"});
}

HpaInfo project_hpa(const json& object) {
  HpaInfo h;
  std::string uid;
  read_metadata(object, h.namespace_name, h.name, uid);
  h.target_kind = string_at(object, {"spec", "scaleTargetRef", "kind"});
  h.target_name = string_at(object, {"spec", "scaleTargetRef", "name"});
  for (const auto& m : array_at(object, {"spec", "metrics"})) {
    std::string type = string_at(m, {"type"});
    std::string name;
    if (type == "Resource") name = string_at(m, {"resource", "name"});
    if (type == "ContainerResource") name = string_at(m, {"containerResource", "name"});
    if (name.empty()) continue;
    bool seen = false;
    for (const auto& r : h.resource_metrics) seen = seen || r == name;
    if (!seen) h.resource_metrics.push_back(std::move(name));
  }
  return h;
}

k8s::FieldMask hpa_mask() {
  return mask_of({"spec.scaleTargetRef.kind", "spec.scaleTargetRef.name", "spec.metrics[].type",
                  "spec.metrics[].resource.name", "spec.metrics[].containerResource.name"});
}

PdbInfo project_pdb(const json& object) {
  PdbInfo d;
  std::string uid;
  read_metadata(object, d.namespace_name, d.name, uid);
  const json* selector = path(object, {"spec", "selector"});
  d.has_selector = selector && selector->is_object();
  d.match_labels = string_map_at(object, {"spec", "selector", "matchLabels"});
  const json* expressions = path(object, {"spec", "selector", "matchExpressions"});
  d.has_expressions = expressions && expressions->is_array() && !expressions->empty();
  d.min_available = int_or_string_at(object, {"spec", "minAvailable"});
  d.max_unavailable = int_or_string_at(object, {"spec", "maxUnavailable"});
  d.disruptions_allowed = int32_at(object, {"status", "disruptionsAllowed"});
  d.current_healthy = int32_at(object, {"status", "currentHealthy"});
  d.desired_healthy = int32_at(object, {"status", "desiredHealthy"});
  d.expected_pods = int32_at(object, {"status", "expectedPods"});
  return d;
}

bool pdb_selects(const PdbInfo& pdb,
                 const std::map<std::string, std::string, std::less<>>& labels) {
  if (!pdb.has_selector) return false;
  for (const auto& [key, value] : pdb.match_labels) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

k8s::FieldMask pdb_mask() {
  return mask_of({"spec.selector.matchLabels", "spec.selector.matchExpressions",
                  "spec.minAvailable", "spec.maxUnavailable", "status.disruptionsAllowed",
                  "status.currentHealthy", "status.desiredHealthy", "status.expectedPods"});
}

PolicyObject project_policy(const json& object) {
  PolicyObject p;
  read_metadata(object, p.namespace_name, p.name, p.uid);
  p.resource_version = k8s::meta_resource_version(object);
  p.generation = int_at(object, {"metadata", "generation"}, 0);
  p.parsed = policies::parse_policy_object(object);
  const json* status = child(object, "status");
  auto parsed = policies::policy_status_from_json(status ? *status : json());
  if (parsed) {
    p.status = std::move(parsed).value();
  } else {
    p.status_error = parsed.error();
  }
  return p;
}

namespace {

// spec.targetRef, when it names a workload this operator knows (apps/v1).
std::optional<WorkloadRef> target_of(const json& object, const std::string& ns) {
  if (string_at(object, {"spec", "targetRef", "apiVersion"}) != "apps/v1") return std::nullopt;
  auto kind = parse_workload_kind(string_at(object, {"spec", "targetRef", "kind"}));
  std::string name = string_at(object, {"spec", "targetRef", "name"});
  if (!kind || name.empty()) return std::nullopt;
  return WorkloadRef{*kind, ns, std::move(name)};
}

}  // namespace

k8s::FieldMask rightsizing_mask() {
  return mask_of({"metadata.labels", "metadata.annotations", "metadata.ownerReferences",
                  "metadata.deletionTimestamp", "spec", "status"});
}

RightsizingObject project_rightsizing(const json& object) {
  RightsizingObject r;
  read_metadata(object, r.namespace_name, r.name, r.uid);
  r.resource_version = k8s::meta_resource_version(object);
  r.owners = owners_of(object);
  r.policy_label = meta_entry(object, "labels", kPolicyLabel);
  r.policy_ref = string_at(object, {"spec", "policyRef", "name"});
  r.action = meta_entry(object, "annotations", kActionAnnotation);
  r.target = target_of(object, r.namespace_name);
  const json* status = child(object, "status");
  auto parsed = policies::rightsizing_status_from_json(status ? *status : json());
  if (parsed) {
    r.status = std::move(parsed).value();
  } else {
    r.status_error = parsed.error();
  }
  r.deleting = path(object, {"metadata", "deletionTimestamp"}) != nullptr;
  return r;
}

}  // namespace controller
