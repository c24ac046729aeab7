#pragma once
// Which API resource a request is about: group, version, plural and scope.
#include <string>

namespace k8s {

struct ApiResource {
  std::string group;    // "" for the core group
  std::string version;  // "v1"
  std::string plural;   // "pods"
  bool namespaced = true;

  // "/api/v1" for the core group, "/apis/<group>/<version>" otherwise.
  [[nodiscard]] std::string api_prefix() const;
  // "v1" or "<group>/<version>", as in an object's apiVersion.
  [[nodiscard]] std::string api_version() const;
};

// Well-known resources.
namespace resources {
ApiResource pods();
ApiResource configmaps();
ApiResource events();
ApiResource namespaces();
ApiResource nodes();
ApiResource services();
ApiResource serviceaccounts();
ApiResource leases();
ApiResource deployments();
ApiResource replicasets();
ApiResource statefulsets();
ApiResource horizontalpodautoscalers();
ApiResource poddisruptionbudgets();
ApiResource customresourcedefinitions();
ApiResource pod_metrics();
}  // namespace resources

}  // namespace k8s
