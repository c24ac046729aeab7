#include "support/workloads.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "policies/quantity.h"
#include "policies/recommender.h"
#include "policies/usage_histogram.h"
#include "support/cluster.h"

namespace e2e {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

// Room for the scenarios' 16-core pods whatever else the suite runs: three
// more fake nodes, named like hack/cluster's (tests that look for pods on
// "kwok-node-*" still find them), managed by the same kwok.
std::string e2e_nodes_yaml() {
  std::string yaml;
  for (int i = 0; i < 3; ++i) {
    const std::string name = "kwok-node-e2e-" + std::to_string(i);
    yaml += "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: " + name +
            "\n  annotations:\n    kwok.x-k8s.io/node: fake\n"
            "    node.alpha.kubernetes.io/ttl: \"0\"\n"
            "    metrics.k8s.io/resource-metrics-path: /metrics/nodes/" +
            name + "/metrics/resource\n  labels:\n    kubernetes.io/hostname: " + name +
            "\n    kubernetes.io/os: linux\n    kubernetes.io/arch: amd64\n    type: kwok\n"
            "status:\n  capacity: {cpu: \"64\", memory: 256Gi, pods: \"110\"}\n"
            "  allocatable: {cpu: \"64\", memory: 256Gi, pods: \"110\"}\n";
  }
  return yaml;
}

void install_once() {
  const fs::path manifests = fs::path(RIGHTSIZER_SOURCE_DIR) / "manifests";
  itest::CommandResult r;
  // Several test programs may apply at once under `ctest -j`.
  const bool applied = itest::eventually(
      [&] {
        r = itest::kubectl({"apply", "-k", manifests.string()});
        return r.ok();
      },
      60s, 1s);
  if (!applied) {
    std::cerr << "kubectl apply -k manifests/: " << r.err << '\n';
    std::abort();
  }
  r = itest::kubectl({"scale", "deployment/rightsizer", "-n", "rightsizer-system", "--replicas=0"});
  if (!r.ok()) std::cerr << "kubectl scale deployment/rightsizer --replicas=0: " << r.err << '\n';
  r = itest::kubectl({"apply", "-f", "-"}, e2e_nodes_yaml());
  if (!r.ok()) {
    std::cerr << "kubectl apply (e2e nodes): " << r.err << '\n';
    std::abort();
  }
  (void)itest::eventually(
      [] {
        return itest::kubectl({"wait", "--for=condition=Ready", "node/kwok-node-e2e-0",
                               "node/kwok-node-e2e-1", "node/kwok-node-e2e-2", "--timeout=5s"})
            .ok();
      },
      60s);
  // The ServiceAccount's RBAC must reach the authorizer's cache before the
  // operator starts, or its first list is forbidden.
  (void)itest::eventually(
      [] {
        return itest::kubectl({"auth", "can-i", "list", "rightsizepolicies.rightsizer.io",
                               "--as=system:serviceaccount:rightsizer-system:rightsizer", "-A"})
                   .out == "yes\n";
      },
      30s);
}

}  // namespace

void install_operator() {
  static std::once_flag once;
  std::call_once(once, install_once);
}

std::string workload_yaml(const std::string& ns, const WorkloadSpec& w) {
  std::string y = "apiVersion: apps/v1\nkind: " + w.kind + "\nmetadata:\n  name: " + w.name +
                  "\n  namespace: " + ns + "\n";
  if (w.policy) y += "  annotations:\n    rightsizer.io/policy: " + *w.policy + "\n";
  y += "spec:\n  replicas: " + std::to_string(w.replicas) + "\n";
  if (w.kind == "StatefulSet") y += "  serviceName: " + w.name + "\n";
  y += "  selector: {matchLabels: {app: " + w.name + "}}\n  template:\n    metadata:\n" +
       "      labels: {app: " + w.name + "}\n      annotations:\n" +
       "        kwok.x-k8s.io/usage-cpu: \"" + w.usage_cpu + "\"\n" +
       "        kwok.x-k8s.io/usage-memory: \"" + w.usage_memory + "\"\n" +
       "    spec:\n      containers:\n      - name: main\n        image: trading:1\n" +
       "        resources:\n          requests: {cpu: \"" + w.cpu_request + "\", memory: \"" +
       w.memory_request + "\"}\n";
  return y;
}

