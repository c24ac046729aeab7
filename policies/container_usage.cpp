#include "policies/container_usage.h"

#include <algorithm>

namespace policies {
namespace {

// The start of the memory aggregation interval holding `t`.
Time interval_of(Time t) {
  const auto since_epoch = t.time_since_epoch();
  return Time{since_epoch - since_epoch % kMemoryAggregationInterval};
}

}  // namespace

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

  const Time start = interval_of(time);
  if (!interval_open_ || start != interval_start_) {
    if (interval_open_ && start < interval_start_) return;  // late sample of a closed interval
    open_interval(start, memory_bytes, 0);
  } else {
    raise_interval(memory_bytes, 0);
  }
}

bool ContainerUsage::record_oom(Time at, std::int64_t needed_bytes) {
  if (needed_bytes <= 0) return false;
  const Time start = interval_of(at);
  if (interval_open_ && start < interval_start_) return false;  // a kill in a closed interval
  if (!interval_open_ || start > interval_start_) {
    open_interval(start, 0, needed_bytes);
    return true;
  }
  if (needed_bytes <= interval_oom_peak_) return false;  // this kill, or a bigger one, is in
  raise_interval(0, needed_bytes);
  return true;
}

void ContainerUsage::open_interval(Time start, std::int64_t usage_peak, std::int64_t oom_peak) {
  interval_open_ = true;
  interval_start_ = start;
  interval_peak_ = usage_peak;
  interval_oom_peak_ = oom_peak;
  memory_.add(static_cast<double>(std::max(usage_peak, oom_peak)), 1.0, start);
}

void ContainerUsage::raise_interval(std::int64_t usage_peak, std::int64_t oom_peak) {
  const std::int64_t before = std::max(interval_peak_, interval_oom_peak_);
  interval_peak_ = std::max(interval_peak_, usage_peak);
  interval_oom_peak_ = std::max(interval_oom_peak_, oom_peak);
  const std::int64_t after = std::max(interval_peak_, interval_oom_peak_);
  if (after == before) return;
  memory_.subtract(static_cast<double>(before), 1.0, interval_start_);
  memory_.add(static_cast<double>(after), 1.0, interval_start_);
}

void ContainerUsage::merge(const ContainerUsage& other) {
  if (other.samples_ == 0 && !other.interval_open_) return;
  cpu_.merge(other.cpu_);
  memory_.merge(other.memory_);
  if (interval_open_ && other.interval_open_ && interval_start_ == other.interval_start_) {
    // Both hold an entry for the same interval (a checkpoint restored under
    // the samples taken since start): one entry, of both peaks. Theirs came
    // in with the merged histogram; it goes, and raises mine instead.
    const auto theirs = std::max(other.interval_peak_, other.interval_oom_peak_);
    memory_.subtract(static_cast<double>(theirs), 1.0, interval_start_);
    raise_interval(other.interval_peak_, other.interval_oom_peak_);
  } else if (other.interval_open_ && (!interval_open_ || other.interval_start_ > interval_start_)) {
    interval_open_ = true;
    interval_start_ = other.interval_start_;
    interval_peak_ = other.interval_peak_;
    interval_oom_peak_ = other.interval_oom_peak_;
  }
  if (other.samples_ > 0) {
    if (samples_ == 0) {
      first_sample_ = other.first_sample_;
      last_sample_ = other.last_sample_;
    }
    first_sample_ = std::min(first_sample_, other.first_sample_);
    last_sample_ = std::max(last_sample_, other.last_sample_);
  }
  samples_ += other.samples_;
  cpu_peak_ = std::max(cpu_peak_, other.cpu_peak_);
  memory_peak_ = std::max(memory_peak_, other.memory_peak_);
}

std::int64_t ContainerUsage::memory_interval_peak_bytes(Time t) const {
  if (!interval_open_ || t < interval_start_ || t >= interval_start_ + kMemoryAggregationInterval)
    return 0;
  return interval_peak_;
}

std::size_t ContainerUsage::memory_bytes() const {
  return sizeof(*this) - 2 * sizeof(UsageHistogram) + cpu_.memory_bytes() + memory_.memory_bytes();
}

}  // namespace policies
