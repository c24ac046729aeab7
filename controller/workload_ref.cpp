// WorkloadKind and WorkloadRef of cluster_objects.h: names, keys and parsing.
#include <algorithm>
#include <cctype>
#include <string>

#include "controller/cluster_objects.h"

namespace controller {

const char* to_string(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::Deployment:
      return "Deployment";
    case WorkloadKind::StatefulSet:
      return "StatefulSet";
  }
  return "Deployment";
}

std::optional<WorkloadKind> parse_workload_kind(std::string_view text) {
  if (text == "Deployment") return WorkloadKind::Deployment;
  if (text == "StatefulSet") return WorkloadKind::StatefulSet;
  return std::nullopt;
}

std::string WorkloadRef::key() const {
  return std::string(to_string(kind)) + "/" + namespace_name + "/" + name;
}

std::string WorkloadRef::rightsizing_name() const {
  std::string out = std::string(to_string(kind)) + "-" + name;
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<WorkloadRef> parse_workload_key(std::string_view key) {
  auto first = key.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = key.find('/', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  auto kind = parse_workload_kind(key.substr(0, first));
  auto ns = key.substr(first + 1, second - first - 1);
  auto name = key.substr(second + 1);
  if (!kind || ns.empty() || name.empty() || name.find('/') != std::string_view::npos) {
    return std::nullopt;
  }
  return WorkloadRef{*kind, std::string(ns), std::string(name)};
}

}  // namespace controller
