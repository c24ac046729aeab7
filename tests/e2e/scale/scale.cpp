// e2e_scale: a benchmark figure, not a test. Creates N annotated Deployments
// (P pods each) in the kwok cluster with one `kubectl create` of a generated
// List, runs the operator as its ServiceAccount (as the e2e tests do), and
// prints its RSS and CPU from /proc and its API requests per minute from
// /metrics over a few minutes.
//
//   RIGHTSIZER_CLUSTER_DIR=build/cluster build/bin/e2e_scale --deployments 1000 --pods 1
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "support/cluster.h"
#include "support/operator_process.h"
#include "support/workloads.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Args {
  int deployments = 1000;
  int pods = 1;
  int minutes = 5;
  std::string metrics_interval = "1m";
  bool keep = false;
};

int usage() {
  std::cerr << "usage: e2e_scale [--deployments N] [--pods P] [--minutes M]\n"
               "                 [--metrics-interval 1m] [--keep]\n"
               "needs RIGHTSIZER_CLUSTER_DIR of a cluster that is up (hack/cluster up)\n";
  return 2;
}

bool parse(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string f = argv[i];
    const bool has_value = i + 1 < argc;
    if (f == "--keep") {
      a.keep = true;
    } else if (f == "--deployments" && has_value) {
      a.deployments = std::atoi(argv[++i]);
    } else if (f == "--pods" && has_value) {
      a.pods = std::atoi(argv[++i]);
    } else if (f == "--minutes" && has_value) {
      a.minutes = std::atoi(argv[++i]);
    } else if (f == "--metrics-interval" && has_value) {
      a.metrics_interval = argv[++i];
    } else {
      return false;
    }
  }
  return a.deployments > 0 && a.pods > 0 && a.minutes > 0;
}

// Fake nodes with room for every pod (kwok runs them; 110 pods a node
// would need hundreds of nodes).
std::string nodes_yaml(int count) {
  std::string y = "apiVersion: v1\nkind: List\nitems:\n";
  for (int i = 0; i < count; ++i) {
    const std::string name = "kwok-node-scale-" + std::to_string(i);
    y += "- apiVersion: v1\n  kind: Node\n  metadata:\n    name: " + name +
         "\n    annotations:\n      kwok.x-k8s.io/node: fake\n"
         "      node.alpha.kubernetes.io/ttl: \"0\"\n"
         "      metrics.k8s.io/resource-metrics-path: /metrics/nodes/" +
         name + "/metrics/resource\n    labels: {kubernetes.io/hostname: " + name +
         ", type: kwok}\n  status:\n    capacity: {cpu: \"1000\", memory: 4Ti, pods: \"1100\"}\n"
         "    allocatable: {cpu: \"1000\", memory: 4Ti, pods: \"1100\"}\n";
  }
  return y;
}

std::string deployments_yaml(const std::string& ns, const Args& a) {
  std::string y = "apiVersion: v1\nkind: List\nitems:\n";
  for (int i = 0; i < a.deployments; ++i) {
    const std::string name = "app-" + std::to_string(i);
    y += "- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: " + name +
         "\n    namespace: " + ns +
         "\n    annotations: {rightsizer.io/policy: scale}\n  spec:\n    replicas: " +
         std::to_string(a.pods) + "\n    selector: {matchLabels: {app: " + name +
         "}}\n    template:\n      metadata:\n        labels: {app: " + name +
         "}\n        annotations: {kwok.x-k8s.io/usage-cpu: 20m, kwok.x-k8s.io/usage-memory: "
         "40Mi}\n      spec:\n        containers:\n        - name: main\n          image: app:1\n"
         "          resources: {requests: {cpu: 100m, memory: 128Mi}}\n";
  }
  return y;
}

int running_pods(const std::string& ns) {
  const auto r = itest::kubectl({"-n", ns, "get", "pods", "--field-selector=status.phase=Running",
                                 "--no-headers", "-o", "name"});
  int n = 0;
  for (char c : r.out) n += c == '\n' ? 1 : 0;
  return n;
}

int rightsizings(const std::string& ns) {
  const auto r =
      itest::kubectl({"-n", ns, "get", "rightsizings.rightsizer.io", "--no-headers", "-o", "name"});
  int n = 0;
  for (char c : r.out) n += c == '\n' ? 1 : 0;
  return n;
}

double api_requests(const e2e::OperatorProcess& op) {
  return e2e::metric_sum(op.metrics(), "rightsizer_api_requests_total");
}

// Where the resident memory is: the anonymous pages (heap, stacks) and the
// file-backed ones (the binary's and the shared libraries' pages touched).
void print_memory_breakdown(const e2e::OperatorProcess& op) {
  std::ifstream in("/proc/" + std::to_string(op.pid()) + "/smaps_rollup");
  std::string key;
  std::getline(in, key);  // the [rollup] line
  long long kib = 0, rss = -1, anon = -1;
  while (in >> key >> kib) {
    if (key == "Rss:") rss = kib;
    if (key == "Anonymous:") anon = kib;
    in.ignore(1 << 20, '\n');
  }
  if (rss >= 0 && anon >= 0)
    std::printf("RSS now %.1f MiB: anonymous %.1f MiB, file-backed %.1f MiB\n", rss / 1024.0,
                anon / 1024.0, (rss - anon) / 1024.0);
  std::istringstream log(op.log_tail(2000));
  for (std::string line; std::getline(log, line);)
    if (line.find("heap after") != std::string::npos) std::printf("operator: %s\n", line.c_str());
}

