#include "policies/quantity.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

namespace policies {
namespace {

constexpr std::string_view kMaxInt64Digits = "9223372036854775807";
constexpr std::int64_t kMaxExponent = std::numeric_limits<std::int32_t>::max();

struct Scanned {
  bool positive = true;
  std::string_view num;    // integer digits, leading zeros stripped
  std::string_view denom;  // fraction digits
  std::string_view suffix;
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Mirrors parseQuantityString in k8s.io/apimachinery (including its leniency:
// "1.", ".5", "1.G" are accepted; a missing number reads as 0).
Result<Scanned> scan(std::string_view s) {
  Scanned out;
  std::size_t pos = 0;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) out.positive = s[pos++] != '-';
  while (pos < s.size() && s[pos] == '0') ++pos;
  std::size_t start = pos;
  while (pos < s.size() && is_digit(s[pos])) ++pos;
  out.num = s.substr(start, pos - start);
  if (pos < s.size() && s[pos] == '.') {
    start = ++pos;
    while (pos < s.size() && is_digit(s[pos])) ++pos;
    out.denom = s.substr(start, pos - start);
  }
  const std::size_t suffix_start = pos;
  while (pos < s.size() && std::string_view("eEinumkKMGTP").find(s[pos]) != std::string_view::npos)
    ++pos;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) ++pos;
  while (pos < s.size() && is_digit(s[pos])) ++pos;
  if (pos != s.size())
    return make_error("quantity must match '^[+-]?[0-9.]+[eEinumkKMGTP]*[-+]?[0-9]*$'");
  out.suffix = s.substr(suffix_start);
  return out;
}

struct Suffix {
  int base = 10;
  std::int64_t exponent = 0;
  QuantityFormat format = QuantityFormat::DecimalSI;
};

Result<Suffix> interpret(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, int>, 9> kDecimal{{{"n", -9},
                                                                             {"u", -6},
                                                                             {"m", -3},
                                                                             {"", 0},
                                                                             {"k", 3},
                                                                             {"M", 6},
                                                                             {"G", 9},
                                                                             {"T", 12},
                                                                             {"P", 15}}};
  static constexpr std::array<std::pair<std::string_view, int>, 6> kBinary{
      {{"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60}}};
  if (s == "E") return Suffix{10, 18, QuantityFormat::DecimalSI};
  for (const auto& [name, exp] : kDecimal)
    if (s == name) return Suffix{10, exp, QuantityFormat::DecimalSI};
  for (const auto& [name, exp] : kBinary)
    if (s == name) return Suffix{2, exp, QuantityFormat::BinarySI};
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    std::string_view digits = s.substr(1);
    if (digits[0] == '+') digits.remove_prefix(1);
    std::int64_t exp = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), exp);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty())
      return make_error("unable to parse quantity's suffix");
    if (exp > kMaxExponent || exp < -kMaxExponent)
      return make_error("quantity exponent out of range");
    return Suffix{10, exp, QuantityFormat::DecimalExponent};
  }
  return make_error("unable to parse quantity's suffix");
}

// Decimal digit strings, most significant first.
void multiply_small(std::string& digits, unsigned factor) {
  unsigned carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    const unsigned v = static_cast<unsigned>(*it - '0') * factor + carry;
    *it = static_cast<char>('0' + v % 10);
    carry = v / 10;
  }
  while (carry > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
}

void increment(std::string& digits) {
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it != '9') {
      ++*it;
      return;
    }
    *it = '0';
  }
  digits.insert(digits.begin(), '1');
}

bool any_nonzero(std::string_view digits) {
  return digits.find_first_not_of('0') != std::string_view::npos;
}

// Rounds |digits * 10^exp| up to a multiple of 10^min_exp (the apiserver
// rounds to nano, -9).
void round_up_to(std::string& digits, std::int64_t& exp, std::int64_t min_exp) {
  if (exp >= min_exp) return;
  const std::int64_t drop = min_exp - exp;
  exp = min_exp;
  if (drop >= static_cast<std::int64_t>(digits.size())) {
    digits = any_nonzero(digits) ? "1" : "0";
    return;
  }
  const auto keep = digits.size() - static_cast<std::size_t>(drop);
  const bool remainder = any_nonzero(std::string_view(digits).substr(keep));
  digits.resize(keep);
  if (digits.empty()) digits = "0";
  if (remainder) increment(digits);
}

