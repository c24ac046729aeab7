#include "support/rollout.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "child_process.h"
#include "support/cluster.h"
#include "support/workloads.h"

namespace e2e {

using json = nlohmann::json;

std::string trading_workload_yaml(const std::string& ns, const TradingWorkload& w) {
  std::string resources = "        resources:\n          requests: {cpu: \"" + w.cpu +
                          "\", memory: \"" + w.memory + "\"}\n";
  std::string limits;
  if (w.cpu_limit) limits += "cpu: \"" + w.cpu + "\"";
  if (w.memory_limit)
    limits += std::string(limits.empty() ? "" : ", ") + "memory: \"" + *w.memory_limit + "\"";
  if (!limits.empty()) resources += "          limits: {" + limits + "}\n";
  std::string y = "apiVersion: apps/v1\nkind: " + w.kind + "\nmetadata:\n  name: " + w.name +
                  "\n  namespace: " + ns +
                  "\n  annotations:\n    rightsizer.io/policy: " + w.policy +
                  "\nspec:\n  replicas: " + std::to_string(w.replicas) + "\n";
  if (w.kind == "StatefulSet") y += "  serviceName: " + w.name + "\n";
  y += w.strategy_yaml;
  y += "  selector: {matchLabels: {app: " + w.name + "}}\n  template:\n    metadata:\n" +
       "      labels: {app: " + w.name + ", sim.rightsizer.io/simulate: \"true\"}\n" +
       "      annotations:\n        sim.rightsizer.io/profile: '" + w.profile + "'\n" +
       "    spec:\n      terminationGracePeriodSeconds: 0\n" +
       "      containers:\n      - name: main\n        image: trading:1\n" + resources;
  return y;
}

std::string profile(double cores, long long memory_bytes, const std::string& extra) {
  return "{\"cores\": " + std::to_string(cores) +
         ", \"noise\": 0.02, \"memoryBytes\": " + std::to_string(memory_bytes) +
         (extra.empty() ? "" : ", " + extra) + "}";
}

std::string auto_policy_yaml(const std::string& ns, const AutoPolicy& p) {
  // rate() over 10 s: five of Prometheus' 2 s scrapes, so that a new
  // canary pod has data by the first analysis, and a breach shows within
  // one analysis interval.
  const std::string query =
      "histogram_quantile(0.99, sum by (le) (rate(trade_latency_seconds_bucket{"
      "namespace=\"{{namespace}}\",pod=~\"{{pods}}\"}[10s])))";
  return "apiVersion: rightsizer.io/v1alpha1\nkind: RightsizePolicy\nmetadata:\n  name: " + p.name +
         "\n  namespace: " + ns +
         "\nspec:\n  mode: Auto\n"
         "  cpu: {percentile: 95, targetUtilization: 0.6, min: \"" +
         p.cpu_min + "\", max: \"" + p.cpu_max + "\", roundTo: \"" + p.cpu_round_to +
         "\"}\n  memory: {percentile: 99, targetUtilization: 0.8, min: \"" + p.memory_min +
         "\", max: \"" + p.memory_max + "\", roundTo: \"" + p.memory_round_to +
         "\", oomBumpRatio: " + p.oom_bump_ratio + "}\n  limits: " + p.limits +
         "\n  history: {halfLife: 1h, minObservation: " + p.min_observation +
         "}\n  rollout:\n    maxStepDown: 0.5\n    minChange: 0.1\n    canaryReplicas: 1\n" +
         "    analysisInterval: " + p.analysis_interval +
         "\n    successfulChecks: " + std::to_string(p.successful_checks) +
         "\n    failureThreshold: " + std::to_string(p.failure_threshold) +
         "\n    postPromotionChecks: " + std::to_string(p.post_promotion_checks) +
         "\n    progressDeadline: " + p.progress_deadline + "\n    cooldown: " + p.cooldown +
         "\n    increases: " + p.increases + "\n" + p.extra_rollout +
         "  slos:\n    prometheus: {address: \"" + itest::ClusterEnv::get().prometheus_url +
         "\", timeout: 2s}\n    checks:\n    - name: trade-latency-p99\n      query: '" + query +
         "'\n      max: " + std::to_string(p.latency_max_seconds) +
         "\n      baseline: {maxRatio: \"" + p.baseline_max_ratio + "\", maxDelta: \"" +
         p.baseline_max_delta + "\"}\n";
}

bool cluster_component(const std::string& verb, const std::string& component) {
  const auto script = std::filesystem::path(RIGHTSIZER_SOURCE_DIR) / "hack" / "cluster";
  const auto r = itest::run({script.string(), verb, component});
  if (!r.ok()) std::cerr << "hack/cluster " << verb << " " << component << ": " << r.err << '\n';
  return r.ok();
}

Simulator::Simulator(const std::string& ns) {
  const auto& env = itest::ClusterEnv::get();
  process_ = std::make_unique<slotest::ChildProcess>(
      std::vector<std::string>{RIGHTSIZER_SIM_BIN, "--kubeconfig", env.kubeconfig, "--namespace",
                               ns, "--targets-dir", env.prometheus_targets_dir, "--tick-ms", "1000",
                               "--usage-every-ticks", "2"},
      env.data_dir + "/logs/sim-" + ns + ".log");
}

Simulator::~Simulator() = default;

bool Simulator::running() const {
  return process_->running();
}

json get_workload(const std::string& ns, const std::string& kind, const std::string& name) {
  return get_json({"-n", ns, "get", kind, name});
}

std::int64_t generation(const json& workload) {
  if (!workload.is_object()) return -1;
  return workload["metadata"].value("generation", std::int64_t{-1});
}

std::string template_resource(const json& workload, const std::string& kind,
                              const std::string& resource) {
  if (!workload.is_object()) return "";
  for (const auto& c : workload["spec"]["template"]["spec"].value("containers", json::array()))
    if (c.value("name", "") == "main")
      return c.value("resources", json::object()).value(kind, json::object()).value(resource, "");
  return "";
}

bool canary_exists(const std::string& ns, const std::string& name) {
  const auto r = itest::kubectl({"-n", ns, "get", "deployment", name + "-rightsizer-canary"});
  return r.ok();
}

std::string canary_cpu(const std::string& ns, const std::string& name) {
  return template_resource(get_workload(ns, "deployment", name + "-rightsizer-canary"), "requests",
                           "cpu");
}

bool pause(const std::string& ns, const std::string& kind, const std::string& name) {
  const auto r = itest::kubectl(
      {"-n", ns, "annotate", kind, name, "--overwrite", "rightsizer.io/paused=true"});
  if (!r.ok()) std::cerr << "pause " << name << ": " << r.err << '\n';
  return r.ok();
}

std::vector<std::string> live_pods(const std::string& ns, const std::string& selector) {
  std::vector<std::string> out;
  const json list = get_json({"-n", ns, "get", "pods", "-l", selector});
  if (!list.is_object()) return out;
  for (const auto& p : list["items"])
    if (p["status"].value("phase", "") == "Running" && !p["metadata"].contains("deletionTimestamp"))
      out.push_back(p["metadata"].value("name", ""));
  std::sort(out.begin(), out.end());
  return out;
}

bool set_pod_profile(const std::string& ns, const std::vector<std::string>& pods,
                     const std::string& profile_json) {
  bool ok = !pods.empty();
  for (const auto& pod : pods) {
    const auto r = itest::kubectl({"-n", ns, "annotate", "pod", pod, "--overwrite",
                                   "sim.rightsizer.io/profile=" + profile_json});
    if (!r.ok()) {
      std::cerr << "annotate " << pod << ": " << r.err << '\n';
      ok = false;
    }
  }
  return ok;
}

double number(const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  return (end == text.c_str() || *end != '\0') ? 0.0 : v;
}

std::string phase_of(const json& rightsizing) {
  if (!rightsizing.is_object()) return "";
  return rightsizing.value("status", json::object()).value("phase", "");
}

std::vector<std::string> history_phases(const json& rightsizing) {
  std::vector<std::string> out;
  if (!rightsizing.is_object()) return out;
  for (const auto& t : rightsizing.value("status", json::object()).value("history", json::array()))
    out.push_back(t.value("to", ""));
  return out;
}

void print_operator_figures(const std::string& label, const OperatorProcess& op) {
  const auto samples = op.metrics();
  std::cout << "[figures] " << label << ": rss_bytes=" << op.rss_bytes().value_or(-1)
            << " cpu_seconds=" << op.cpu_seconds().value_or(-1)
            << " api_writes=" << write_requests(samples) << " (POST "
            << metric_sum(samples, "rightsizer_api_requests_total", {{"verb", "POST"}}) << ", PUT "
            << metric_sum(samples, "rightsizer_api_requests_total", {{"verb", "PUT"}}) << ", PATCH "
            << metric_sum(samples, "rightsizer_api_requests_total", {{"verb", "PATCH"}})
            << ", DELETE "
            << metric_sum(samples, "rightsizer_api_requests_total", {{"verb", "DELETE"}}) << ")\n";
}

std::vector<json> events_by_reason(const std::string& ns, const std::string& reason) {
  std::vector<json> out;
  const json list = get_json({"-n", ns, "get", "events", "--field-selector", "reason=" + reason});
  if (!list.is_object()) return out;
  for (const auto& e : list.value("items", json::array())) out.push_back(e);
  return out;
}

std::vector<json> await_events(const std::string& ns, const std::string& reason,
                               std::chrono::seconds timeout) {
  std::vector<json> out;
  itest::eventually(
      [&] {
        out = events_by_reason(ns, reason);
        return !out.empty();
      },
      timeout);
  return out;
}

int occurrences(const std::vector<json>& events) {
  int n = 0;
  for (const auto& e : events) n += std::max(1, e.value("count", 1));
  return n;
}

WorkloadRecorder::WorkloadRecorder(std::string ns) : ns_(std::move(ns)) {
  thread_ = std::thread([this] {
    for (;;) {
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
      }
      poll_once();
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
}

WorkloadRecorder::~WorkloadRecorder() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  thread_.join();
}

void WorkloadRecorder::poll_once() {
  const json list = get_json({"-n", ns_, "get", "deployments,statefulsets"});
  if (!list.is_object()) return;
  for (const auto& obj : list.value("items", json::array())) {
    WorkloadSnapshot s;
    s.generation = generation(obj);
    s.cpu_request = template_resource(obj, "requests", "cpu");
    s.cpu_limit = template_resource(obj, "limits", "cpu");
    s.memory_request = template_resource(obj, "requests", "memory");
    s.memory_limit = template_resource(obj, "limits", "memory");
    const json strategy = obj["spec"].value("updateStrategy", json::object());
    s.partition =
        strategy.value("rollingUpdate", json::object()).value("partition", std::int64_t{0});
    const std::string name = obj["metadata"].value("name", "");
    std::lock_guard lock(mu_);
    auto& v = seen_[name];
    if (v.empty() || !(v.back() == s)) v.push_back(s);
  }
}

std::vector<WorkloadSnapshot> WorkloadRecorder::seen(const std::string& name) const {
  std::lock_guard lock(mu_);
  const auto it = seen_.find(name);
  return it == seen_.end() ? std::vector<WorkloadSnapshot>{} : it->second;
}

}  // namespace e2e
