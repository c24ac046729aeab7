#include "controller/metrics_registry.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <variant>

namespace controller {
namespace {

bool valid_name(std::string_view s, bool allow_colon) {
  const auto head = [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (allow_colon && c == ':');
  };
  if (s.empty() || !head(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return head(c) || (c >= '0' && c <= '9'); });
}

std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// `name{a="x",b="y"}` with an optional extra label (a histogram's le).
std::string series(const std::string& name, const std::vector<std::string>& label_names,
                   const LabelValues& values, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  std::string out = name;
  if (label_names.empty() && extra_name.empty()) return out;
  out += '{';
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    out += (i ? "," : "") + label_names[i] + "=\"" + escape_label_value(values[i]) + '"';
  }
  if (!extra_name.empty()) {
    out += (label_names.empty() ? "" : ",") + std::string(extra_name) + "=\"" +
           std::string(extra_value) + '"';
  }
  return out + '}';
}

void header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  out += "# HELP " + name + ' ' + escape_help(help) + '\n';
  out += "# TYPE " + name + ' ' + type + '\n';
}

void render_family(std::string& out, const CounterFamily& f) {
  header(out, f.name(), f.help(), "counter");
  f.each([&](const LabelValues& v, const Counter& c) {
    out += series(f.name(), f.label_names(), v) + ' ' + format_metric_value(c.value()) + '\n';
  });
}

void render_family(std::string& out, const GaugeFamily& f) {
  header(out, f.name(), f.help(), "gauge");
  f.each([&](const LabelValues& v, const Gauge& g) {
    out += series(f.name(), f.label_names(), v) + ' ' + format_metric_value(g.value()) + '\n';
  });
}

void render_family(std::string& out, const HistogramFamily& f, const std::vector<double>& bounds) {
  header(out, f.name(), f.help(), "histogram");
  f.each([&](const LabelValues& v, const Histogram& h) {
    const Histogram::Snapshot s = h.snapshot();
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
      const std::string le = i < bounds.size() ? format_metric_value(bounds[i]) : "+Inf";
      out += series(f.name() + "_bucket", f.label_names(), v, "le", le) + ' ' +
             std::to_string(s.cumulative[i]) + '\n';
    }
    out += series(f.name() + "_sum", f.label_names(), v) + ' ' + format_metric_value(s.sum) + '\n';
    out += series(f.name() + "_count", f.label_names(), v) + ' ' + std::to_string(s.count) + '\n';
  });
}

}  // namespace

std::string format_metric_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::array<char, 32> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), ec == std::errc() ? end : buf.data());
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void Counter::inc(double by) {
  assert(by >= 0 && "a counter only goes up");
  if (by > 0) value_.fetch_add(by);
}

void Gauge::add(double by) {
  value_.fetch_add(by);
}

Histogram::Histogram(const std::vector<double>& upper_bounds)
    : bounds_(upper_bounds), counts_(upper_bounds.size() + 1, 0) {}

void Histogram::observe(double v) {
  // First bucket whose upper bound is >= v (buckets are "less or equal").
  const auto idx = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) -
                                            bounds_.begin());
  std::lock_guard lock(mu_);
  ++counts_[idx];
  sum_ += v;
}

Histogram::Snapshot Histogram::snapshot() const {
  std::lock_guard lock(mu_);
  Snapshot s;
  std::uint64_t running = 0;
  for (std::uint64_t c : counts_) {
    running += c;
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_;
  return s;
}

template <class Metric>
Family<Metric>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                       std::vector<double> buckets)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      buckets_(std::move(buckets)) {}

template <class Metric>
void Family<Metric>::retain(const std::set<LabelValues>& keep) {
  std::lock_guard lock(mu_);
  std::erase_if(children_, [&](const auto& child) { return !keep.contains(child.first); });
}

template <class Metric>
Metric& Family<Metric>::with(const LabelValues& values) {
  if (values.size() != label_names_.size())
    throw std::invalid_argument(name_ + ": expected " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(values.size()));
  std::lock_guard lock(mu_);
  auto it = children_.find(values);
  if (it == children_.end()) {
    std::unique_ptr<Metric> m;
    if constexpr (std::is_same_v<Metric, Histogram>) {
      m = std::make_unique<Histogram>(buckets_);
    } else {
      m = std::make_unique<Metric>();
    }
    it = children_.emplace(values, std::move(m)).first;
  }
  return *it->second;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

struct MetricsRegistry::Entry {
  std::variant<std::unique_ptr<CounterFamily>, std::unique_ptr<GaugeFamily>,
               std::unique_ptr<HistogramFamily>>
      family;
  std::vector<double> buckets;
  const std::string& name() const {
    return std::visit([](const auto& f) -> const std::string& { return f->name(); }, family);
  }
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

void MetricsRegistry::check_new(const std::string& name,
                                const std::vector<std::string>& label_names) const {
  if (!valid_name(name, /*allow_colon=*/true))
    throw std::invalid_argument("invalid metric name \"" + name + "\"");
  for (const auto& l : label_names)
    if (!valid_name(l, false) || l.starts_with("__"))
      throw std::invalid_argument(name + ": invalid label name \"" + l + "\"");
  for (const auto& e : entries_)
    if (e->name() == name) throw std::invalid_argument("metric \"" + name + "\" registered twice");
}

CounterFamily& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                        std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  check_new(name, label_names);
  auto f = std::make_unique<CounterFamily>(name, help, std::move(label_names));
  CounterFamily& ref = *f;
  entries_.push_back(std::make_unique<Entry>(Entry{std::move(f), {}}));
  return ref;
}

GaugeFamily& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                                    std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  check_new(name, label_names);
  auto f = std::make_unique<GaugeFamily>(name, help, std::move(label_names));
  GaugeFamily& ref = *f;
  entries_.push_back(std::make_unique<Entry>(Entry{std::move(f), {}}));
  return ref;
}

HistogramFamily& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                            std::vector<double> buckets,
                                            std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  check_new(name, label_names);
  if (std::find(label_names.begin(), label_names.end(), "le") != label_names.end())
    throw std::invalid_argument(name + ": \"le\" is reserved for histogram buckets");
  if (buckets.empty() ||
      !std::all_of(buckets.begin(), buckets.end(), [](double b) { return std::isfinite(b); }) ||
      std::adjacent_find(buckets.begin(), buckets.end(), std::greater_equal<>()) != buckets.end())
    throw std::invalid_argument(name + ": buckets must be finite and strictly increasing");
  auto f = std::make_unique<HistogramFamily>(name, help, std::move(label_names), buckets);
  HistogramFamily& ref = *f;
  entries_.push_back(std::make_unique<Entry>(Entry{std::move(f), std::move(buckets)}));
  return ref;
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& e : entries_) {
    if (const auto* c = std::get_if<std::unique_ptr<CounterFamily>>(&e->family)) {
      render_family(out, **c);
    } else if (const auto* g = std::get_if<std::unique_ptr<GaugeFamily>>(&e->family)) {
      render_family(out, **g);
    } else {
      render_family(out, *std::get<std::unique_ptr<HistogramFamily>>(e->family), e->buckets);
    }
  }
  return out;
}

}  // namespace controller
