#include "policies/usage_histogram.h"

#include <algorithm>
#include <cmath>

#include "policies/policy.h"

namespace policies {
namespace {

// Weights grow as 2^(age / half-life) relative to the reference time; past
// this exponent the reference moves forward so floats never overflow.
constexpr double kMaxDecayExponent = 40;

}  // namespace

BucketScheme::BucketScheme(double first_bucket_size, double growth, double max_value)
    : first_(first_bucket_size), growth_(growth) {
  const int n =
      static_cast<int>(std::ceil(std::log(max_value * (growth - 1) / first_bucket_size + 1) /
                                 std::log(growth))) +
      1;
  starts_.reserve(static_cast<std::size_t>(n) + 1);
  for (int i = 0; i <= n; ++i)
    starts_.push_back(first_bucket_size * (std::pow(growth, i) - 1) / (growth - 1));
}

int BucketScheme::bucket_for(double value) const {
  if (!(value >= first_)) return 0;  // also NaN
  int b = static_cast<int>(
      std::floor(std::log(value * (growth_ - 1) / first_ + 1) / std::log(growth_)));
  b = std::clamp(b, 0, size() - 1);
  // Correct floating-point error at bucket boundaries.
  if (b + 1 < size() && value >= starts_[static_cast<std::size_t>(b) + 1]) ++b;
  if (b > 0 && value < starts_[static_cast<std::size_t>(b)]) --b;
  return b;
}

double BucketScheme::bucket_start(int bucket) const {
  return starts_[static_cast<std::size_t>(std::clamp(bucket, 0, size()))];
}

const BucketScheme& cpu_buckets() {
  static const BucketScheme scheme(1.0, 1.05, static_cast<double>(kMaxCpuMillicores));
  return scheme;
}

const BucketScheme& memory_buckets() {
  static const BucketScheme scheme(static_cast<double>(kMiB), 1.05,
                                   static_cast<double>(kMaxMemoryBytes));
  return scheme;
}

UsageHistogram::UsageHistogram(const BucketScheme& scheme, std::chrono::seconds half_life)
    : scheme_(&scheme), half_life_(half_life.count() > 0 ? half_life : std::chrono::seconds(1)) {}

double UsageHistogram::factor(Time time) const {
  return std::exp2(static_cast<double>((time - reference_).count()) /
                   static_cast<double>(half_life_.count()));
}

void UsageHistogram::shift_reference(Time time) {
  if (weights_.empty() && total_ <= 0) {
    reference_ = time;
    return;
  }
  const double f = factor(time);
  if (std::log2(f) <= kMaxDecayExponent) return;
  const double scale = 1 / f;
  for (auto& w : weights_) w = static_cast<float>(w * scale);
  total_ *= scale;
  reference_ = time;
}

float& UsageHistogram::slot(int bucket) {
  if (weights_.empty()) {
    first_bucket_ = bucket;
    weights_.push_back(0);
  } else if (bucket < first_bucket_) {
    weights_.insert(weights_.begin(), static_cast<std::size_t>(first_bucket_ - bucket), 0.0F);
    first_bucket_ = bucket;
  } else if (bucket >= first_bucket_ + static_cast<int>(weights_.size())) {
    weights_.resize(static_cast<std::size_t>(bucket - first_bucket_) + 1, 0.0F);
  }
  return weights_[static_cast<std::size_t>(bucket - first_bucket_)];
}

void UsageHistogram::add(double value, double weight, Time time) {
  if (!(weight > 0) || std::isnan(value)) return;
  shift_reference(time);
  const double w = weight * factor(time);
  slot(scheme_->bucket_for(value)) += static_cast<float>(w);
  total_ += w;
}

void UsageHistogram::subtract(double value, double weight, Time time) {
  if (!(weight > 0) || weights_.empty()) return;
  const int b = scheme_->bucket_for(value);
  if (b < first_bucket_ || b >= first_bucket_ + static_cast<int>(weights_.size())) return;
  float& w = weights_[static_cast<std::size_t>(b - first_bucket_)];
  w = std::max(0.0F, w - static_cast<float>(weight * factor(time)));
  // Rounding noise must not leave a phantom sample behind.
  if (w < 1e-6F * static_cast<float>(total_)) w = 0;
  total_ = 0;
  for (float x : weights_) total_ += x;
  while (!weights_.empty() && weights_.back() == 0) weights_.pop_back();
  while (!weights_.empty() && weights_.front() == 0) {
    weights_.erase(weights_.begin());
    ++first_bucket_;
  }
}

void UsageHistogram::merge(const UsageHistogram& other) {
  if (other.empty()) return;
  if (empty()) reference_ = other.reference_;
  shift_reference(std::max(reference_, other.reference_));
  const double scale = std::exp2(static_cast<double>((other.reference_ - reference_).count()) /
                                 static_cast<double>(half_life_.count()));
  for (std::size_t i = 0; i < other.weights_.size(); ++i) {
    if (other.weights_[i] <= 0) continue;
    const double w = other.weights_[i] * scale;
    slot(other.first_bucket_ + static_cast<int>(i)) += static_cast<float>(w);
    total_ += w;
  }
}

double UsageHistogram::percentile(double p) const {
  if (empty()) return 0;
  const double threshold = std::clamp(p, 0.0, 100.0) / 100 * total_;
  double sum = 0;
  int last = first_bucket_;
  for (std::size_t i = 0; i < weights_.size(); ++i) {
    if (weights_[i] <= 0) continue;
    sum += weights_[i];
    last = first_bucket_ + static_cast<int>(i);
    if (sum >= threshold) return scheme_->bucket_end(last);
  }
  return scheme_->bucket_end(last);
}

double UsageHistogram::total_weight(Time at) const {
  return total_ / factor(at);
}

std::size_t UsageHistogram::memory_bytes() const {
  return sizeof(*this) + weights_.capacity() * sizeof(float);
}

void UsageHistogram::restore(Time reference, int first_bucket, std::vector<float> weights) {
  reference_ = reference;
  first_bucket_ = std::clamp(first_bucket, 0, scheme_->size() - 1);
  weights_ = std::move(weights);
  if (first_bucket_ + static_cast<int>(weights_.size()) > scheme_->size())
    weights_.resize(static_cast<std::size_t>(scheme_->size() - first_bucket_));
  total_ = 0;
  for (auto& w : weights_) {
    if (!(w > 0) || std::isinf(w)) w = 0;
    total_ += w;
  }
}

void UsageHistogram::set_half_life(std::chrono::seconds half_life) {
  if (half_life.count() > 0) half_life_ = half_life;
}

}  // namespace policies
