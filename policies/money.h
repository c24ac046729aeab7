#pragma once
// Money as integer cents: no float drift in cost figures.
#include <cstdint>
#include <string>

namespace policies {

struct Cents {
  std::int64_t value = 0;
  friend auto operator<=>(const Cents&, const Cents&) = default;
};

// "285.95" style decimal with two places; negative values keep their sign.
std::string format_dollars(Cents c);

}  // namespace policies