void observe(e2e::OperatorProcess& op, const std::string& ns, const Args& a) {
  std::printf("%6s %9s %7s %10s %8s %6s\n", "t[s]", "RSS[MiB]", "CPU[%]", "API/min", "requests",
              "rsz");
  const auto start = Clock::now();
  double last_cpu = op.cpu_seconds().value_or(0), last_api = api_requests(op);
  auto last = start;
  double peak_rss = 0, sum_cpu = 0, sum_api = 0;
  int steps = 0;
  while (Clock::now() - start < std::chrono::minutes(a.minutes) && op.running()) {
    std::this_thread::sleep_for(15s);
    const auto now = Clock::now();
    const double dt = std::chrono::duration<double>(now - last).count();
    const double cpu = op.cpu_seconds().value_or(last_cpu);
    const double api = api_requests(op);
    const double rss = static_cast<double>(op.rss_bytes().value_or(0)) / (1 << 20);
    const double cpu_pct = 100 * (cpu - last_cpu) / dt, api_min = 60 * (api - last_api) / dt;
    std::printf("%6.0f %9.1f %7.2f %10.1f %8.0f %6d\n",
                std::chrono::duration<double>(now - start).count(), rss, cpu_pct, api_min, api,
                rightsizings(ns));
    std::fflush(stdout);
    peak_rss = std::max(peak_rss, rss);
    // The first minute holds the initial lists and creates; the steady
    // state is what the summary reports.
    if (now - start > 60s) {
      sum_cpu += cpu_pct;
      sum_api += api_min;
      ++steps;
    }
    last = now, last_cpu = cpu, last_api = api;
  }
  const double hwm = static_cast<double>(op.peak_rss_bytes().value_or(0)) / (1 << 20);
  std::printf(
      "summary: %d Deployments x %d pods, --metrics-interval %s: peak RSS %.1f MiB "
      "(VmHWM; %.1f MiB the highest 15-s sample)",
      a.deployments, a.pods, a.metrics_interval.c_str(), hwm, peak_rss);
  if (steps > 0)
    std::printf(", after the first minute CPU %.2f %% of a core, %.1f API requests/min",
                sum_cpu / steps, sum_api / steps);
  std::printf("\n");
  // Which requests: a leader renews its Lease (GET + PUT) every retry period
  // whatever it watches.
  const auto samples = op.metrics();
  std::printf("requests by verb:");
  for (const char* verb : {"GET", "LIST", "WATCH", "POST", "PUT", "PATCH", "DELETE"})
    std::printf(" %s %.0f", verb,
                e2e::metric_sum(samples, "rightsizer_api_requests_total", {{"verb", verb}}));
  std::printf("\nusage histograms: %.0f bytes\n",
              e2e::metric_sum(samples, "rightsizer_histogram_memory_bytes"));
  print_memory_breakdown(op);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!parse(argc, argv, a)) return usage();
  e2e::install_operator();
  const int total = a.deployments * a.pods;
  const int node_count = (total + 999) / 1000;
  if (const auto r = itest::kubectl({"apply", "-f", "-"}, nodes_yaml(node_count)); !r.ok()) {
    std::cerr << "nodes: " << r.err;
    return 1;
  }
  const std::string ns = "scale-" + std::to_string(::getpid());
  itest::kubectl({"create", "namespace", ns});
  (void)itest::eventually(
      [&] {
        return itest::kubectl({"-n", ns, "get", "serviceaccount", "default"}).ok();
      },
      30s);
  const auto t0 = Clock::now();
  const std::string policy = e2e::policy_yaml(ns, "scale", "10m");
  if (const auto r =
          itest::kubectl({"create", "-f", "-"}, policy + "---\n" + deployments_yaml(ns, a));
      !r.ok()) {
    std::cerr << "create: " << r.err;
    return 1;
  }
  std::printf("created %d Deployments in %s in %.1f s; waiting for %d Running pods\n",
              a.deployments, ns.c_str(), std::chrono::duration<double>(Clock::now() - t0).count(),
              total);
  std::fflush(stdout);
  int running = 0;
  (void)itest::eventually([&] { return (running = running_pods(ns)) >= total; }, 3600s, 5s);
  std::printf("%d pods Running after %.0f s\n", running,
              std::chrono::duration<double>(Clock::now() - t0).count());
  std::fflush(stdout);
  const auto cleanup = [&] {
    if (a.keep) return;
    itest::kubectl({"delete", "namespace", ns, "--wait=false"});
    for (int i = 0; i < node_count; ++i)
      itest::kubectl({"delete", "node", "kwok-node-scale-" + std::to_string(i), "--wait=false"});
  };
  {
    const e2e::ServiceAccountFiles sa;
    e2e::OperatorOptions options;
    options.name = "scale";
    options.metrics_interval = a.metrics_interval;
    options.log_level = "info";
    e2e::OperatorProcess op(sa, options);
    if (!op.wait_ready(600s)) {
      std::cerr << "the operator did not become ready\n" << op.log_tail();
      cleanup();
      return 1;
    }
    observe(op, ns, a);
    (void)op.terminate(30s);
  }
  cleanup();
  return 0;
}
