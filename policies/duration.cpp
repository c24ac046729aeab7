#include "policies/duration.h"

#include <array>
#include <cstdint>
#include <limits>

namespace policies {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ms;
};

// Longest names first so that "ms" is not read as "m" followed by "s".
constexpr std::array<Unit, 5> kUnits{
    {{"ms", 1}, {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}}};

constexpr std::int64_t kMaxMs = std::numeric_limits<std::int64_t>::max() / 4;
// The CRD's pattern allows at most this many digits before a unit, and in its
// 32 characters such numbers always sum to less than kMaxMs, so the
// apiserver and the validator accept exactly the same durations.
constexpr std::size_t kMaxWholeDigits = 9;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return make_error("duration must not be empty");
  std::int64_t total = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::int64_t whole = 0;
    std::size_t start = pos;
    for (; pos < text.size() && is_digit(text[pos]); ++pos) {
      if (whole > kMaxMs / 10) return make_error("duration too large");
      whole = whole * 10 + (text[pos] - '0');
    }
    if (pos == start) return make_error("duration must look like 30s, 5m, 1h30m or 7d");
    if (pos - start > kMaxWholeDigits)
      return make_error("duration too large (at most 9 digits before a unit)");
    std::string_view fraction;
    if (pos < text.size() && text[pos] == '.') {
      start = ++pos;
      while (pos < text.size() && is_digit(text[pos])) ++pos;
      fraction = text.substr(start, pos - start);
      if (fraction.empty()) return make_error("duration must look like 30s, 5m, 1h30m or 7d");
    }
    const Unit* unit = nullptr;
    for (const auto& u : kUnits) {
      if (text.substr(pos).starts_with(u.name)) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return make_error("duration needs a unit: ms, s, m, h or d");
    pos += unit->name.size();
    if (whole > kMaxMs / unit->ms) return make_error("duration too large");
    std::int64_t part = whole * unit->ms;
    // Fraction of the unit, rounded up to whole milliseconds.
    std::int64_t num = 0;
    std::int64_t den = 1;
    for (char c : fraction.substr(0, 9)) {
      num = num * 10 + (c - '0');
      den *= 10;
    }
    const bool more =
        fraction.size() > 9 && fraction.substr(9).find_first_not_of('0') != std::string_view::npos;
    const std::int64_t scaled = num * unit->ms;
    const std::int64_t frac_ms = (scaled + den - 1) / den + ((more && scaled % den == 0) ? 1 : 0);
    part += frac_ms;
    if (total > kMaxMs - part) return make_error("duration too large");
    total += part;
  }
  return Duration{total};
}

std::string format_duration(Duration d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out = ms < 0 ? "-" : "";
  if (ms < 0) ms = -ms;
  for (const auto& [name, size] : std::array<Unit, 2>{{{"h", 3'600'000}, {"m", 60'000}}}) {
    if (ms >= size) {
      out += std::to_string(ms / size) + std::string(name);
      ms %= size;
    }
  }
  if (ms % 1000 == 0 && ms > 0) {
    out += std::to_string(ms / 1000) + "s";
  } else if (ms > 0) {
    out += std::to_string(ms) + "ms";
  }
  return out;
}

}  // namespace policies
