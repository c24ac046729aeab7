#include "support/metrics_text.h"

#include <cstdlib>
#include <string>

namespace e2e {
namespace {

// Reads `{a="x",b="y"}` from `line` at `pos` (just past the '{'); false when
// it is malformed (an unterminated value runs to the end of the line, where
// the missing '}' is noticed). Values may hold escaped quotes, backslashes
// and newlines.
bool parse_labels(std::string_view line, std::size_t& pos,
                  std::map<std::string, std::string>& labels) {
  while (pos < line.size() && line[pos] != '}') {
    const std::size_t eq = line.find('=', pos);
    if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"') return false;
    std::string key(line.substr(pos, eq - pos));
    std::string value;
    std::size_t i = eq + 2;
    for (; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        ++i;
        value += line[i] == 'n' ? '\n' : line[i];
      } else {
        value += line[i];
      }
    }
    labels[std::move(key)] = std::move(value);
    pos = i + 1;
    if (pos < line.size() && line[pos] == ',') ++pos;
  }
  if (pos >= line.size()) return false;
  ++pos;  // '}'
  return true;
}

}  // namespace

std::vector<MetricSample> parse_metrics(std::string_view text) {
  std::vector<MetricSample> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    MetricSample s;
    std::size_t pos = line.find_first_of("{ ");
    if (pos == std::string_view::npos) continue;
    s.name = std::string(line.substr(0, pos));
    if (line[pos] == '{' && !parse_labels(line, ++pos, s.labels)) continue;
    const std::string value(line.substr(pos));
    char* parsed_end = nullptr;
    s.value = std::strtod(value.c_str(), &parsed_end);
    if (parsed_end == value.c_str()) continue;
    out.push_back(std::move(s));
  }
  return out;
}

double metric_sum(const std::vector<MetricSample>& samples, std::string_view name,
                  const std::map<std::string, std::string>& match) {
  double sum = 0;
  for (const auto& s : samples) {
    if (s.name != name) continue;
    bool all = true;
    for (const auto& [k, v] : match) {
      auto it = s.labels.find(k);
      all = all && it != s.labels.end() && it->second == v;
    }
    if (all) sum += s.value;
  }
  return sum;
}

bool has_metric(const std::vector<MetricSample>& samples, std::string_view name) {
  for (const auto& s : samples)
    if (s.name == name) return true;
  return false;
}

double write_requests(const std::vector<MetricSample>& samples) {
  double sum = 0;
  for (const char* verb : {"POST", "PUT", "PATCH", "DELETE"})
    sum += metric_sum(samples, "rightsizer_api_requests_total", {{"verb", verb}});
  return sum;
}

}  // namespace e2e
