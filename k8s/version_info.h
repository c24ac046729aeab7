#pragma once
// The Kubernetes API server's /version answer, as this client reads it.
#include <optional>
#include <string>
#include <string_view>

namespace k8s {

struct VersionInfo {
  int major = 0;
  int minor = 0;
  std::string git_version;
};

// Parses the JSON body of GET /version; nullopt when it is not one.
std::optional<VersionInfo> parse_version_info(std::string_view json);

}  // namespace k8s
