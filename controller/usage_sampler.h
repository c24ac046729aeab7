#pragma once
// The usage sampler (DESIGN §1, §4): once per interval, one metrics.k8s.io
// PodMetrics list per namespace that holds annotated workloads; each pod is
// mapped to its workload through ClusterView::owner_of (owner references,
// never names) and its containers' samples go into the UsageStore — canary
// pods into the canary histograms. A failing list records a failure for the
// namespace and adds nothing (an outage is never read as zero usage).
// A container's half-life is its workload's policy's history.halfLife (24 h
// when the policy is missing or invalid). A pod's sample is taken once: a
// list answering with the same (or an older) metrics timestamp adds nothing.
// One thread calls sample_once()/run(); the view, source and store outlive it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <vector>

#include "controller/cluster_view.h"
#include "controller/usage_source.h"
#include "controller/usage_store.h"
#include "k8s/call_context.h"
#include "k8s/clock.h"

namespace controller {

// What one pass did: the workloads that received samples, the namespaces
// whose list failed, and the number of container samples added.
struct SamplingPass {
  std::vector<WorkloadRef> sampled;
  std::vector<std::string> failed_namespaces;
  int samples = 0;
  // A list was cut short by a stop: nothing was recorded for its namespace,
  // and run() does not report the pass.
  bool cancelled = false;
};

class UsageSampler {
 public:
  using SamplingPass = controller::SamplingPass;

  UsageSampler(const ClusterView& view, UsageSource& source, UsageStore& store, k8s::Clock& clock)
      : view_(view), source_(source), store_(store), clock_(clock) {}

  SamplingPass sample_once(const k8s::CallContext& ctx);
  // sample_once() every `interval` (measured from the start of one pass to
  // the start of the next) until `stop`; after_each (may be empty) sees each
  // pass. Returns promptly once stop is requested.
  void run(std::stop_token stop, std::chrono::nanoseconds interval,
           std::function<void(const SamplingPass&)> after_each);
  // Pods whose last sample is remembered (bounded by the pods in the cache).
  [[nodiscard]] std::size_t tracked_pods() const;

 private:
  struct LastSample {
    std::string uid;
    policies::Time timestamp{};
  };
  using Annotated = std::map<WorkloadRef, std::chrono::seconds>;  // → half-life

  Annotated annotated_workloads() const;
  void sample_namespace(const std::string& ns, const Annotated& annotated, std::uint64_t epoch,
                        const k8s::CallContext& ctx, SamplingPass& pass);
  int add_pod(const PodSample& sample, const Annotated& annotated, std::uint64_t epoch,
              SamplingPass& pass, std::map<std::string, LastSample>& last);
  policies::Time wall_now() const;

  const ClusterView& view_;
  UsageSource& source_;
  UsageStore& store_;
  k8s::Clock& clock_;
  // Per namespace, per pod name: the last sample taken. Kept while the pod
  // is in the cache (uid and all), even when a list leaves it out: the next
  // list may answer its same scrape again. So the map follows the cluster.
  std::map<std::string, std::map<std::string, LastSample>> last_;
};

}  // namespace controller
