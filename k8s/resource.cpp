#include "k8s/resource.h"

namespace k8s {

std::string ApiResource::api_prefix() const {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string ApiResource::api_version() const {
  return group.empty() ? version : group + "/" + version;
}

namespace resources {
ApiResource pods() {
  return {"", "v1", "pods", true};
}
ApiResource configmaps() {
  return {"", "v1", "configmaps", true};
}
ApiResource events() {
  return {"", "v1", "events", true};
}
ApiResource namespaces() {
  return {"", "v1", "namespaces", false};
}
ApiResource nodes() {
  return {"", "v1", "nodes", false};
}
ApiResource services() {
  return {"", "v1", "services", true};
}
ApiResource serviceaccounts() {
  return {"", "v1", "serviceaccounts", true};
}
ApiResource leases() {
  return {"coordination.k8s.io", "v1", "leases", true};
}
ApiResource deployments() {
  return {"apps", "v1", "deployments", true};
}
ApiResource replicasets() {
  return {"apps", "v1", "replicasets", true};
}
ApiResource statefulsets() {
  return {"apps", "v1", "statefulsets", true};
}
ApiResource horizontalpodautoscalers() {
  return {"autoscaling", "v2", "horizontalpodautoscalers", true};
}
ApiResource poddisruptionbudgets() {
  return {"policy", "v1", "poddisruptionbudgets", true};
}
ApiResource customresourcedefinitions() {
  return {"apiextensions.k8s.io", "v1", "customresourcedefinitions", false};
}
ApiResource pod_metrics() {
  return {"metrics.k8s.io", "v1beta1", "pods", true};
}
}  // namespace resources

}  // namespace k8s
