#pragma once
// What the operator keeps of each object it watches: small projections made
// from the JSON an informer decodes through a FieldMask (k8s/field_mask.h),
// so that its caches hold only what the reconciler and the usage sampler
// read (DESIGN §12: about 1 KiB per cached pod). Projectors never throw: a
// field of the wrong type is left at its default.
#include <nlohmann/json_fwd.hpp>

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "k8s/field_mask.h"
#include "policies/policy_json.h"
#include "policies/policy_status.h"
#include "policies/recommender.h"
#include "policies/rightsizing_status.h"

namespace controller {

// The opt-in and hold annotations on workloads, the label on canary pods and
// the policy label on Rightsizings (DESIGN §3).
inline constexpr std::string_view kPolicyAnnotation = "rightsizer.io/policy";
inline constexpr std::string_view kPausedAnnotation = "rightsizer.io/paused";
inline constexpr std::string_view kCanaryLabel = "rightsizer.io/canary";
inline constexpr std::string_view kPolicyLabel = "rightsizer.io/policy";
// The idempotency marker: the hash of the step a workload's template (or a
// canary object) carries (policies::step_hash).
inline constexpr std::string_view kStepAnnotation = "rightsizer.io/step";
// On a canary Deployment: the hash of the workload's pod template it was
// made from, resources and rightsizer.io annotations left out
// (pod_template_hash): a template changed since makes the canary stale.
inline constexpr std::string_view kTemplateAnnotation = "rightsizer.io/template";
// Manual actions on a Rightsizing: promote | abort | retry (executed once, removed).
inline constexpr std::string_view kActionAnnotation = "rightsizer.io/action";
// A Deployment's canary is the Deployment "<name>-rightsizer-canary".
inline constexpr std::string_view kCanarySuffix = "-rightsizer-canary";

enum class WorkloadKind { Deployment, StatefulSet };
const char* to_string(WorkloadKind kind);
std::optional<WorkloadKind> parse_workload_kind(std::string_view text);

struct WorkloadRef {
  WorkloadKind kind = WorkloadKind::Deployment;
  std::string namespace_name;
  std::string name;