// BinarySI values are capped at 2^63-1 in magnitude.
void cap_binary(std::string& digits, std::int64_t& exp) {
  const std::int64_t int_len = static_cast<std::int64_t>(digits.size()) + exp;
  if (int_len < 19) return;
  bool over = int_len > 19;
  if (!over) {
    std::string whole = digits.substr(0, std::min<std::size_t>(digits.size(), 19));
    whole.resize(19, '0');
    const int cmp = whole.compare(kMaxInt64Digits);
    over = cmp > 0 ||
           (cmp == 0 && digits.size() > 19 && any_nonzero(std::string_view(digits).substr(19)));
  }
  if (over) {
    digits = std::string(kMaxInt64Digits);
    exp = 0;
  }
}

Result<Quantity> to_quantity(std::string digits, std::int64_t exp, bool positive,
                             QuantityFormat format) {
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Quantity{0, 0, format};
  digits.erase(0, first);
  const auto last = digits.find_last_not_of('0');
  exp += static_cast<std::int64_t>(digits.size() - 1 - last);
  digits.resize(last + 1);
  if (format == QuantityFormat::BinarySI) cap_binary(digits, exp);
  if (digits.size() > 19 || (digits.size() == 19 && digits > kMaxInt64Digits))
    return make_error("quantity has too many significant digits");
  if (exp > kMaxExponent || exp < -kMaxExponent)
    return make_error("quantity exponent out of range");
  std::int64_t mantissa = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), mantissa);
  return Quantity{positive ? mantissa : -mantissa, static_cast<std::int32_t>(exp), format};
}

// ParseQuantity keeps the caller's text when its fast path sees a value that
// is "already canonical"; the apiserver then returns that text verbatim.
bool apiserver_keeps_text(const Scanned& s, const Suffix& suffix) {
  const std::string_view num = s.num.empty() ? std::string_view("0") : s.num;
  const auto len = static_cast<std::int64_t>(num.size() + s.denom.size());
  std::string shifted(num);
  shifted.append(s.denom);
  if (suffix.base == 2) {
    const std::int64_t precision =
        15 - static_cast<std::int64_t>(num.size()) - suffix.exponent * 3 / 10 - 1;
    if (!s.denom.empty() || precision < 0) return false;
    std::int64_t value = 0;
    std::from_chars(shifted.data(), shifted.data() + shifted.size(), value);
    std::int64_t product = 0;
    if (__builtin_mul_overflow(value, std::int64_t{1} << suffix.exponent, &product)) return false;
    return (value & 0x07) != 0;
  }
  const std::int64_t scale = suffix.exponent - static_cast<std::int64_t>(s.denom.size());
  if (18 - len < 0 || scale < -9) return false;
  return scale % 3 == 0 && !shifted.ends_with("000") && shifted[0] != '0';
}

Result<Quantity> parse_rounded(std::string_view text, std::int64_t min_exp);

}  // namespace

Result<std::string> apiserver_text(std::string_view text) {
  auto q = parse_quantity(text);
  if (!q) return make_error(q.error());
  if (text == "0") return std::string(text);
  // The v1 → internal conversion of every core ResourceList rounds values up
  // to milli scale (RoundUp(-3)); a value it changes is re-rendered.
  if (q->exponent < -3) {
    auto millis = to_millis(*q);
    if (!millis) return make_error(millis.error());
    return to_string(Quantity{*millis, -3, q->format});
  }
  auto scanned = scan(text);
  auto suffix = interpret(scanned->suffix);
  if (apiserver_keeps_text(*scanned, *suffix)) return std::string(text);
  return to_string(*q);
}

namespace {

Result<Quantity> parse_rounded(std::string_view text, std::int64_t min_exp) {
  if (text.empty()) return make_error("quantity must not be empty");
  auto scanned = scan(text);
  if (!scanned) return make_error(scanned.error());
  auto suffix = interpret(scanned->suffix);
  if (!suffix) return make_error(suffix.error());
  std::string digits;
  digits.reserve(scanned->num.size() + scanned->denom.size() + 1);
  digits.append(scanned->num).append(scanned->denom);
  if (digits.empty()) digits = "0";
  std::int64_t exp = -static_cast<std::int64_t>(scanned->denom.size());
  if (suffix->base == 10) {
    exp += suffix->exponent;
  } else {
    for (std::int64_t i = 0; i < suffix->exponent; i += 10) multiply_small(digits, 1024);
  }
  round_up_to(digits, exp, min_exp);
  return to_quantity(std::move(digits), exp, scanned->positive, suffix->format);
}

}  // namespace

Result<Quantity> parse_quantity(std::string_view text) {
  return parse_rounded(text, -9);
}

Result<std::int64_t> parse_millis(std::string_view text) {
  auto q = parse_rounded(text, -3);
  if (!q) return make_error(q.error());
  return to_millis(*q);
}

Result<std::int64_t> parse_units(std::string_view text) {
  auto q = parse_rounded(text, 0);
  if (!q) return make_error(q.error());
  return to_units(*q);
}

}  // namespace policies
