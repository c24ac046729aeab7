#pragma once
// Where usage samples come from: metrics.k8s.io PodMetrics, one list per
// namespace (DESIGN §1). An interface so that unit tests feed samples
// without a metrics-server; MetricsServerUsageSource is the real one.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "k8s/api_client.h"
#include "k8s/call_context.h"
#include "k8s/field_mask.h"
#include "k8s/result.h"
#include "policies/usage_histogram.h"

namespace controller {

struct ContainerSample {
  std::string name;
  std::int64_t cpu_millicores = 0;  // rounded up from the quantity metrics-server reports
  std::int64_t memory_bytes = 0;
};

struct PodSample {
  std::string namespace_name, pod;
  policies::Time timestamp{};      // the end of the metrics window
  std::chrono::seconds window{0};  // the window the CPU rate covers
  std::vector<ContainerSample> containers;
};

class UsageSource {
 public:
  virtual ~UsageSource() = default;
  // Every pod's latest sample in the namespace. An error when the metrics API
  // cannot be read (absent, unavailable, malformed): never an empty success.
  virtual k8s::Result<std::vector<PodSample>> list(std::string_view namespace_name,
                                                   const k8s::CallContext& ctx) = 0;
};

// What of a PodMetrics list is decoded: each item's name, timestamp, window
// and its containers' names and cpu/memory usage.
const k8s::FieldMask& pod_metrics_list_mask();

// GET /apis/metrics.k8s.io/v1beta1/namespaces/<ns>/pods, quantities parsed
// with policies/quantity.h; a pod or container whose figures do not parse is
// left out (and counted), never read as zero.
class MetricsServerUsageSource final : public UsageSource {
 public:
  explicit MetricsServerUsageSource(k8s::ApiClient& client) : client_(client) {}
  k8s::Result<std::vector<PodSample>> list(std::string_view namespace_name,
                                           const k8s::CallContext& ctx) override;
  // Pods and containers left out so far; readable from any thread (the
  // metrics endpoint) while one thread lists.
  [[nodiscard]] std::uint64_t malformed() const { return malformed_.load(); }

 private:
  k8s::ApiClient& client_;
  std::atomic<std::uint64_t> malformed_{0};
};

}  // namespace controller
