#pragma once
// The Prometheus text exposition format as the operator's /metrics serves it,
// read just enough for tests: one sample per line, `name{labels} value`.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace e2e {

struct MetricSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Samples of `text`; comment lines and lines that do not parse are skipped.
std::vector<MetricSample> parse_metrics(std::string_view text);

// The sum of the samples named `name` whose labels include every pair of
// `match` (an empty `match` sums them all). 0 when none.
double metric_sum(const std::vector<MetricSample>& samples, std::string_view name,
                  const std::map<std::string, std::string>& match = {});

// Whether a sample named `name` exists at all (a registered metric).
bool has_metric(const std::vector<MetricSample>& samples, std::string_view name);

// Requests that change objects: POST, PUT, PATCH and DELETE of
// rightsizer_api_requests_total, whatever their code.
double write_requests(const std::vector<MetricSample>& samples);

}  // namespace e2e
