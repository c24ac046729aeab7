#include "controller/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>

#include "k8s/bounded_yaml.h"

namespace controller {
namespace {

constexpr int kMaxDepth = 128;

bool is_null(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_octal(char c) {
  return c >= '0' && c <= '7';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string_view unsigned_part(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return s;
}

// [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
std::optional<nlohmann::json> as_integer(const std::string& s) {
  int base = 10;
  std::string_view digits = s;
  if (s.starts_with("0o") && all_of(digits.substr(2), is_octal)) {
    base = 8;
    digits.remove_prefix(2);
  } else if (s.starts_with("0x") && all_of(digits.substr(2), is_hex)) {
    base = 16;
    digits.remove_prefix(2);
  } else if (!all_of(unsigned_part(s), is_digit)) {
    return std::nullopt;
  }
  if (digits[0] == '+') digits.remove_prefix(1);
  const char* end = digits.data() + digits.size();
  std::int64_t v = 0;
  if (auto [p, ec] = std::from_chars(digits.data(), end, v, base); ec == std::errc{} && p == end)
    return nlohmann::json(v);
  std::uint64_t u = 0;
  if (auto [p, ec] = std::from_chars(digits.data(), end, u, base); ec == std::errc{} && p == end)
    return nlohmann::json(u);
  return nlohmann::json(std::strtod(s.c_str(), nullptr));  // too large: a float, as JSON would
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_float(std::string_view s) {
  s = unsigned_part(s);
  const auto e = s.find_first_of("eE");
  const std::string_view mantissa = s.substr(0, e);
  if (e != std::string_view::npos && !all_of(unsigned_part(s.substr(e + 1)), is_digit))
    return false;
  const auto dot = mantissa.find('.');
  if (dot == std::string_view::npos) return all_of(mantissa, is_digit);
  const std::string_view whole = mantissa.substr(0, dot), frac = mantissa.substr(dot + 1);
  if (whole.empty()) return all_of(frac, is_digit);
  return all_of(whole, is_digit) && (frac.empty() || all_of(frac, is_digit));
}

std::optional<nlohmann::json> as_float(const std::string& s) {
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf")
    return nlohmann::json(std::numeric_limits<double>::infinity());
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF")
    return nlohmann::json(-std::numeric_limits<double>::infinity());
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return nlohmann::json(std::nan(""));
  if (!is_float(s)) return std::nullopt;
  return nlohmann::json(std::strtod(s.c_str(), nullptr));
}

nlohmann::json scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return s;  // quoted or explicit string
  if (is_null(s)) return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (auto i = as_integer(s)) return *i;
  if (auto f = as_float(s)) return *f;
  return s;
}

policies::Result<nlohmann::json> convert(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth) return policies::make_error("YAML nested too deeply");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nlohmann::json(nullptr);
    case YAML::NodeType::Scalar:
      return scalar(node);
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) {
        auto v = convert(item, depth + 1);
        if (!v) return v;
        out.push_back(std::move(v).value());
      }
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) return policies::make_error("YAML mapping keys must be scalars");
        auto v = convert(kv.second, depth + 1);
        if (!v) return v;
        out[kv.first.Scalar()] = std::move(v).value();
      }
      return out;
    }
  }
  return nlohmann::json(nullptr);
}

}  // namespace

policies::Result<std::vector<nlohmann::json>> yaml_to_json(std::string_view text) {
  std::vector<YAML::Node> nodes;
  try {
    nodes = k8s::load_all_yaml_bounded(text);
  } catch (const k8s::YamlLimitExceeded& e) {
    return policies::make_error("YAML refused: " + e.msg);
  } catch (const YAML::Exception& e) {
    return policies::make_error("YAML syntax error at line " + std::to_string(e.mark.line + 1) +
                                ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  std::vector<nlohmann::json> out;
  out.reserve(nodes.size());
  try {
    for (const auto& node : nodes) {
      auto v = convert(node, 0);
      if (!v) return policies::make_error(v.error());
      out.push_back(std::move(v).value());
    }
  } catch (const YAML::Exception& e) {
    return policies::make_error(std::string("YAML error: ") + e.what());
  }
  return out;
}

}  // namespace controller
