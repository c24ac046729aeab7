#include "policies/money.h"

#include <cstdio>
#include <cstdlib>

namespace policies {

std::string format_dollars(Cents c) {
  const std::int64_t abs = c.value < 0 ? -c.value : c.value;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", c.value < 0 ? "-" : "",
                static_cast<long long>(abs / 100), static_cast<long long>(abs % 100));
  return buf;
}

Result<Price> parse_price(std::string_view text) {
  const auto error = [] {
    return make_error("price must be a decimal like \"15.00\" (up to 7 digits, 6 decimals)");
  };
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 7 || frac.size() > 6) return error();
  if (dot != std::string_view::npos && frac.empty()) return error();
  std::int64_t micro = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return error();
    micro = micro * 10 + (c - '0');
  }
  std::int64_t scale = 1'000'000;
  for (char c : frac) {
    if (c < '0' || c > '9') return error();
    scale /= 10;
    micro = micro * 10 + (c - '0');
  }
  return Price{micro * scale};
}

std::string format_price(Price p) {
  std::string out = std::to_string(p.micro / 1'000'000) + ".";
  std::string frac = std::to_string(1'000'000 + p.micro % 1'000'000).substr(1);
  while (frac.size() > 2 && frac.back() == '0') frac.pop_back();
  return out + frac;
}

}  // namespace policies
