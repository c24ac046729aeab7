// The number formats of the FinOps renderers (declared in finops_render.h).
#include <string>

#include "controller/finops_render.h"

namespace controller {
namespace {

// "<whole>.<frac>" with `places` digits of a non-negative fixed-point value.
std::string fixed(std::int64_t value, std::int64_t scale, int places) {
  const bool negative = value < 0;
  const std::uint64_t abs =
      negative ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  const auto s = static_cast<std::uint64_t>(scale);
  std::string frac = std::to_string(abs % s);
  frac.insert(0, static_cast<std::size_t>(places) - frac.size(), '0');
  return (negative ? "-" : "") + std::to_string(abs / s) + (places > 0 ? "." + frac : "");
}

}  // namespace

std::string format_percent(std::optional<std::int64_t> permille) {
  if (!permille) return "-";
  return fixed(*permille, 10, 1) + " %";
}

std::string format_micro_units(std::int64_t micro) {
  // Hundreds of micro-units, rounded half up: four decimals.
  const std::int64_t rounded = micro < 0 ? -((-micro + 50) / 100) : (micro + 50) / 100;
  return fixed(rounded, 10'000, 4);
}

std::string format_cores(std::int64_t millicores) {
  std::string text = fixed(millicores, 1000, 3);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string format_gib(std::int64_t bytes) {
  constexpr std::int64_t kGiB = std::int64_t{1} << 30;
  // Tenths of a GiB without overflow: whole GiB and the remainder apart.
  const std::int64_t whole = bytes / kGiB, rest = bytes % kGiB;
  const std::int64_t tenths = whole * 10 + (rest * 10 + kGiB / 2) / kGiB;
  return fixed(tenths, 10, 1);
}

std::string format_rate(std::int64_t micro) {
  std::string text = fixed(micro, 1'000'000, 6);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace controller