std::string policy_yaml(const std::string& ns, const std::string& name,
                        const std::string& min_observation, const std::string& extra_spec) {
  return "apiVersion: rightsizer.io/v1alpha1\nkind: RightsizePolicy\nmetadata:\n  name: " + name +
         "\n  namespace: " + ns +
         "\nspec:\n  mode: Recommend\n"
         "  cpu: {percentile: 95, targetUtilization: 0.6, min: 100m, max: \"32\", roundTo: 50m}\n"
         "  history: {halfLife: 1h, minObservation: " +
         min_observation + "}\n" + extra_spec;
}

std::string apply(const std::string& yaml) {
  const auto r = itest::kubectl({"apply", "-f", "-"}, yaml);
  return r.ok() ? "" : r.err + r.out;
}

json get_json(const std::vector<std::string>& args) {
  std::vector<std::string> a = args;
  a.insert(a.end(), {"-o", "json"});
  const auto r = itest::kubectl(a);
  if (!r.ok()) return json();
  return json::parse(r.out, nullptr, false);
}

json get_rightsizing(const std::string& ns, const std::string& name) {
  return get_json({"-n", ns, "get", "rightsizings.rightsizer.io", name});
}

json get_policy(const std::string& ns, const std::string& name) {
  return get_json({"-n", ns, "get", "rightsizepolicies.rightsizer.io", name});
}

json status_of(const json& object) {
  if (!object.is_object()) return json::object();
  const auto it = object.find("status");
  return it != object.end() && it->is_object() ? *it : json::object();
}

json condition(const json& object, const std::string& type) {
  for (const auto& c : status_of(object).value("conditions", json::array()))
    if (c.is_object() && c.value("type", "") == type) return c;
  return json();
}

json status_container(const json& rightsizing, const std::string& container) {
  for (const auto& c : status_of(rightsizing).value("containers", json::array()))
    if (c.is_object() && c.value("name", "") == container) return c;
  return json();
}

std::string status_request(const json& rightsizing, const std::string& container,
                           const std::string& part, const std::string& resource) {
  const json c = status_container(rightsizing, container);
  if (!c.is_object()) return "";
  const json::json_pointer at("/" + part + "/requests/" + resource);
  return c.contains(at) && c.at(at).is_string() ? c.at(at).get<std::string>() : "";
}

int running_pods(const std::string& ns, const std::string& app) {
  const json pods = get_json({"-n", ns, "get", "pods", "-l", "app=" + app});
  if (!pods.is_object()) return -1;
  int n = 0;
  for (const auto& p : pods["items"])
    if (p["status"].value("phase", "") == "Running") ++n;
  return n;
}

std::optional<long long> millicores(const std::string& quantity) {
  auto q = policies::parse_quantity(quantity);
  if (!q) return std::nullopt;
  auto m = policies::to_millis(*q);
  if (!m) return std::nullopt;
  return *m;
}

std::optional<long long> bytes(const std::string& quantity) {
  auto q = policies::parse_quantity(quantity);
  if (!q) return std::nullopt;
  auto b = policies::to_units(*q);
  if (!b) return std::nullopt;
  return *b;
}

Range expected_cpu_request(long long usage_millicores, double target_utilization,
                           long long min_millicores, long long max_millicores,
                           long long round_to_millicores) {
  const auto& buckets = policies::cpu_buckets();
  const auto u = static_cast<double>(usage_millicores);
  const int low_bucket = std::max(0, buckets.bucket_for(u * 0.95) - 1);
  const int high_bucket = buckets.bucket_for(u * 1.05) + 1;
  const auto size = [&](double percentile) {
    const auto raw = static_cast<std::int64_t>(std::ceil(percentile / target_utilization));
    return static_cast<long long>(
        policies::size_to_policy(raw, min_millicores, max_millicores, round_to_millicores));
  };
  return {size(buckets.bucket_start(low_bucket)), size(buckets.bucket_end(high_bucket))};
}

std::vector<json> events(const std::string& ns, const std::string& kind, const std::string& name,
                         const std::string& reason) {
  std::vector<json> out;
  const json list = get_json({"-n", ns, "get", "events", "--field-selector",
                              "involvedObject.kind=" + kind + ",involvedObject.name=" + name});
  if (!list.is_object()) return out;
  for (const auto& e : list["items"])
    if (e.value("reason", "") == reason) out.push_back(e);
  return out;
}

}  // namespace e2e
