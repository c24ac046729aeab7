#pragma once
// What e2e scenarios put in the cluster: the operator's install, room on
// kwok nodes, policies and annotated workloads with kwok usage, and reading
// back Rightsizings and policies as JSON.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace e2e {

// `kubectl apply -k manifests/` (CRDs, namespace, ServiceAccount, RBAC,
// Deployment, ...) once per test program, then the in-cluster Deployment
// scaled to 0: on kwok its pods would only be faked, and the operator under
// test runs as a process here with the same ServiceAccount. Also adds kwok
// nodes of its own so that 16-core pods fit beside other tests' pods.
void install_operator();

struct WorkloadSpec {
  std::string kind = "Deployment";  // or StatefulSet
  std::string name;
  std::optional<std::string> policy;  // the rightsizer.io/policy annotation
  int replicas = 1;
  std::string cpu_request = "16";
  std::string memory_request = "4Gi";
  std::string usage_cpu = "300m";  // kwok.x-k8s.io/usage-cpu on its pods
  std::string usage_memory = "512Mi";
};

std::string workload_yaml(const std::string& ns, const WorkloadSpec& w);

// A Recommend-mode policy. `extra_spec` is appended under spec (YAML, two
// spaces of indent), e.g. "  rollout:\n    cooldown: 1h\n".
std::string policy_yaml(const std::string& ns, const std::string& name,
                        const std::string& min_observation, const std::string& extra_spec = {});

// kubectl apply -f - of `yaml`; "" on success, else kubectl's error.
std::string apply(const std::string& yaml);

// kubectl get ... -o json; a null json when it fails.
nlohmann::json get_json(const std::vector<std::string>& args);
nlohmann::json get_rightsizing(const std::string& ns, const std::string& name);
nlohmann::json get_policy(const std::string& ns, const std::string& name);

// The condition of `type` in .status.conditions; null when absent.
nlohmann::json condition(const nlohmann::json& object, const std::string& type);

// An object's .status; an empty object when the object or its status is
// absent (a poll reads objects whose status is still being written).
nlohmann::json status_of(const nlohmann::json& object);

// The status.containers[] entry named `container`; null when absent.
nlohmann::json status_container(const nlohmann::json& rightsizing, const std::string& container);
// One request of a status container's `part` ("current", "recommended",
// "step", ...), e.g. status_request(r, "main", "current", "cpu"); "" when
// any level is absent (a status still being filled in, never an exception).
std::string status_request(const nlohmann::json& rightsizing, const std::string& container,
                           const std::string& part, const std::string& resource);

// Pods of the workload (label app=<name>) that are Running.
int running_pods(const std::string& ns, const std::string& app);

// Millicores of a CPU quantity string; nullopt when it does not parse.
std::optional<long long> millicores(const std::string& quantity);
// Bytes of a memory quantity string; nullopt when it does not parse.
std::optional<long long> bytes(const std::string& quantity);

// What the test may accept as the CPU request recommended for a constant
// `usage_millicores`: the policy's rounding of
// P(usage)/targetUtilization, where P is the end of the histogram bucket
// holding the usage, give or take one bucket, and metrics-server's CPU
// being a rate over two scrapes (±5 %).
struct Range {
  long long lo = 0, hi = 0;
};
Range expected_cpu_request(long long usage_millicores, double target_utilization,
                           long long min_millicores, long long max_millicores,
                           long long round_to_millicores);

// The Events of the object `name` of `kind` in `ns` with `reason`.
std::vector<nlohmann::json> events(const std::string& ns, const std::string& kind,
                                   const std::string& name, const std::string& reason);

}  // namespace e2e
