#pragma once
// Workloads, pods and a scripted API client for the actuators' unit tests
// (the cache projections are built by hand, as the informers would).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "controller/actuator.h"
#include "k8s/api_client.h"
#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"

namespace controller::testing {

inline constexpr std::int64_t kMiB = std::int64_t{1} << 20;
inline constexpr std::int64_t kGiB = std::int64_t{1} << 30;

inline policies::ContainerResources sized(std::int64_t cpu, std::int64_t mem,
                                          std::optional<std::int64_t> cpu_limit,
                                          std::optional<std::int64_t> mem_limit) {
  return {{cpu, mem}, {cpu_limit, mem_limit}};
}

// The live sizes of web: app 2 cores / 1Gi with a 4-core, 2Gi limit; sidecar
// 100m / 64Mi, no limits.
inline policies::ContainerSizes live_sizes() {
  return {{"app", sized(2000, kGiB, 4000, 2 * kGiB)}, {"sidecar", sized(100, 64 * kMiB, {}, {})}};
}
// A step: app 1 core / 1Gi, its CPU limit removed; sidecar unchanged.
inline policies::ContainerSizes step_sizes() {
  return {{"app", sized(1000, kGiB, {}, 2 * kGiB)}, {"sidecar", sized(100, 64 * kMiB, {}, {})}};
}

inline const char* kTemplateJson =
    R"({"metadata":{"labels":{"app":"web","tier":"front"},"annotations":{"note":"kept"}},)"
    R"("spec":{"containers":[)"
    R"({"name":"app","image":"web:1","resources":{"requests":{"cpu":"2","memory":"1Gi",)"
    R"("ephemeral-storage":"1Gi"},"limits":{"cpu":"4","memory":"2Gi"}}},)"
    R"({"name":"sidecar","image":"proxy:1","resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}]}})";

// Deployment (or StatefulSet) shop/web with the live sizes, 3 replicas, rolled out.
inline Workload web(WorkloadKind kind = WorkloadKind::Deployment,
                    const policies::ContainerSizes& sizes = live_sizes()) {
  Workload w;
  w.ref = {kind, "shop", "web"};
  w.uid = "uid-web";
  w.generation = 4;
  w.observed_generation = 4;
  w.policy = "standard";
  w.replicas = 3;
  w.status_replicas = w.updated_replicas = w.ready_replicas = w.available_replicas = 3;
  for (const auto& [name, r] : sizes) w.containers.push_back({name, r});
  w.template_labels = {{"app", "web"}, {"tier", "front"}};
  w.template_hash = pod_template_hash(nlohmann::json::parse(kTemplateJson));
  w.selector_json = R"({"matchLabels":{"app":"web"}})";
  w.update_revision = w.current_revision = "web-rev1";
  return w;
}

inline RightsizingObject web_rightsizing() {
  RightsizingObject r;
  r.namespace_name = "shop";
  r.name = "deployment-web";
  r.uid = "uid-rsz";
  return r;
}

inline PodInfo pod(std::string name, const policies::ContainerSizes& sizes, bool ready = true,
                   bool canary = false) {
  PodInfo p;
  p.namespace_name = "shop";
  p.name = std::move(name);
  p.canary = canary;
  p.ready = ready;
  p.phase = "Running";
  for (const auto& [c, r] : sizes) p.containers.push_back({c, r, 0, "", std::nullopt});
  return p;
}

inline k8s::ClientOptions unlimited() {
  k8s::ClientOptions o;
  o.qps = 0;
  o.max_attempts = 1;
  return o;
}

// An API client over a scripted transport.
struct ScriptedClient {
  std::shared_ptr<k8s::testing::FakeTransport> transport =
      std::make_shared<k8s::testing::FakeTransport>();
  k8s::testing::FakeClock clock;
  k8s::testing::FixedRandom random;
  k8s::ApiClient client{transport, nullptr, clock, random, unlimited()};

  std::vector<k8s::Request> requests() const {
    std::vector<k8s::Request> out;
    for (const auto& r : transport->requests()) out.push_back(r.request);
    return out;
  }
};

inline std::string status_body(int code, const std::string& reason) {
  return nlohmann::json{{"kind", "Status"},
                        {"apiVersion", "v1"},
                        {"status", "Failure"},
                        {"reason", reason},
                        {"code", code}}
      .dump();
}

}  // namespace controller::testing
