#include "policies/slo_check.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace policies {
namespace {

constexpr std::array<std::string_view, 3> kVariables{"namespace", "workload", "pods"};
constexpr std::string_view kAllowed =
    "may only use the template variables {{namespace}}, {{workload}} and {{pods}}";

}  // namespace

Problems check_query_template(std::string_view query, const std::string& path) {
  Problems out;
  std::size_t pos = 0;
  while ((pos = query.find("{{", pos)) != std::string_view::npos) {
    const auto close = query.find("}}", pos + 2);
    if (close == std::string_view::npos) {
      out.push_back({path, "unclosed \"{{\"; query " + std::string(kAllowed)});
      break;
    }
    const auto name = query.substr(pos + 2, close - pos - 2);
    bool known = false;
    for (auto v : kVariables) known = known || v == name;
    if (!known)
      out.push_back({path, "unknown template variable {{" + std::string(name) + "}}; query " +
                               std::string(kAllowed)});
    pos = close + 2;
  }
  return out;
}

std::string escape_for_promql_regex(std::string_view value) {
  constexpr std::string_view kMeta = "\\.+*?()|[]{}^$";
  std::string out;
  out.reserve(value.size() + 8);
  for (char c : value) {
    if (kMeta.find(c) != std::string_view::npos) {
      out += "\\\\";  // regex escape, itself escaped for the PromQL string
      if (c == '\\')
        out += "\\\\";
      else
        out += c;
    } else if (c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pods_regex(std::span<const std::string> pods) {
  if (pods.empty()) return "$^";
  std::string out;
  for (const auto& p : pods) {
    if (!out.empty()) out += '|';
    out += escape_for_promql_regex(p);
  }
  return out;
}

std::string render_query(std::string_view query, const TemplateValues& values) {
  std::string out;
  out.reserve(query.size() + 64);
  std::size_t pos = 0;
  while (pos < query.size()) {
    const auto open = query.find("{{", pos);
    const auto close = open == std::string_view::npos ? open : query.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out.append(query.substr(pos));
      break;
    }
    out.append(query.substr(pos, open - pos));
    const auto name = query.substr(open + 2, close - open - 2);
    if (name == "namespace")
      out += escape_for_promql_regex(values.ns);
    else if (name == "workload")
      out += escape_for_promql_regex(values.workload);
    else if (name == "pods")
      out += pods_regex(values.pods);
    else
      out.append(query.substr(open, close + 2 - open));
    pos = close + 2;
  }
  return out;
}

double baseline_limit_high(const SloBaseline& baseline, double b) {
  if (!std::isfinite(b)) return b;
  return b + std::max(std::abs(b) * (baseline.max_ratio - 1), baseline.max_delta);
}

double baseline_limit_low(const SloBaseline& baseline, double b) {
  if (!std::isfinite(b)) return b;
  return b - std::max(std::abs(b) * (1 - 1 / baseline.max_ratio), baseline.max_delta);
}

std::optional<double> parse_decimal_text(std::string_view text) {
  const auto dot = text.find('.');
  const auto whole = text.substr(0, dot);
  const auto frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  const auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole.empty() || whole.size() > 6 || !digits(whole)) return std::nullopt;
  if (dot != std::string_view::npos && (frac.empty() || frac.size() > 6 || !digits(frac)))
    return std::nullopt;
  double out = 0;
  std::from_chars(text.data(), text.data() + text.size(), out);
  return out;
}

CheckOutcome evaluate(const SloCheck& check, std::optional<double> value) {
  if (!value) {
    switch (check.on_no_data) {
      case OnNoData::Pass:
        return CheckOutcome::Pass;
      case OnNoData::Skip:
        return CheckOutcome::Skip;
      case OnNoData::Fail:
        return CheckOutcome::Fail;
    }
    return CheckOutcome::Fail;
  }
  if (std::isnan(*value)) return CheckOutcome::Fail;
  if (check.min && *value < *check.min) return CheckOutcome::Fail;
  if (check.max && *value > *check.max) return CheckOutcome::Fail;
  return CheckOutcome::Pass;
}

}  // namespace policies
