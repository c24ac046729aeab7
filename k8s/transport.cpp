#include "k8s/transport.h"

#include <algorithm>
#include <cctype>

namespace k8s {

const std::string* HttpResponse::header(std::string_view name) const {
  auto same = [&](const std::string& k) {
    return k.size() == name.size() &&
           std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) ==
                    std::tolower(static_cast<unsigned char>(b));
           });
  };
  for (const auto& [k, v] : headers) {
    if (same(k)) return &v;
  }
  return nullptr;
}

}  // namespace k8s
