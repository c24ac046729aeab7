#include "k8s/version_info.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace k8s {
namespace {

// The apiserver reports minor versions such as "36" or "36+".
std::optional<int> leading_int(const std::string& s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end == s.data()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<VersionInfo> parse_version_info(std::string_view json) {
  auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return std::nullopt;
  auto str = [&](const char* key) -> std::string {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  auto major = leading_int(str("major"));
  auto minor = leading_int(str("minor"));
  if (!major || !minor) return std::nullopt;
  return VersionInfo{*major, *minor, str("gitVersion")};
}

}  // namespace k8s
