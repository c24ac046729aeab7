#include "controller/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <regex>

namespace controller {
namespace {

constexpr int kMaxDepth = 128;

bool is_null(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<nlohmann::json> as_integer(const std::string& s) {
  static const std::regex kDecimal("[-+]?[0-9]+");
  static const std::regex kOctal("0o[0-7]+");
  static const std::regex kHex("0x[0-9a-fA-F]+");
  int base = 10;
  std::size_t skip = 0;
  if (std::regex_match(s, kOctal)) {
    base = 8;
    skip = 2;
  } else if (std::regex_match(s, kHex)) {
    base = 16;
    skip = 2;
  } else if (!std::regex_match(s, kDecimal)) {
    return std::nullopt;
  }
  const char* begin = s.data() + skip + (s[0] == '+' ? 1 : 0);
  const char* end = s.data() + s.size();
  std::int64_t v = 0;
  if (auto [p, ec] = std::from_chars(begin, end, v, base); ec == std::errc{} && p == end)
    return nlohmann::json(v);
  std::uint64_t u = 0;
  if (auto [p, ec] = std::from_chars(begin, end, u, base); ec == std::errc{} && p == end)
    return nlohmann::json(u);
  return nlohmann::json(std::strtod(s.c_str(), nullptr));  // too large: a float, as JSON would
}

std::optional<nlohmann::json> as_float(const std::string& s) {
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf")
    return nlohmann::json(std::numeric_limits<double>::infinity());
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF")
    return nlohmann::json(-std::numeric_limits<double>::infinity());
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return nlohmann::json(std::nan(""));
  if (!std::regex_match(s, kFloat)) return std::nullopt;
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
    nodes = YAML::LoadAll(std::string(text));
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
