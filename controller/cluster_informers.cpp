#include "controller/cluster_informers.h"

#include <algorithm>

#include "controller/api_resources.h"
#include "controller/event_keys.h"

namespace controller {
namespace {

using Enqueue = std::function<void(const std::string&)>;

k8s::WatcherConfig watch_all(k8s::ApiResource resource, k8s::FieldMask mask) {
  k8s::WatcherConfig cfg;
  cfg.collection = k8s::ObjectRef{std::move(resource), "", "", ""};
  cfg.mask = std::move(mask);
  // Pages of 100, not client-go's 500: a page's body and DOM are the
  // operator's largest transient (~5 KiB a pod as listed), and its peak RSS
  // is what a memory limit must cover; lists are rare (start-up, relists).
  cfg.page_size = 100;
  return cfg;
}

void send(const Enqueue& enqueue, const Keys& keys) {
  for (const auto& k : keys) enqueue(k);
}

// Handlers for caches whose every notification maps through `keys_of`.
template <class T, class F>
typename k8s::Informer<T>::Handlers same_keys(const Enqueue& enqueue, F keys_of) {
  return {
      .on_add = [enqueue, keys_of](const T& v) { send(enqueue, keys_of(v)); },
      .on_update =
          [enqueue, keys_of](const T& old, const T& now) {
            send(enqueue, keys_of(old));
            send(enqueue, keys_of(now));
          },
      .on_delete = [enqueue, keys_of](const T& v) { send(enqueue, keys_of(v)); },
  };
}

}  // namespace

ClusterInformers::ClusterInformers(k8s::ApiClient& client, const ClusterProjectors& p)
    : policies(client, watch_all(rightsize_policies(), p.policies.mask), p.policies.project),
      rightsizings(client, watch_all(controller::rightsizings(), p.rightsizings.mask),
                   p.rightsizings.project),
      deployments(client, watch_all(k8s::resources::deployments(), p.deployments.mask),
                  p.deployments.project),
      stateful_sets(client, watch_all(k8s::resources::statefulsets(), p.stateful_sets.mask),
                    p.stateful_sets.project),
      replica_sets(client, watch_all(k8s::resources::replicasets(), p.replica_sets.mask),
                   p.replica_sets.project),
      pods(client, watch_all(k8s::resources::pods(), p.pods.mask), p.pods.project),
      hpas(client, watch_all(k8s::resources::horizontalpodautoscalers(), p.hpas.mask),
           p.hpas.project),
      pdbs(client, watch_all(k8s::resources::poddisruptionbudgets(), p.pdbs.mask), p.pdbs.project) {
}

ClusterStores ClusterInformers::stores() const {
  return {policies.store(),     rightsizings.store(), deployments.store(), stateful_sets.store(),
          replica_sets.store(), pods.store(),         hpas.store(),        pdbs.store()};
}

void ClusterInformers::connect(const ClusterView& view, Enqueue enqueue) {
  const ClusterView* v = &view;
  policies.add_handlers(same_keys<PolicyObject>(
      enqueue, [v](const PolicyObject& p) { return keys_for_policy(p, *v); }));
  rightsizings.add_handlers(same_keys<RightsizingObject>(enqueue, keys_for_rightsizing));
  hpas.add_handlers(same_keys<HpaInfo>(enqueue, keys_for_hpa));
  pdbs.add_handlers(
      same_keys<PdbInfo>(enqueue, [v](const PdbInfo& d) { return keys_for_pdb(d, *v); }));
  for (auto* workloads : {&deployments, &stateful_sets}) {
    workloads->add_handlers({
        .on_add = [enqueue](const Workload& w) { send(enqueue, keys_for_workload(w)); },
        .on_update =
            [enqueue](const Workload& old, const Workload& now) {
              send(enqueue, keys_for_workload_change(old, now));
            },
        .on_delete = [enqueue](const Workload& w) { send(enqueue, keys_for_workload(w)); },
    });
  }
  pods.add_handlers({
      .on_add = nullptr,
      .on_update = [enqueue, v](
                       const PodInfo& old,
                       const PodInfo& now) { send(enqueue, keys_for_pod_change(old, now, *v)); },
      .on_delete = nullptr,
  });
}

void ClusterInformers::start() {
  policies.start();
  rightsizings.start();
  deployments.start();
  stateful_sets.start();
  replica_sets.start();
  pods.start();
  hpas.start();
  pdbs.start();
}

void ClusterInformers::stop() {
  policies.stop();
  rightsizings.stop();
  deployments.stop();
  stateful_sets.stop();
  replica_sets.stop();
  pods.stop();
  hpas.stop();
  pdbs.stop();
}

bool ClusterInformers::synced() const {
  return policies.synced() && rightsizings.synced() && deployments.synced() &&
         stateful_sets.synced() && replica_sets.synced() && pods.synced() && hpas.synced() &&
         pdbs.synced();
}

std::vector<std::pair<std::string, int>> ClusterInformers::relists() const {
  auto relists_of = [](const auto& informer) {
    return std::max(0, informer.list_generation() - 1);
  };
  return {
      {"rightsizepolicies", relists_of(policies)},    {"rightsizings", relists_of(rightsizings)},
      {"deployments", relists_of(deployments)},       {"statefulsets", relists_of(stateful_sets)},
      {"replicasets", relists_of(replica_sets)},      {"pods", relists_of(pods)},
      {"horizontalpodautoscalers", relists_of(hpas)}, {"poddisruptionbudgets", relists_of(pdbs)}};
}

}  // namespace controller