  // The work-queue key, "Deployment/<namespace>/<name>".
  [[nodiscard]] std::string key() const;
  // The Rightsizing's name, "<kind>-<name>" in lower case (DESIGN §3).
  [[nodiscard]] std::string rightsizing_name() const;
  friend auto operator<=>(const WorkloadRef&, const WorkloadRef&) = default;
};
// The inverse of WorkloadRef::key(); nullopt for any other text.
std::optional<WorkloadRef> parse_workload_key(std::string_view key);

struct OwnerRef {
  std::string api_version, kind, name, uid;
  bool controller = false;
  friend bool operator==(const OwnerRef&, const OwnerRef&) = default;
};

// A container of a pod template, with the resources as written (a request
// of 0 is "not set"; policies::with_defaulted_requests fills it in).
struct ContainerSpec {
  std::string name;
  policies::ContainerResources resources;
  friend bool operator==(const ContainerSpec&, const ContainerSpec&) = default;
};

// A Deployment or StatefulSet.
struct Workload {
  WorkloadRef ref;
  std::string uid;
  std::int64_t generation = 0;
  std::optional<std::string> policy;           // the rightsizer.io/policy annotation
  bool paused = false;                         // rightsizer.io/paused: "true"
  std::int32_t replicas = 1;                   // spec.replicas (absent: 1)
  std::vector<ContainerSpec> containers;       // spec.template.spec.containers
  bool deleting = false;                       // metadata.deletionTimestamp set
  std::optional<std::string> step_marker;      // the rightsizer.io/step annotation
  std::optional<std::string> template_marker;  // rightsizer.io/template (a canary's)
  std::optional<OwnerRef> controller;          // a canary Deployment's: its Rightsizing
  // spec.template.metadata.labels (PodDisruptionBudget selectors are matched on them).
  std::map<std::string, std::string, std::less<>> template_labels;
  // pod_template_hash of spec.template, for opted-in Deployments only (""
  // for the others): their canary records it, and is made from the template
  // read live, of this same generation.
  std::string template_hash;
  // spec.selector as compact JSON ("" when absent).
  std::string selector_json;
  // A GitOps applier (Argo CD, Flux) among the managedFields managers that own
  // fields of the template's containers; "" when none.
  std::string gitops_manager;
  // Deployment spec.strategy.rollingUpdate.maxUnavailable as written ("25%", "1"; "" = default).
  std::string max_unavailable;
  // Deployment spec.strategy.rollingUpdate.maxSurge as written ("25%", "1"; "" = default).
  std::string max_surge;
  // StatefulSet spec.updateStrategy.rollingUpdate.partition (nullopt: not set).
  std::optional<std::int32_t> partition;
  // Deployment spec.strategy.type / StatefulSet spec.updateStrategy.type
  // ("RollingUpdate", "Recreate", "OnDelete"; "" = the default, RollingUpdate).
  std::string update_strategy;
  bool spec_paused = false;  // Deployment spec.paused (the controller rolls nothing out)
  // status
  std::int64_t observed_generation = 0;
  std::int32_t status_replicas = 0, updated_replicas = 0, ready_replicas = 0,
               available_replicas = 0;
  std::string update_revision, current_revision;  // StatefulSet
  friend bool operator==(const Workload&, const Workload&) = default;
};
Workload project_workload(WorkloadKind kind, const nlohmann::json& object);
// A short, stable hash ("tp-" + 16 hex digits) of a pod template without
// what Rightsizer itself changes: the containers' resources and the
// rightsizer.io/ annotations (a promotion is not a new template). A canary
// records its workload's (kTemplateAnnotation); "" when `pod_template` is
// not a JSON object.
std::string pod_template_hash(const nlohmann::json& pod_template);
k8s::FieldMask workload_mask();

// A ReplicaSet: only what maps a pod to its Deployment.
struct ReplicaSetInfo {
  std::string namespace_name, name, uid;
  std::optional<OwnerRef> controller;
  friend bool operator==(const ReplicaSetInfo&, const ReplicaSetInfo&) = default;
};
ReplicaSetInfo project_replica_set(const nlohmann::json& object);
k8s::FieldMask replica_set_mask();

struct PodContainer {
  std::string name;
  policies::ContainerResources resources;  // as in the pod spec
  std::int32_t restart_count = 0;
  // status.containerStatuses[].lastState.terminated: "OOMKilled", ...
  std::string last_termination_reason;
  std::optional<policies::Timestamp> last_termination_at;  // its finishedAt
  friend bool operator==(const PodContainer&, const PodContainer&) = default;
};

struct PodInfo {
  std::string namespace_name, name, uid;
  std::optional<OwnerRef> controller;  // the owner reference with controller: true
  bool canary = false;                 // labelled rightsizer.io/canary
  std::string phase;                   // status.phase
  std::vector<PodContainer> containers;
  bool ready = false;     // condition Ready is True
  bool deleting = false;  // metadata.deletionTimestamp set
  std::string revision;   // label controller-revision-hash (StatefulSet pods)
  friend bool operator==(const PodInfo&, const PodInfo&) = default;
};
PodInfo project_pod(const nlohmann::json& object);
k8s::FieldMask pod_mask();

struct HpaInfo {
  std::string namespace_name, name;
  std::string target_kind, target_name;  // spec.scaleTargetRef
  // The resources it scales on ("cpu", "memory"): spec.metrics[] of type
  // Resource or ContainerResource.
  std::vector<std::string> resource_metrics;
  friend bool operator==(const HpaInfo&, const HpaInfo&) = default;
};
HpaInfo project_hpa(const nlohmann::json& object);
k8s::FieldMask hpa_mask();

// A PodDisruptionBudget (policy/v1).
struct PdbInfo {
  std::string namespace_name, name;
  bool has_selector = false;  // spec.selector present (a PDB without one selects no pod)
  std::map<std::string, std::string, std::less<>> match_labels;  // spec.selector.matchLabels
  bool has_expressions = false;  // spec.selector.matchExpressions present (matched conservatively)
  std::string min_available, max_unavailable;  // as written ("2", "50%"); "" = not set
  std::int32_t disruptions_allowed = 0, current_healthy = 0, desired_healthy = 0,
               expected_pods = 0;  // status
  friend bool operator==(const PdbInfo&, const PdbInfo&) = default;
};
PdbInfo project_pdb(const nlohmann::json& object);
// Whether the PDB selects pods with these labels, as the disruption controller
// does (policy/v1: an empty selector selects every pod of the namespace, an
// absent one none); matchExpressions are assumed to match, so that a PDB is
// never overlooked.
bool pdb_selects(const PdbInfo& pdb, const std::map<std::string, std::string, std::less<>>& labels);
k8s::FieldMask pdb_mask();

struct PolicyObject {
  std::string namespace_name, name, uid, resource_version;
  std::int64_t generation = 0;
  policies::ParsedPolicy parsed;  // defaults applied, every problem listed
  policies::PolicyStatus status;
  std::string status_error;  // non-empty: the status as stored did not parse
};
PolicyObject project_policy(const nlohmann::json& object);

struct RightsizingObject {
  std::string namespace_name, name, uid, resource_version;
  std::vector<OwnerRef> owners;
  std::optional<std::string> policy_label;  // the rightsizer.io/policy label
  std::string policy_ref;                   // spec.policyRef.name
  std::optional<std::string> action;        // the rightsizer.io/action annotation
  std::optional<WorkloadRef> target;        // spec.targetRef (nullopt: not ours)
  policies::RightsizingStatus status;
  std::string status_error;  // non-empty: the status as stored did not parse
  bool deleting = false;
  friend bool operator==(const RightsizingObject&, const RightsizingObject&) = default;
};
RightsizingObject project_rightsizing(const nlohmann::json& object);
// Leaves out what the projector does not read, managedFields above all (a
// status written every reconcile makes them a large part of each event).
k8s::FieldMask rightsizing_mask();

}  // namespace controller
