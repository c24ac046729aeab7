#pragma once
// What the Auto-mode scenarios add to e2e::Scenario: workloads of simulated
// trading pods (tests/sim) at N cores with a demand profile, an Auto policy
// with short intervals gated by the simulator's trade latency against real
// Prometheus, the simulator process of a namespace, and reading back what
// the operator did to a workload (template resources, generation, canary).
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/operator_process.h"

namespace slotest {
class ChildProcess;
}

namespace e2e {

// A Deployment or StatefulSet of simulated pods: labels app=<name> and
// sim.rightsizer.io/simulate=true, the profile annotation
// sim.rightsizer.io/profile on its template, one container "main".
struct TradingWorkload {
  std::string kind = "Deployment";  // or StatefulSet
  std::string name;
  std::string policy;  // the rightsizer.io/policy annotation
  int replicas = 2;
  std::string cpu = "16";      // request, and limit when cpu_limit
  bool cpu_limit = true;       // limit = request (whole cores: Guaranteed)
  std::string memory = "4Gi";  // request
  std::optional<std::string> memory_limit = "4Gi";
  std::string profile = R"({"cores": 1.0, "noise": 0.02, "memoryBytes": 1073741824})";
  std::string strategy_yaml;  // appended under spec (two spaces of indent)
};
std::string trading_workload_yaml(const std::string& ns, const TradingWorkload& w);

// A demand profile: `cores` with 2 % noise and `memory_bytes` in use.
std::string profile(double cores, long long memory_bytes = 1LL << 30,
                    const std::string& extra = "");

// An Auto policy with intervals short enough for a test: a step is judged
// every analysis_interval against the simulator's p99 trade latency over the
// pods under analysis (and the stable pods as a baseline during a canary).
struct AutoPolicy {
  std::string name = "trading";
  std::string min_observation = "10s";
  std::string analysis_interval = "5s";
  int successful_checks = 2;
  int failure_threshold = 2;
  int post_promotion_checks = 2;
  std::string progress_deadline = "60s";
  std::string cooldown = "10m";
  std::string increases = "Immediate";
  // CPU: whole cores, sized for 60 % at p95.
  std::string cpu_min = "1", cpu_max = "32", cpu_round_to = "1";
  // Memory: pinned to 4Gi unless a test sizes it.
  std::string memory_min = "4Gi", memory_max = "4Gi", memory_round_to = "256Mi";
  std::string oom_bump_ratio = "1.5";
  std::string limits = "EqualToRequests";
  double latency_max_seconds = 0.1;         // the absolute bound on p99
  std::string baseline_max_ratio = "2";     // canary p99 ≤ baseline × 2 ...
  std::string baseline_max_delta = "0.01";  // ... or baseline + 10 ms
  std::string extra_rollout;                // more keys under rollout (four spaces of indent)
};
std::string auto_policy_yaml(const std::string& ns, const AutoPolicy& p);

// `hack/cluster stop|start COMPONENT` of the test cluster.
bool cluster_component(const std::string& verb, const std::string& component);

// The trading simulator watching one namespace, registered with the
// cluster's Prometheus (file_sd) for its lifetime.
class Simulator {
 public:
  explicit Simulator(const std::string& ns);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;
  bool running() const;

 private:
  std::unique_ptr<slotest::ChildProcess> process_;
};

// The workload object (kind "deployment" / "statefulset"); null when absent.
nlohmann::json get_workload(const std::string& ns, const std::string& kind,
                            const std::string& name);
std::int64_t generation(const nlohmann::json& workload);
// The template's resources of container "main", e.g. requests.cpu.
std::string template_resource(const nlohmann::json& workload, const std::string& kind,
                              const std::string& resource);
// Whether the canary Deployment `<name>-rightsizer-canary` exists.
bool canary_exists(const std::string& ns, const std::string& name);

// The CPU request of the canary Deployment's template; "" when there is
// none (after a rollback a new canary above the floor may follow at once).
std::string canary_cpu(const std::string& ns, const std::string& name);

// Annotates the workload rightsizer.io/paused=true: no new step starts, so
// that what a test asserts after a rollback stays put.
bool pause(const std::string& ns, const std::string& kind, const std::string& name);

// Running, not deleting pods matching `selector`, sorted by name.
std::vector<std::string> live_pods(const std::string& ns, const std::string& selector);

// Overwrites the profile annotation of `pods`: the simulator then makes
// those pods (and only those) demand what `profile_json` says.
bool set_pod_profile(const std::string& ns, const std::vector<std::string>& pods,
                     const std::string& profile_json);

// A decimal string as a number; 0 when it does not parse.
double number(const std::string& text);

// The phase in a Rightsizing's status ("" when none).
std::string phase_of(const nlohmann::json& rightsizing);
// Every phase the history lists, in order ("to" of each transition).
std::vector<std::string> history_phases(const nlohmann::json& rightsizing);

// Events of any object in `ns` with `reason` (the operator may report on
// the workload or on its Rightsizing).
std::vector<nlohmann::json> events_by_reason(const std::string& ns, const std::string& reason);
// The same, waited for until there is one (at most `timeout`; empty after
// it): an Event is sent after the status write it follows, by a thread of
// the operator's own, so a status already read does not mean its Event is.
std::vector<nlohmann::json> await_events(const std::string& ns, const std::string& reason,
                                         std::chrono::seconds timeout = std::chrono::seconds(20));
// The number of occurrences (the sum of their `count`).
int occurrences(const std::vector<nlohmann::json>& events);

// What a workload's object looked like: its generation and container
// "main"'s template resources.
struct WorkloadSnapshot {
  std::int64_t generation = -1;
  std::string cpu_request, cpu_limit, memory_request, memory_limit;
  std::int64_t partition = 0;  // StatefulSet rollingUpdate.partition (0 when unset)
  friend bool operator==(const WorkloadSnapshot&, const WorkloadSnapshot&) = default;
};

// Polls the Deployments and StatefulSets of a namespace (every 300 ms, on a
// thread of its own, until destroyed) and keeps, per object name, every
// distinct snapshot in the order seen: what the operator wrote and when a
// canary Deployment existed, without racing the test's own waits. A
// template change bumps the generation, so a change between two polls still
// shows as a generation jump.
class WorkloadRecorder {
 public:
  explicit WorkloadRecorder(std::string ns);
  ~WorkloadRecorder();
  WorkloadRecorder(const WorkloadRecorder&) = delete;
  WorkloadRecorder& operator=(const WorkloadRecorder&) = delete;
  std::vector<WorkloadSnapshot> seen(const std::string& name) const;

 private:
  void poll_once();

  std::string ns_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<WorkloadSnapshot>> seen_;
  bool stop_ = false;
  std::thread thread_;
};

// Prints RSS, CPU seconds and API writes of `op` for the closing note.
void print_operator_figures(const std::string& label, const OperatorProcess& op);

}  // namespace e2e
