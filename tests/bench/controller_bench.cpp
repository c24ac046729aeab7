// The pod cache's decode path: ~10 KB of realistic pod JSON through
// pod_mask() and project_pod(), as the manager's pod informer does it.
// Prints pods/s (items_per_second) and an estimate of the bytes one cached
// PodInfo holds (DESIGN §12: about 1 KiB per cached pod).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "controller/cluster_objects.h"
#include "sample_pod.h"

namespace {

using bench::container;
using bench::managed_fields;
using nlohmann::json;

json container_status(int c, int pod) {
  json s = {{"name", "engine-" + std::to_string(c)},
            {"ready", true},
            {"restartCount", pod % 3},
            {"image", "registry.example.com/trading/engine:v1.42"},
            {"containerID", "containerd://" + std::string(64, 'a')},
            {"state", {{"running", {{"startedAt", "2026-11-27T10:00:04Z"}}}}}};
  if (pod % 3 != 0) {
    s["lastState"] = {{"terminated",
                       {{"exitCode", 137},
                        {"reason", "OOMKilled"},
                        {"startedAt", "2026-11-27T09:00:00Z"},
                        {"finishedAt", "2026-11-27T10:00:02Z"}}}};
  }
  return s;
}

std::string pod_text(int i) {
  json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", "engine-7d9f8b6c5-" + std::to_string(100000 + i)},
        {"generateName", "engine-7d9f8b6c5-"},
        {"namespace", "trading-" + std::to_string(i % 50)},
        {"uid", "5f0c7a9e-1b2c-4d3e-8f9a-" + std::to_string(100000000000 + i)},
        {"resourceVersion", std::to_string(1000 + i)},
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
           {"uid", "5f0c7a9e-1b2c-4d3e-8f9a-rs" + std::to_string(i / 10)},
           {"controller", true},
           {"blockOwnerDeletion", true}}}},
        {"managedFields", managed_fields()}}},
      {"spec",
       {{"containers", {container(0, i), container(1, i)}},
        {"nodeName", "node-" + std::to_string(i % 200)},
        {"serviceAccountName", "engine"},
        {"restartPolicy", "Always"},
        {"volumes", {{{"name", "config"}, {"configMap", {{"name", "engine-config"}}}}}}}},
      {"status",
       {{"phase", "Running"},
        {"podIP", "10.0.0." + std::to_string(i % 250)},
        {"conditions",
         {{{"type", "Ready"}, {"status", "True"}},
          {{"type", "ContainersReady"}, {"status", "True"}}}},
        {"containerStatuses", {container_status(0, i), container_status(1, i)}}}}};
  return pod.dump();
}

std::vector<std::string> pods(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(pod_text(i));
  return out;
}

std::size_t heap_of(const std::string& s) {
  return s.capacity() > std::string().capacity() ? s.capacity() + 1 : 0;
}

// sizeof plus the heap the strings and vectors own (allocator overhead not counted).
std::size_t bytes_held(const controller::PodInfo& p) {
  std::size_t n = sizeof(p) + heap_of(p.namespace_name) + heap_of(p.name) + heap_of(p.uid) +
                  heap_of(p.phase) + heap_of(p.revision) +
                  p.containers.capacity() * sizeof(controller::PodContainer);
  if (p.controller) {
    n += heap_of(p.controller->api_version) + heap_of(p.controller->kind) +
         heap_of(p.controller->name) + heap_of(p.controller->uid);
  }
  for (const auto& c : p.containers) n += heap_of(c.name) + heap_of(c.last_termination_reason);
  return n;
}

void BM_DecodeAndProjectPod(benchmark::State& state) {
  const auto texts = pods(256);
  const auto mask = controller::pod_mask();
  std::size_t bytes = 0, i = 0;
  for (auto _ : state) {
    const auto& text = texts[i++ % texts.size()];
    auto decoded = mask.decode(text);
    auto pod = controller::project_pod(*decoded);
    benchmark::DoNotOptimize(pod);
    bytes += text.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_DecodeAndProjectPod)->MinTime(2);

// For comparison: a full DOM parse of the same text, then the projection.
void BM_FullParseAndProjectPod(benchmark::State& state) {
  const auto texts = pods(256);
  std::size_t i = 0;
  for (auto _ : state) {
    auto pod = controller::project_pod(json::parse(texts[i++ % texts.size()]));
    benchmark::DoNotOptimize(pod);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FullParseAndProjectPod)->MinTime(2);

void print_sizes() {
  const auto texts = pods(1000);
  const auto mask = controller::pod_mask();
  std::size_t text = 0, held = 0;
  for (const auto& t : texts) {
    text += t.size();
    held += bytes_held(controller::project_pod(*mask.decode(t)));
  }
  std::printf("pod JSON: %zu bytes on average\n", text / texts.size());
  std::printf("PodInfo held per cached pod (2 containers, estimate): %zu bytes\n",
              held / texts.size());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  print_sizes();
  return 0;
}
