#pragma once
// Decaying usage histograms with exponential buckets, as in the Kubernetes VPA
// recommender: bucket i covers [s·(r^i − 1)/(r − 1), s·(r^(i+1) − 1)/(r − 1))
// with first bucket size s and growth r = 1.05. A sample's weight doubles
// every half-life (equivalently: older samples count half as much per
// half-life), so percentiles follow recent usage. Only the span of buckets
// that hold weight is stored. Not thread-safe; plain value type.
#include <chrono>
#include <cstdint>
#include <vector>

namespace policies {

using Time = std::chrono::sys_seconds;

class BucketScheme {
 public:
  BucketScheme(double first_bucket_size, double growth, double max_value);
  int bucket_for(double value) const;
  double bucket_start(int bucket) const;
  double bucket_end(int bucket) const { return bucket_start(bucket + 1); }
  int size() const { return static_cast<int>(starts_.size()) - 1; }
  double first_bucket_size() const { return first_; }
  double growth() const { return growth_; }

 private:
  double first_;
  double growth_;
  std::vector<double> starts_;  // size()+1 boundaries
};

// CPU in millicores: first bucket 1m, 5 % growth, up to 1024 cores.
const BucketScheme& cpu_buckets();
// Memory in bytes: first bucket 1 MiB, 5 % growth, up to 64 TiB.
const BucketScheme& memory_buckets();

class UsageHistogram {
 public:
  UsageHistogram(const BucketScheme& scheme, std::chrono::seconds half_life);

  void add(double value, double weight, Time time);
  // Removes weight added earlier with the same value and time (memory peaks).
  void subtract(double value, double weight, Time time);
  // Adds another histogram's samples (same scheme; decayed to our reference).
  void merge(const UsageHistogram& other);

  bool empty() const { return total_ <= 0; }
  // The end of the bucket in which the cumulative weight reaches p % of the
  // total: at most one bucket width above the exact percentile; 0 if empty.
  double percentile(double p) const;
  // Total sample weight as seen at `at` (one half-life later it is halved).
  double total_weight(Time at) const;
  std::size_t memory_bytes() const;

  // Checkpoint access (usage_checkpoint.h).
  const BucketScheme& scheme() const { return *scheme_; }
  std::chrono::seconds half_life() const { return half_life_; }
  Time reference() const { return reference_; }
  int first_bucket() const { return first_bucket_; }
  const std::vector<float>& weights() const { return weights_; }
  void restore(Time reference, int first_bucket, std::vector<float> weights);
  // Weights learnt so far stay as they stand at the reference time; from now
  // on samples decay at the new rate (as VPA's restored checkpoints do).
  void set_half_life(std::chrono::seconds half_life);

 private:
  double factor(Time time) const;
  void shift_reference(Time time);
  float& slot(int bucket);

  const BucketScheme* scheme_;
  std::chrono::seconds half_life_;
  Time reference_{};
  std::int32_t first_bucket_ = 0;
  std::vector<float> weights_;  // buckets [first_bucket_, first_bucket_ + size)
  double total_ = 0;            // relative to reference_
};

}  // namespace policies
