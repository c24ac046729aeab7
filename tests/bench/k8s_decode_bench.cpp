// Decode throughput of the informer path: a 10,000-pod list (paged by 500)
// and a watch stream of 100,000 pod events, ~10 KB of realistic JSON each,
// through Watcher (field-mask decode) into Informer<PodView>, the projection
// an operator keeps. Prints events/s, MB/s and bytes held per cached pod.
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "k8s/informer.h"
#include "k8s/testing/fake_clock.h"
#include "k8s/testing/fake_transport.h"
#include "sample_pod.h"

namespace {

using bench::container;
using bench::managed_fields;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// What a rightsizing operator keeps of a pod: ~150-300 bytes.
struct ContainerView {
  std::string name;
  std::int64_t cpu_request_millis = 0;
  std::int64_t memory_request_bytes = 0;
  std::int64_t cpu_limit_millis = 0;
  std::int64_t memory_limit_bytes = 0;
  std::int32_t restarts = 0;
  bool oom_killed = false;
};
struct PodView {
  std::string name;
  std::string node;
  std::string owner_uid;
  char phase = '?';
  std::vector<ContainerView> containers;
};

std::int64_t parse_quantity(const json& q, bool cpu) {
  if (!q.is_string()) return 0;
  const auto& s = q.get_ref<const std::string&>();
  std::size_t i = 0;
  double v = std::stod(s, &i);
  std::string suffix = s.substr(i);
  if (cpu) return static_cast<std::int64_t>(suffix == "m" ? v : v * 1000);
  if (suffix == "Ki") return std::int64_t(v * 1024);
  if (suffix == "Mi") return std::int64_t(v * 1024 * 1024);
  if (suffix == "Gi") return std::int64_t(v * 1024 * 1024 * 1024);
  return std::int64_t(v);
}

PodView project(const json& pod) {
  PodView v;
  v.name = k8s::meta_name(pod);
  auto owners = k8s::meta_owner_uids(pod);
  if (!owners.empty()) v.owner_uid = owners.front();
  const json& spec = pod.contains("spec") ? pod["spec"] : json::object();
  v.node = spec.value("nodeName", "");
  if (pod.contains("status")) v.phase = pod["status"].value("phase", "?")[0];
  if (spec.contains("containers")) {
    for (const auto& c : spec["containers"]) {
      ContainerView cv;
      cv.name = c.value("name", "");
      const json& res = c.contains("resources") ? c["resources"] : json::object();
      if (res.contains("requests")) {
        cv.cpu_request_millis = parse_quantity(res["requests"].value("cpu", json()), true);
        cv.memory_request_bytes = parse_quantity(res["requests"].value("memory", json()), false);
      }
      if (res.contains("limits")) {
        cv.cpu_limit_millis = parse_quantity(res["limits"].value("cpu", json()), true);
        cv.memory_limit_bytes = parse_quantity(res["limits"].value("memory", json()), false);
      }
      v.containers.push_back(std::move(cv));
    }
  }
  return v;
}

k8s::FieldMask pod_mask() {
  return k8s::FieldMask{"spec.nodeName",
                        "spec.containers[].name",
                        "spec.containers[].resources",
                        "status.phase",
                        "status.containerStatuses[].name",
                        "status.containerStatuses[].restartCount"};
}

json make_pod(int i, int rv) {
  std::string name = "engine-7d9f8b6c5-" + std::to_string(100000 + i);
  json statuses = json::array();
  for (int c = 0; c < 2; ++c) {
    statuses.push_back({{"name", "engine-" + std::to_string(c)},
                        {"ready", true},
                        {"restartCount", i % 3},
                        {"image", "registry.example.com/trading/engine:v1.42"},
                        {"containerID", "containerd://" + std::string(64, 'a' + c)},
                        {"state", {{"running", {{"startedAt", "2026-11-27T10:00:04Z"}}}}}});
  }
  return {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", name},
        {"generateName", "engine-7d9f8b6c5-"},
        {"namespace", "trading-" + std::to_string(i % 50)},
        {"uid", "5f0c7a9e-1b2c-4d3e-8f9a-" + std::to_string(100000000000 + i)},
        {"resourceVersion", std::to_string(rv)},
        {"creationTimestamp", "2026-11-27T10:00:00Z"},
        {"labels", {{"app", "engine"}, {"pod-template-hash", "7d9f8b6c5"}, {"tier", "trading"}}},
        {"annotations",
         {{"kubectl.kubernetes.io/restartedAt", "2026-11-27T09:59:00Z"},
          {"prometheus.io/scrape", "true"},
          {"prometheus.io/port", "8080"}}},
        {"ownerReferences",
         {{{"apiVersion", "apps/v1"},
           {"kind", "ReplicaSet"},
           {"name", "engine-7d9f8b6c5"},
           {"uid", "rs-uid-" + std::to_string(i / 10)},
           {"controller", true},
           {"blockOwnerDeletion", true}}}},
        {"managedFields", managed_fields()}}},
      {"spec",
       {{"containers", {container(0, i), container(1, i)}},
        {"nodeName", "node-" + std::to_string(i % 200)},
        {"serviceAccountName", "engine"},
        {"restartPolicy", "Always"},
        {"volumes", {{{"name", "config"}, {"configMap", {{"name", "engine-config"}}}}}},
        {"tolerations",
         {{{"key", "node.kubernetes.io/not-ready"},
           {"operator", "Exists"},
           {"effect", "NoExecute"},
           {"tolerationSeconds", 300}}}}}},
      {"status",
       {{"phase", "Running"},
        {"podIP", "10.244." + std::to_string(i % 250) + "." + std::to_string(i % 200)},
        {"hostIP", "192.168.0." + std::to_string(i % 200)},
        {"startTime", "2026-11-27T10:00:01Z"},
        {"qosClass", "Burstable"},
        {"conditions",
         {{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", "2026-11-27T10:00:05Z"}},
          {{"type", "ContainersReady"},
           {"status", "True"},
           {"lastTransitionTime", "2026-11-27T10:00:05Z"}},
          {{"type", "PodScheduled"},
           {"status", "True"},
           {"lastTransitionTime", "2026-11-27T10:00:00Z"}}}},
        {"containerStatuses", statuses}}}};
}

