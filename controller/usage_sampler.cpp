// UsageSampler (usage_sampler.h).
#include "controller/usage_sampler.h"

#include <algorithm>
#include <set>
#include <utility>

namespace controller {
namespace {

constexpr std::chrono::seconds kDefaultHalfLife = std::chrono::hours(24);

std::chrono::seconds half_life_of(const ClusterView& view, const Workload& w) {
  auto policy = view.policy(w.ref.namespace_name, *w.policy);
  if (!policy || !policy->parsed.valid()) return kDefaultHalfLife;
  // A valid policy's half-life is positive (policy_validation.h).
  return std::chrono::ceil<std::chrono::seconds>(policy->parsed.spec.history.half_life);
}

}  // namespace

policies::Time UsageSampler::wall_now() const {
  return std::chrono::floor<std::chrono::seconds>(clock_.wall_now());
}

UsageSampler::Annotated UsageSampler::annotated_workloads() const {
  Annotated out;
  for (const auto& w : view_.workloads()) {
    if (!w->policy || w->deleting) continue;
    out.emplace(w->ref, half_life_of(view_, *w));
  }
  return out;
}

SamplingPass UsageSampler::sample_once(const k8s::CallContext& ctx) {
  SamplingPass pass;
  // Read before the snapshot: a forget after it drops this pass's samples.
  const auto epoch = store_.epoch();
  store_.retire_forgets(epoch);
  auto annotated = annotated_workloads();
  std::set<std::string> namespaces;
  for (const auto& [ref, half_life] : annotated) namespaces.insert(ref.namespace_name);
  // Namespaces without annotated workloads any more: their pods' last samples go.
  std::erase_if(last_, [&](const auto& entry) { return !namespaces.contains(entry.first); });
  for (const auto& ns : namespaces) {
    if (ctx.stop.stop_requested()) break;
    sample_namespace(ns, annotated, epoch, ctx, pass);
  }
  std::ranges::sort(pass.sampled);
  auto dups = std::ranges::unique(pass.sampled);
  pass.sampled.erase(dups.begin(), dups.end());
  return pass;
}

void UsageSampler::sample_namespace(const std::string& ns, const Annotated& annotated,
                                    std::uint64_t epoch, const k8s::CallContext& ctx,
                                    SamplingPass& pass) {
  auto listed = source_.list(ns, ctx);
  // Taken after the list: the time it took is part of the pass.
  const auto now = wall_now();
  if (!listed) {
    // A stop (SIGTERM, lost lease) is no metrics-server outage: recording it
    // would make a draining reconcile write MetricsAvailable=False.
    if (ctx.stop.stop_requested() || listed.error().kind == k8s::ErrorKind::Cancelled) {
      pass.cancelled = true;
      return;
    }
    store_.record_failure(ns, now, listed.error().describe());
    pass.failed_namespaces.push_back(ns);
    return;
  }
  store_.record_success(ns, now);
  auto& last = last_[ns];
  // A pod left out of a list (a node's scrape failed) keeps its last sample,
  // as the VPA recommender keeps it per pod: metrics-server may answer the
  // same scrape again. Pods gone from the cache (or recreated) go.
  std::erase_if(last, [&](const auto& entry) {
    auto pod = view_.pod(ns, entry.first);
    return !pod || pod->uid != entry.second.uid;
  });
  for (const auto& sample : *listed) pass.samples += add_pod(sample, annotated, epoch, pass, last);
}

int UsageSampler::add_pod(const PodSample& sample, const Annotated& annotated, std::uint64_t epoch,
                          SamplingPass& pass, std::map<std::string, LastSample>& last) {
  auto pod = view_.pod(sample.namespace_name, sample.pod);
  if (!pod) return 0;  // not in the cache yet: the next pass takes it
  auto owner = view_.owner_of(*pod);
  if (!owner) return 0;
  auto workload = annotated.find(*owner);
  if (workload == annotated.end()) return 0;
  auto previous = last.find(sample.pod);
  if (previous != last.end() && previous->second.uid == pod->uid &&
      sample.timestamp <= previous->second.timestamp) {
    return 0;  // metrics-server has not scraped the pod since the last pass
  }
  last[sample.pod] = {pod->uid, sample.timestamp};
  int added = 0;
  for (const auto& c : sample.containers) {
    if (store_.add_sample({*owner, c.name}, pod->canary, sample.timestamp, c.cpu_millicores,
                          c.memory_bytes, workload->second, epoch)) {
      ++added;
    }
  }
  if (added > 0) pass.sampled.push_back(*owner);  // made unique at the end of the pass
  return added;
}

std::size_t UsageSampler::tracked_pods() const {
  std::size_t n = 0;
  for (const auto& [ns, pods] : last_) n += pods.size();
  return n;
}

void UsageSampler::run(std::stop_token stop, std::chrono::nanoseconds interval,
                       std::function<void(const SamplingPass&)> after_each) {
  while (!stop.stop_requested()) {
    const auto started = clock_.now();
    auto pass = sample_once(k8s::CallContext{stop, std::nullopt});
    if (after_each && !pass.cancelled) after_each(pass);
    auto wait = interval - (clock_.now() - started);
    if (wait.count() > 0 && !clock_.sleep_for(wait, stop)) return;
  }
}

}  // namespace controller
