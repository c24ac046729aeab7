#pragma once
// The operator's eight informers (RightsizePolicy, Rightsizing, Deployment,
// StatefulSet, ReplicaSet, Pod, HPA, PodDisruptionBudget), all namespaces, each decoding only its
// FieldMask into a cache projection, and the handlers that turn their
// notifications into work-queue keys (event_keys.h). Include from .cpp
// files only: informer.h is a template header.
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "controller/cluster_objects.h"
#include "controller/cluster_view.h"
#include "controller/informer_cluster_view.h"
#include "k8s/api_client.h"
#include "k8s/field_mask.h"
#include "k8s/informer.h"

namespace controller {

template <class T>
struct CacheSpec {
  k8s::FieldMask mask;  // default: the whole object
  std::function<T(const nlohmann::json&)> project;
};

struct ClusterProjectors {
  CacheSpec<PolicyObject> policies;
  CacheSpec<RightsizingObject> rightsizings;
  CacheSpec<Workload> deployments;
  CacheSpec<Workload> stateful_sets;
  CacheSpec<ReplicaSetInfo> replica_sets;
  CacheSpec<PodInfo> pods;
  CacheSpec<HpaInfo> hpas;
  CacheSpec<PdbInfo> pdbs;
};

// The projectors and masks of cluster_objects.h (cluster_projectors.cpp).
ClusterProjectors cluster_projectors();

class ClusterInformers {
 public:
  ClusterInformers(k8s::ApiClient& client, const ClusterProjectors& p);

  k8s::Informer<PolicyObject> policies;
  k8s::Informer<RightsizingObject> rightsizings;
  k8s::Informer<Workload> deployments;
  k8s::Informer<Workload> stateful_sets;
  k8s::Informer<ReplicaSetInfo> replica_sets;
  k8s::Informer<PodInfo> pods;
  k8s::Informer<HpaInfo> hpas;
  k8s::Informer<PdbInfo> pdbs;

  [[nodiscard]] ClusterStores stores() const;
  // Handlers that hand every key a notification asks for to `enqueue`;
  // before start(). `view` must read these informers' stores.
  void connect(const ClusterView& view, std::function<void(const std::string&)> enqueue);
  void start();
  void stop();
  // Every cache holds its first full list.
  [[nodiscard]] bool synced() const;
  // Per resource plural, the relists after the first list (watch restarts
  // that lost their position).
  [[nodiscard]] std::vector<std::pair<std::string, int>> relists() const;
};

}  // namespace controller
