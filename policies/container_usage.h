#pragma once
// Everything learnt about one container's usage: a CPU histogram of samples,
// a memory histogram of per-interval peaks (DESIGN §4), and the bookkeeping
// the recommender needs (observation span, sample count, peaks).
#include <chrono>
#include <cstdint>

#include "policies/usage_histogram.h"

namespace policies {

// Memory peaks are taken per fixed interval, aligned to multiples of 24 h
// since the Unix epoch (UTC midnight); the interval in progress contributes
// its peak so far, replaced when a higher sample arrives.
inline constexpr std::chrono::seconds kMemoryAggregationInterval = std::chrono::hours(24);

class ContainerUsage {
 public:
  explicit ContainerUsage(std::chrono::seconds half_life = std::chrono::hours(24));

  // One metrics sample; each CPU sample weighs 1.
  void add_sample(Time time, std::int64_t cpu_millicores, std::int64_t memory_bytes);
  void merge(const ContainerUsage& other);
  // The policy's half-life for both histograms (see UsageHistogram::set_half_life).
  void set_half_life(std::chrono::seconds half_life) {
    cpu_.set_half_life(half_life);
    memory_.set_half_life(half_life);
  }

  const UsageHistogram& cpu() const { return cpu_; }
  const UsageHistogram& memory() const { return memory_; }
  std::int64_t samples() const { return samples_; }
  Time first_sample() const { return first_sample_; }
  Time last_sample() const { return last_sample_; }
  // Time covered by samples (last - first); zero with fewer than two.
  std::chrono::seconds observed() const { return last_sample_ - first_sample_; }
  std::int64_t cpu_peak_millicores() const { return cpu_peak_; }
  std::int64_t memory_peak_bytes() const { return memory_peak_; }
  // The memory peak of the aggregation interval holding `t` if that is the
  // interval in progress, else 0 (as VPA's RecordOOM: a spike in an earlier
  // interval says nothing about the memory at a kill now).
  std::int64_t memory_interval_peak_bytes(Time t) const;
  // An OOMKill at `at` that needed at least `needed_bytes` (VPA's RecordOOM):
  // the memory histogram's entry for the aggregation interval holding `at`
  // is at least that from now on, so the kill outlives the pod that
  // reported it, decays with the history and is checkpointed. Kept apart
  // from the usage peak (memory_interval_peak_bytes): the next kill's bump
  // is computed from usage, never from an earlier bump. Repeating it is a
  // no-op. Before the first sample it opens the interval (a container killed
  // at start-up). Ignored: a kill in an interval that is closed. Returns
  // whether the interval's OOM sample rose (what a checkpoint holds changed).
  bool record_oom(Time at, std::int64_t needed_bytes);
  // The OOM sample of the interval in progress (0: none).
  std::int64_t memory_interval_oom_bytes() const { return interval_oom_peak_; }
  std::size_t memory_bytes() const;

 private:
  friend struct UsageCheckpointAccess;

  UsageHistogram cpu_;
  UsageHistogram memory_;
  std::int64_t samples_ = 0;
  Time first_sample_{};
  Time last_sample_{};
  std::int64_t cpu_peak_ = 0;
  std::int64_t memory_peak_ = 0;
  // The interval in progress: its start, its usage peak and its OOM sample;
  // memory_ holds the larger of the two for it.
  bool interval_open_ = false;  // a sample or a kill opened an interval
  Time interval_start_{};
  std::int64_t interval_peak_ = 0;
  std::int64_t interval_oom_peak_ = 0;

  void open_interval(Time start, std::int64_t usage_peak, std::int64_t oom_peak);
  void raise_interval(std::int64_t usage_peak, std::int64_t oom_peak);
};

}  // namespace policies
