#pragma once
// The operator's own metrics: counters, gauges and histograms with labels,
// rendered in the Prometheus text exposition format 0.0.4 for /metrics.
// Families are registered once at start-up (a bad or conflicting name is a
// programming error and throws std::invalid_argument there); children are
// looked up by label values and stay valid as long as the registry. All
// members are thread-safe.
#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace controller {

using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void inc(double by = 1.0);  // by >= 0
  [[nodiscard]] double value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v); }
  void add(double by);
  [[nodiscard]] double value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>& upper_bounds);
  void observe(double v);
  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per upper bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  [[nodiscard]] Snapshot snapshot() const;

 private:
  const std::vector<double>& bounds_;
  mutable std::mutex mu_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative; last is +Inf
  double sum_ = 0;
};

// One metric name with its label names and a child per label-value tuple.
template <class Metric>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> buckets = {});
  // The child for these label values (as many as label names; created on
  // first use).
  Metric& with(const LabelValues& values);
  Metric& with() { return with(LabelValues{}); }
  // Removes the children whose label values are not in `keep` (series of
  // things that are gone); references to them that with() returned end here.
  void retain(const std::set<LabelValues>& keep);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls f(values, metric) for each child in label-value order.
  template <class F>
  void each(F&& f) const {
    std::lock_guard lock(mu_);
    for (const auto& [values, metric] : children_) f(values, *metric);
  }

 private:
  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::vector<double> buckets_;  // histograms only
  mutable std::mutex mu_;
  std::map<LabelValues, std::unique_ptr<Metric>> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  CounterFamily& counter(const std::string& name, const std::string& help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& gauge(const std::string& name, const std::string& help,
                     std::vector<std::string> label_names = {});
  // `buckets`: strictly increasing finite upper bounds (+Inf is implied).
  HistogramFamily& histogram(const std::string& name, const std::string& help,
                             std::vector<double> buckets,
                             std::vector<std::string> label_names = {});

  // Every family, in registration order, as text format 0.0.4.
  [[nodiscard]] std::string render() const;

 private:
  struct Entry;
  void check_new(const std::string& name, const std::vector<std::string>& label_names) const;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

// The Content-Type of render()'s output.
inline constexpr std::string_view kPrometheusTextContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Formatting helpers, exposed for tests.
std::string format_metric_value(double v);           // "1", "0.25", "+Inf", "NaN"
std::string escape_label_value(std::string_view v);  // \\ \" \n

}  // namespace controller
