#pragma once
// Money as integer cents: no float drift in cost figures. Prices are held in
// millionths of a dollar so that a rate like "0.004175" stays exact.
#include <cstdint>
#include <string>
#include <string_view>

#include "policies/result.h"

namespace policies {

struct Cents {
  std::int64_t value = 0;
  friend auto operator<=>(const Cents&, const Cents&) = default;
  friend Cents operator+(Cents a, Cents b) { return {a.value + b.value}; }
  friend Cents operator-(Cents a, Cents b) { return {a.value - b.value}; }
};

// "285.95" style decimal with two places; negative values keep their sign.
std::string format_dollars(Cents c);

// A price per unit and month, in micro-dollars (1e-6 USD, or of the currency).
struct Price {
  std::int64_t micro = 0;
  friend auto operator<=>(const Price&, const Price&) = default;
};

// Non-negative decimal with at most six places and at most seven integer
// digits ("15.00", "3", "0.004175"); the CRD pattern is the same.
Result<Price> parse_price(std::string_view text);

// "15.00": at least two places, more only when needed ("0.004175").
std::string format_price(Price p);

}  // namespace policies
