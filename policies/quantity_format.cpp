// Canonical text, conversions and comparison of Quantity values.
#include <algorithm>
#include <array>
#include <cstdlib>

#include "policies/quantity.h"

namespace policies {
namespace {

constexpr std::array<std::int64_t, 19> kPow10{1,
                                              10,
                                              100,
                                              1000,
                                              10000,
                                              100000,
                                              1000000,
                                              10000000,
                                              100000000,
                                              1000000000,
                                              10000000000,
                                              100000000000,
                                              1000000000000,
                                              10000000000000,
                                              100000000000000,
                                              1000000000000000,
                                              10000000000000000,
                                              100000000000000000,
                                              1000000000000000000};

std::uint64_t magnitude(std::int64_t v) {
  return v < 0 ? 0U - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
}

std::string decimal_suffix(std::int64_t exp, QuantityFormat format) {
  if (format == QuantityFormat::DecimalSI) {
    static constexpr std::array<std::string_view, 10> kSI{"n", "u", "m", "",  "k",
                                                          "M", "G", "T", "P", "E"};
    if (exp >= -9 && exp <= 18) return std::string(kSI[static_cast<std::size_t>(exp / 3 + 3)]);
    // Beyond "E" the apiserver has no SI suffix; an exponent keeps the text exact.
  }
  return exp == 0 ? std::string() : "e" + std::to_string(exp);
}

std::string decimal_text(const Quantity& q, QuantityFormat format) {
  std::string digits = std::to_string(magnitude(q.mantissa));
  std::int64_t exp = q.exponent;
  const std::int64_t rem = ((exp % 3) + 3) % 3;
  digits.append(static_cast<std::size_t>(rem), '0');
  exp -= rem;
  return (q.mantissa < 0 ? "-" : "") + digits + decimal_suffix(exp, format);
}

// Integral values (exponent >= 0); too large ones fall back to decimal text.
std::string binary_text(const Quantity& q) {
  std::uint64_t value = magnitude(q.mantissa);
  for (std::int32_t i = 0; i < q.exponent; ++i) {
    if (__builtin_mul_overflow(value, std::uint64_t{10}, &value))
      return decimal_text(q, QuantityFormat::DecimalSI);
  }
  static constexpr std::array<std::string_view, 7> kSuffix{"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  std::size_t k = 0;
  while (value >= 1024 && value % 1024 == 0 && k + 1 < kSuffix.size()) {
    value /= 1024;
    ++k;
  }
  return (q.mantissa < 0 ? "-" : "") + std::to_string(value) + std::string(kSuffix[k]);
}

int digit_count(std::int64_t v) {
  int n = 1;
  for (auto a = magnitude(v); a >= 10; a /= 10) ++n;
  return n;
}

Quantity normalized(Quantity q) {
  if (q.mantissa == 0) return Quantity{0, 0, q.format};
  while (q.mantissa % 10 == 0) {
    q.mantissa /= 10;
    ++q.exponent;
  }
  return q;
}

// Scales by 10^shift, rounding away from zero; nullopt-like false on overflow.
bool scale_away_from_zero(std::int64_t mantissa, std::int64_t shift, std::int64_t& out) {
  if (mantissa == 0) {
    out = 0;
    return true;
  }
  if (shift >= 0) {
    if (shift > 18) return false;
    return !__builtin_mul_overflow(mantissa, kPow10[static_cast<std::size_t>(shift)], &out);
  }
  const int sign = mantissa < 0 ? -1 : 1;
  if (-shift > 18) {
    out = sign;
    return true;
  }
  const std::int64_t p = kPow10[static_cast<std::size_t>(-shift)];
  out = mantissa / p + ((mantissa % p != 0) ? sign : 0);
  return true;
}

}  // namespace

std::string to_string(const Quantity& q_in) {
  const Quantity q = normalized(q_in);
  if (q.mantissa == 0) return "0";
  if (q.format == QuantityFormat::BinarySI) {
    const bool below_1024 =
        q.exponent < 4 &&
        magnitude(q.mantissa) <=
            1023U / static_cast<std::uint64_t>(
                        kPow10[static_cast<std::size_t>(std::max(q.exponent, 0))]);
    if (below_1024 || q.exponent < 0) return decimal_text(q, QuantityFormat::DecimalSI);
    return binary_text(q);
  }
  return decimal_text(q, q.format);
}

Result<std::int64_t> to_millis(const Quantity& q) {
  std::int64_t out = 0;
  if (!scale_away_from_zero(q.mantissa, std::int64_t{q.exponent} + 3, out))
    return make_error("quantity too large");
  return out;
}

Result<std::int64_t> to_units(const Quantity& q) {
  std::int64_t out = 0;
  if (!scale_away_from_zero(q.mantissa, q.exponent, out)) return make_error("quantity too large");
  return out;
}

int compare(const Quantity& a, const Quantity& b) {
  const int sa = (a.mantissa > 0) - (a.mantissa < 0);
  const int sb = (b.mantissa > 0) - (b.mantissa < 0);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  const std::int64_t la = digit_count(a.mantissa) + std::int64_t{a.exponent};
  const std::int64_t lb = digit_count(b.mantissa) + std::int64_t{b.exponent};
  int order = 0;
  if (la != lb) {
    order = la < lb ? -1 : 1;
  } else {
    std::string da = std::to_string(magnitude(a.mantissa));
    std::string db = std::to_string(magnitude(b.mantissa));
    const auto n = std::max(da.size(), db.size());
    da.resize(n, '0');
    db.resize(n, '0');
    order = da.compare(db) < 0 ? -1 : (da == db ? 0 : 1);
  }
  return sa * order;
}

std::string format_millicores(std::int64_t millicores) {
  return to_string(Quantity{millicores, -3, QuantityFormat::DecimalSI});
}

std::string format_bytes(std::int64_t bytes) {
  return to_string(Quantity{bytes, 0, QuantityFormat::BinarySI});
}

}  // namespace policies