std::size_t heap_in_use() {
  return mallinfo2().uordblks;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU time of this thread: the figure that matters on a shared machine.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

}  // namespace

int main() {
  constexpr int kPods = 10'000;
  constexpr int kEvents = 100'000;
  constexpr int kPage = 500;
  k8s::testing::FakeClock clock;
  k8s::testing::FixedRandom random;
  auto transport = std::make_shared<k8s::testing::FakeTransport>();
  k8s::ClientOptions opts;
  opts.qps = 0;
  k8s::ApiClient client(transport, nullptr, clock, random, opts);

  // Each pod's JSON is generated once; events reuse it with a new
  // resourceVersion written in place (fixed width, so offsets stay valid).
  std::vector<std::string> pods;
  pods.reserve(kPods);
  for (int i = 0; i < kPods; ++i) pods.push_back(make_pod(i, 1'000'000'000 + i).dump());
  std::size_t list_bytes = 0;
  for (int page = 0; page < kPods / kPage; ++page) {
    std::string body =
        R"({"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"1000010000")";
    if (page + 1 < kPods / kPage) body += R"(,"continue":"page-)" + std::to_string(page + 1) + "\"";
    body += R"(},"items":[)";
    for (int i = page * kPage; i < (page + 1) * kPage; ++i)
      body += (i == page * kPage ? "" : ",") + pods[i];
    body += "]}";
    list_bytes += body.size();
    transport->push(200, std::move(body));
  }
  std::string stream;
  stream.reserve(std::size_t(kEvents) * (pods[0].size() + 64));
  for (int e = 0; e < kEvents; ++e) {
    const std::string& pod = pods[e % kPods];
    std::size_t at = pod.find(R"("resourceVersion":")") + 19;
    std::string rv = std::to_string(2'000'000'000 + e);
    stream += R"({"type":"MODIFIED","object":)";
    stream.append(pod, 0, at);
    stream += rv;
    stream.append(pod, at + rv.size());
    stream += "}\n";
  }
  std::size_t event_bytes = stream.size();
  std::vector<std::string> pieces;
  for (std::size_t at = 0; at < stream.size(); at += 64 * 1024)
    pieces.push_back(stream.substr(at, 64 * 1024));
  std::string().swap(stream);
  std::vector<std::string>().swap(pods);
  transport->push_stream({200, std::move(pieces), {}});

  k8s::WatcherConfig cfg;
  cfg.collection = {k8s::resources::pods(), "", "", ""};
  cfg.page_size = kPage;
  cfg.mask = pod_mask();
  std::size_t heap_before = heap_in_use();
  auto informer = std::make_unique<k8s::Informer<PodView>>(client, cfg, project);
  auto& watcher = informer->watcher();

  auto t0 = Clock::now();
  double c0 = thread_cpu_seconds();
  while (!informer->synced()) {
    auto r = watcher.step();
    if (!r) return std::fprintf(stderr, "list failed: %s\n", r.error().describe().c_str()), 1;
    if (*r) informer->handle(std::move(**r));
  }
  double list_s = seconds_since(t0);
  double list_cpu = thread_cpu_seconds() - c0;

  int events = 0;
  auto t1 = Clock::now();
  double c1 = thread_cpu_seconds();
  while (events < kEvents) {
    auto r = watcher.step();
    if (!r) return std::fprintf(stderr, "watch failed: %s\n", r.error().describe().c_str()), 1;
    if (*r) {
      informer->handle(std::move(**r));
      ++events;
    }
  }
  double watch_s = seconds_since(t1);
  double watch_cpu = thread_cpu_seconds() - c1;
  std::size_t heap_with_store = heap_in_use();
  std::size_t cached = informer->store().size();
  informer.reset();
  std::size_t heap_after = heap_in_use();

  std::printf("k8s decode benchmark (one thread, field-mask decode -> Informer<PodView>)\n");
  std::printf("  pod JSON size          : %.1f KB average\n",
              double(event_bytes) / kEvents / 1000.0);
  std::printf(
      "  list  %6d pods       : wall %.3f s, cpu %.3f s  %9.0f pods/s    %7.1f MB/s (per "
      "cpu-second)\n",
      kPods, list_s, list_cpu, kPods / list_cpu, double(list_bytes) / 1e6 / list_cpu);
  std::printf(
      "  watch %6d events     : wall %.3f s, cpu %.3f s  %9.0f events/s  %7.1f MB/s (per "
      "cpu-second)\n",
      kEvents, watch_s, watch_cpu, kEvents / watch_cpu, double(event_bytes) / 1e6 / watch_cpu);
  std::printf("  (wall-clock rates: list %.0f pods/s, watch %.0f events/s)\n", kPods / list_s,
              kEvents / watch_s);
  std::printf("  cached pods            : %zu\n", cached);
  std::printf("  heap held per pod      : %.0f bytes (store, indexes, projections)\n",
              double(heap_with_store - heap_after) / double(cached));
  std::printf("  heap before informer   : %zu, with: %zu, after: %zu\n", heap_before,
              heap_with_store, heap_after);
  return 0;
}
