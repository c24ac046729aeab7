#include "policies/container_usage.h"

#include <algorithm>

namespace policies {

ContainerUsage::ContainerUsage(std::chrono::seconds half_life)
    : cpu_(cpu_buckets(), half_life), memory_(memory_buckets(), half_life) {}

void ContainerUsage::add_sample(Time time, std::int64_t cpu_millicores, std::int64_t memory_bytes) {
  cpu_millicores = std::max<std::int64_t>(cpu_millicores, 0);
  memory_bytes = std::max<std::int64_t>(memory_bytes, 0);
  if (samples_ == 0) first_sample_ = last_sample_ = time;
  first_sample_ = std::min(first_sample_, time);
  last_sample_ = std::max(last_sample_, time);
  ++samples_;
  cpu_peak_ = std::max(cpu_peak_, cpu_millicores);
  memory_peak_ = std::max(memory_peak_, memory_bytes);
  cpu_.add(static_cast<double>(cpu_millicores), 1.0, time);

  const auto since_epoch = time.time_since_epoch();
  const Time start{since_epoch - since_epoch % kMemoryAggregationInterval};
  if (samples_ == 1 || start != interval_start_) {
    if (start < interval_start_ && samples_ > 1) return;  // late sample of a closed interval
    interval_start_ = start;
    interval_peak_ = memory_bytes;
    memory_.add(static_cast<double>(memory_bytes), 1.0, start);
  } else if (memory_bytes > interval_peak_) {
    memory_.subtract(static_cast<double>(interval_peak_), 1.0, start);
    interval_peak_ = memory_bytes;
    memory_.add(static_cast<double>(memory_bytes), 1.0, start);
  }
}

void ContainerUsage::merge(const ContainerUsage& other) {
  if (other.samples_ == 0) return;
  cpu_.merge(other.cpu_);
  memory_.merge(other.memory_);
  if (samples_ == 0) {
    first_sample_ = other.first_sample_;
    last_sample_ = other.last_sample_;
    interval_start_ = other.interval_start_;
    interval_peak_ = other.interval_peak_;
  }
  first_sample_ = std::min(first_sample_, other.first_sample_);
  last_sample_ = std::max(last_sample_, other.last_sample_);
  samples_ += other.samples_;
  cpu_peak_ = std::max(cpu_peak_, other.cpu_peak_);
  memory_peak_ = std::max(memory_peak_, other.memory_peak_);
}

std::int64_t ContainerUsage::memory_interval_peak_bytes(Time t) const {
  if (samples_ == 0 || t < interval_start_ || t >= interval_start_ + kMemoryAggregationInterval)
    return 0;
  return interval_peak_;
}

std::size_t ContainerUsage::memory_bytes() const {
  return sizeof(*this) - 2 * sizeof(UsageHistogram) + cpu_.memory_bytes() + memory_.memory_bytes();
}

}  // namespace policies
