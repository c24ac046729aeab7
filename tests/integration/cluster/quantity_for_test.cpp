#include "quantity_for_test.h"

#include <cstdlib>
#include <string>

namespace itest {

std::optional<double> parse_quantity_for_test(std::string_view q) {
  std::string s(q);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) return std::nullopt;
  std::string_view suffix(end);
  if (suffix == "") return v;
  if (suffix == "n") return v / 1e9;
  if (suffix == "u") return v / 1e6;
  if (suffix == "m") return v / 1e3;
  if (suffix == "k") return v * 1e3;
  if (suffix == "Ki") return v * 1024.0;
  if (suffix == "Mi") return v * 1024.0 * 1024.0;
  if (suffix == "Gi") return v * 1024.0 * 1024.0 * 1024.0;
  return std::nullopt;
}

}  // namespace itest
