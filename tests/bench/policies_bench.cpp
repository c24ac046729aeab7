// DESIGN §12: one recommendation pass over 100,000 container histograms in
// ≤ 100 ms. Measures, for 100,000 containers that have seen a day of usage:
//   - adding one metrics sample to every container (CPU + memory histograms),
//   - computing every container's recommendation and next step,
// and reports the memory per container's histograms and its checkpoint size.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <vector>

#include "policies/container_usage.h"
#include "policies/recommender.h"
#include "policies/step_planner.h"
#include "policies/usage_checkpoint.h"

namespace {

using namespace std::chrono_literals;

constexpr std::size_t kContainers = 100'000;
constexpr int kWarmupSamples = 288;  // one day at one sample per 5 minutes
const policies::Time kT0{std::chrono::seconds(1'709'251'200)};  // 2024-03-01T00:00:00Z

// Deterministic pseudo-random numbers (the figures must be reproducible).
struct Lcg {
  std::uint64_t state;
  std::uint32_t next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  }
  double unit() { return next() / 4294967296.0; }
};

struct Fleet {
  std::vector<policies::ContainerUsage> usage;
  std::vector<policies::ContainerResources> current;
  std::vector<std::int64_t> cpu_base;
  std::vector<std::int64_t> mem_base;
  policies::Time now = kT0;
  Lcg rng{42};

  void sample_all() {
    for (std::size_t i = 0; i < usage.size(); ++i) {
      const double noise = 0.7 + 0.6 * rng.unit();
      usage[i].add_sample(now, static_cast<std::int64_t>(cpu_base[i] * noise),
                          static_cast<std::int64_t>(mem_base[i] * (0.9 + 0.1 * noise)));
    }
    now += 5min;
  }
};

Fleet make_fleet() {
  Fleet f;
  f.usage.reserve(kContainers);
  for (std::size_t i = 0; i < kContainers; ++i) {
    f.usage.emplace_back(24h);
    f.cpu_base.push_back(10 + f.rng.next() % 4000);
    f.mem_base.push_back((64LL << 20) + (f.rng.next() % 16384) * (1LL << 20));
    f.current.push_back({{16000, 16LL << 30}, {{32000}, {32LL << 30}}});
  }
  for (int s = 0; s < kWarmupSamples; ++s) f.sample_all();
  return f;
}

Fleet& fleet() {
  static Fleet f = make_fleet();
  return f;
}

void BM_AddOneSampleToEachContainer(benchmark::State& state) {
  Fleet& f = fleet();
  for (auto _ : state) f.sample_all();
  state.counters["containers"] = static_cast<double>(kContainers);
  state.counters["ns_per_container"] = benchmark::Counter(
      static_cast<double>(kContainers),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_AddOneSampleToEachContainer)->Unit(benchmark::kMillisecond)->MinTime(2);

void BM_RecommendEveryContainer(benchmark::State& state) {
  Fleet& f = fleet();
  const policies::RightsizePolicySpec policy;
  std::int64_t steps = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kContainers; ++i) {
      const policies::RecommendationInput in{&f.usage[i], f.current[i], {}, {}, f.now};
      const auto r = policies::recommend(policy, in);
      const auto step = policies::plan_step(policy, f.current[i], r);
      steps += step.changes() ? 1 : 0;
    }
    benchmark::DoNotOptimize(steps);
  }
  state.counters["containers"] = static_cast<double>(kContainers);
}
BENCHMARK(BM_RecommendEveryContainer)->Unit(benchmark::kMillisecond)->MinTime(2);

void print_sizes() {
  Fleet& f = fleet();
  std::size_t memory = 0, checkpoint = 0, text = 0;
  for (const auto& u : f.usage) {
    memory += u.memory_bytes();
    checkpoint += policies::encode_checkpoint(u).size();
    text += policies::encode_checkpoint_text(u).size();
  }
  const auto n = static_cast<double>(f.usage.size());
  std::printf("containers: %zu, samples per container: %lld\n", f.usage.size(),
              static_cast<long long>(f.usage[0].samples()));
  std::printf("memory per container (CPU + memory histograms and bookkeeping): %.0f bytes\n",
              static_cast<double>(memory) / n);
  std::printf("total histogram memory for %zu containers: %.1f MiB\n", f.usage.size(),
              static_cast<double>(memory) / (1 << 20));
  std::printf("checkpoint per container: %.0f bytes binary, %.0f bytes base64\n",
              static_cast<double>(checkpoint) / n, static_cast<double>(text) / n);
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
