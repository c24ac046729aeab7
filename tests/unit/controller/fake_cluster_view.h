#pragma once
// A ClusterView over plain maps, for unit tests of the reconciler and the
// sampler. Pods name their workload directly (the owner chain itself is the
// informer view's business and tested there). Not thread-safe: tests set it
// up before use.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "controller/cluster_view.h"

namespace controller::testing {

class FakeClusterView final : public ClusterView {
 public:
  void put(Workload w) {
    auto key = w.ref.key();
    workloads_[key] = std::make_shared<const Workload>(std::move(w));
  }
  void erase_workload(const WorkloadRef& ref) { workloads_.erase(ref.key()); }
  void put(PodInfo pod, std::optional<WorkloadRef> owner) {
    auto key = pod.namespace_name + "/" + pod.name;
    pods_[key] = {std::make_shared<const PodInfo>(std::move(pod)), std::move(owner)};
  }
  void erase_pod(const std::string& ns, const std::string& name) { pods_.erase(ns + "/" + name); }
  void put(PolicyObject p) {
    auto key = p.namespace_name + "/" + p.name;
    policies_[key] = std::make_shared<const PolicyObject>(std::move(p));
  }
  void erase_policy(const std::string& ns, const std::string& name) {
    policies_.erase(ns + "/" + name);
  }
  void put(RightsizingObject r) {
    auto key = r.namespace_name + "/" + r.name;
    rightsizings_[key] = std::make_shared<const RightsizingObject>(std::move(r));
  }
  void erase_rightsizing(const std::string& ns, const std::string& name) {
    rightsizings_.erase(ns + "/" + name);
  }
  void put(HpaInfo h) {
    auto key = h.namespace_name + "/" + h.name;
    hpas_[key] = std::make_shared<const HpaInfo>(std::move(h));
  }
  void put(PdbInfo p) {
    auto key = p.namespace_name + "/" + p.name;
    pdbs_[key] = std::make_shared<const PdbInfo>(std::move(p));
  }

  std::shared_ptr<const Workload> workload(const WorkloadRef& ref) const override {
    auto it = workloads_.find(ref.key());
    return it == workloads_.end() ? nullptr : it->second;
  }
  std::vector<std::shared_ptr<const Workload>> workloads() const override {
    std::vector<std::shared_ptr<const Workload>> out;
    for (const auto& [k, w] : workloads_) out.push_back(w);
    return out;
  }
  std::vector<std::shared_ptr<const Workload>> workloads_in(
      std::string_view namespace_name) const override {
    std::vector<std::shared_ptr<const Workload>> out;
    for (const auto& [k, w] : workloads_) {
      if (w->ref.namespace_name == namespace_name) out.push_back(w);
    }
    return out;
  }
  std::vector<std::shared_ptr<const PodInfo>> pods_of(const Workload& workload) const override {
    std::vector<std::shared_ptr<const PodInfo>> out;
    for (const auto& [k, p] : pods_) {
      if (p.second && *p.second == workload.ref) out.push_back(p.first);
    }
    return out;
  }
  std::shared_ptr<const PodInfo> pod(std::string_view namespace_name,
                                     std::string_view name) const override {
    auto it = pods_.find(std::string(namespace_name) + "/" + std::string(name));
    return it == pods_.end() ? nullptr : it->second.first;
  }
  std::optional<WorkloadRef> owner_of(const PodInfo& pod) const override {
    auto it = pods_.find(pod.namespace_name + "/" + pod.name);
    return it == pods_.end() ? std::nullopt : it->second.second;
  }
  std::shared_ptr<const PolicyObject> policy(std::string_view namespace_name,
                                             std::string_view name) const override {
    auto it = policies_.find(std::string(namespace_name) + "/" + std::string(name));
    return it == policies_.end() ? nullptr : it->second;
  }
  std::vector<std::shared_ptr<const PolicyObject>> policies() const override {
    std::vector<std::shared_ptr<const PolicyObject>> out;
    for (const auto& [k, p] : policies_) out.push_back(p);
    return out;
  }
  std::shared_ptr<const RightsizingObject> rightsizing(std::string_view namespace_name,
                                                       std::string_view name) const override {
    auto it = rightsizings_.find(std::string(namespace_name) + "/" + std::string(name));
    return it == rightsizings_.end() ? nullptr : it->second;
  }
  std::vector<std::shared_ptr<const RightsizingObject>> rightsizings_in(
      std::string_view namespace_name) const override {
    std::vector<std::shared_ptr<const RightsizingObject>> out;
    for (const auto& [k, r] : rightsizings_) {
      if (r->namespace_name == namespace_name) out.push_back(r);
    }
    return out;
  }
  std::vector<std::shared_ptr<const HpaInfo>> hpas_in(
      std::string_view namespace_name) const override {
    std::vector<std::shared_ptr<const HpaInfo>> out;
    for (const auto& [k, h] : hpas_) {
      if (h->namespace_name == namespace_name) out.push_back(h);
    }
    return out;
  }
  std::vector<std::shared_ptr<const PdbInfo>> pdbs_in(
      std::string_view namespace_name) const override {
    std::vector<std::shared_ptr<const PdbInfo>> out;
    for (const auto& [k, p] : pdbs_) {
      if (p->namespace_name == namespace_name) out.push_back(p);
    }
    return out;
  }

 private:
  std::map<std::string, std::shared_ptr<const Workload>> workloads_;
  std::map<std::string, std::pair<std::shared_ptr<const PodInfo>, std::optional<WorkloadRef>>>
      pods_;
  std::map<std::string, std::shared_ptr<const PolicyObject>> policies_;
  std::map<std::string, std::shared_ptr<const RightsizingObject>> rightsizings_;
  std::map<std::string, std::shared_ptr<const HpaInfo>> hpas_;
  std::map<std::string, std::shared_ptr<const PdbInfo>> pdbs_;
};

}  // namespace controller::testing
