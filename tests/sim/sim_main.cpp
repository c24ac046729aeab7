// rightsizer-sim: the trading-workload simulator (see sim_model.h and the
// README). Watches the pods labelled --selector, and every tick:
//   - computes each Running pod's demand from its profile annotation and its
//     allotted CPU (limit, else request);
//   - writes kwok's usage annotations when they change (metrics-server reads
//     them through kwok), CPU used = min(demand, allotted);
//   - reports an OOMKill in the pod status when memory in use exceeds the limit;
//   - accumulates trade_latency_seconds and guardian_scan_duration_seconds,
//     served on /metrics and registered in Prometheus' file_sd directory.
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "k8s/api_client.h"
#include "k8s/clock.h"
#include "k8s/config.h"
#include "k8s/https_transport.h"
#include "k8s/informer.h"
#include "k8s/resource.h"
#include "sim_pod.h"
#include "support/http_exporter.h"

namespace {

using json = nlohmann::json;
volatile std::sig_atomic_t g_stop = 0;

struct Flags {
  std::string kubeconfig;
  std::string ns;  // "" = all namespaces
  std::string selector = "sim.rightsizer.io/simulate=true";
  std::string targets_dir;
  int tick_ms = 1000;
  int usage_every_ticks = 5;
};

const char* kUsage =
    "usage: rightsizer-sim --kubeconfig FILE [--namespace NS] [--selector LABELS]\n"
    "                      [--targets-dir DIR] [--tick-ms N] [--usage-every-ticks N]\n";

bool parse_flags(int argc, char** argv, Flags& f) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--kubeconfig")
      f.kubeconfig = next();
    else if (a == "--namespace")
      f.ns = next();
    else if (a == "--selector")
      f.selector = next();
    else if (a == "--targets-dir")
      f.targets_dir = next();
    else if (a == "--tick-ms")
      f.tick_ms = std::atoi(next().c_str());
    else if (a == "--usage-every-ticks")
      f.usage_every_ticks = std::atoi(next().c_str());
    else
      return false;
  }
  return !f.kubeconfig.empty() && f.tick_ms > 0 && f.usage_every_ticks > 0;
}

std::string rfc3339_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class Simulator {
 public:
  Simulator(k8s::ApiClient& api, const k8s::Store<json>& pods, int usage_every)
      : api_(api), pods_(pods), usage_every_(usage_every) {}

  // One tick of `seconds`; returns the exposition text.
  std::string tick(double now, double seconds) {
    std::map<std::string, std::pair<sim::SimPod, sim::PodMetrics>> live;
    const bool write_usage = (ticks_++ % usage_every_) == 0;
    for (const auto& obj : pods_.list()) {
      const sim::SimPod pod = sim::project_pod(*obj);
      if (!pod.running) continue;
      const std::string key = pod.ns + "/" + pod.name;
      const sim::PodState st = sim::pod_state(pod, now);
      auto& m = metrics_[key + "/" + pod.uid];
      m.advance(st.utilization, pod.profile.value_or(sim::DemandProfile{}).trades_per_second,
                seconds);
      live.emplace(key, std::pair{pod, m});
      if (write_usage) write_annotations(pod, st);
      if (st.oom && !pod.oom_reported) report_oom(pod, *obj);
    }
    // Forget pods that are gone.
    std::erase_if(metrics_, [&](const auto& e) {
      const auto cut = e.first.rfind('/');
      return live.find(e.first.substr(0, cut)) == live.end();
    });
    return sim::render_metrics(live);
  }

 private:
  k8s::ObjectRef ref(const sim::SimPod& pod) const {
    return {k8s::resources::pods(), pod.ns, pod.name, ""};
  }

  void write_annotations(const sim::SimPod& pod, const sim::PodState& st) {
    if (pod.usage_cpu == st.usage_cpu && pod.usage_memory == st.usage_memory) return;
    const json patch = {{"metadata",
                         {{"annotations",
                           {{sim::kUsageCpuAnnotation, st.usage_cpu},
                            {sim::kUsageMemoryAnnotation, st.usage_memory}}}}}};
    auto r = api_.patch(ref(pod), k8s::PatchType::Merge, patch);
    if (!r)
      std::cerr << "sim: annotating " << pod.ns << "/" << pod.name << ": " << r.error().describe()
                << "\n";
  }

  void report_oom(const sim::SimPod& pod, const json& obj) {
    auto r = api_.patch_status(ref(pod), k8s::PatchType::StrategicMerge,
                               sim::oom_status_patch(obj, rfc3339_now()));
    if (!r)
      std::cerr << "sim: OOMKill status of " << pod.ns << "/" << pod.name << ": "
                << r.error().describe() << "\n";
    else
      std::cerr << "sim: " << pod.ns << "/" << pod.name << " OOMKilled\n";
  }

  k8s::ApiClient& api_;
  const k8s::Store<json>& pods_;
  int usage_every_;
  std::uint64_t ticks_ = 0;
  std::map<std::string, sim::PodMetrics> metrics_;  // by namespace/name/uid
};

// Registers the exporter with Prometheus; the file goes away with the object.
class TargetFile {
 public:
  TargetFile(const std::string& dir, const std::string& address) {
    if (dir.empty()) return;
    path_ = std::filesystem::path(dir) / ("rightsizer-sim-" + std::to_string(::getpid()) + ".json");
    const auto tmp = path_.string() + ".tmp";
    std::ofstream(tmp)
        << json::array({{{"targets", {address}}, {"labels", {{"job", "rightsizer-sim"}}}}}).dump();
    std::filesystem::rename(tmp, path_);  // Prometheus never reads half a file
  }
  ~TargetFile() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove(path_, ec);
  }
  TargetFile(const TargetFile&) = delete;
  TargetFile& operator=(const TargetFile&) = delete;

 private:
  std::filesystem::path path_;
};

int run(const Flags& flags) {
  auto cfg = k8s::load_kubeconfig(flags.kubeconfig);
  if (!cfg) {
    std::cerr << "sim: " << cfg.error().describe() << "\n";
    return 1;
  }
  auto transport = k8s::make_https_transport(*cfg);
  if (!transport) {
    std::cerr << "sim: " << transport.error().describe() << "\n";
    return 1;
  }
  k8s::SystemClock clock;
  k8s::SystemRandom random;
  auto tokens = std::make_shared<k8s::TokenProvider>(*cfg, clock);
  k8s::ApiClient api(*transport, tokens, clock, random);
  k8s::WatcherConfig wc;
  wc.collection = {k8s::resources::pods(), flags.ns, "", ""};
  wc.label_selector = flags.selector;
  k8s::Informer<json> pods(api, wc, [](const json& j) { return j; });
  pods.start();
  if (!pods.wait_for_sync(std::chrono::seconds(60))) {
    std::cerr << "sim: pod list did not sync in 60 s\n";
    return 1;
  }
  itest::HttpExporter exporter;
  TargetFile target(flags.targets_dir, exporter.address());
  std::cout << "sim: serving /metrics on " << exporter.address() << std::endl;
  Simulator simulator(api, pods.store(), flags.usage_every_ticks);
  const auto tick = std::chrono::milliseconds(flags.tick_ms);
  auto next = std::chrono::steady_clock::now();
  while (g_stop == 0) {
    exporter.set_body(simulator.tick(unix_seconds(), flags.tick_ms / 1000.0));
    next += tick;
    std::this_thread::sleep_until(next);
  }
  pods.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!parse_flags(argc, argv, flags)) {
    std::cerr << kUsage;
    return 2;
  }
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  std::signal(SIGINT, [](int) { g_stop = 1; });
  return run(flags);
}
