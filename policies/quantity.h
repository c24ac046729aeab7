#pragma once
// Exact Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity):
// the same grammar, the same rounding (up to the nearest nano, as the apiserver
// does) and the same canonical text the apiserver returns for pod resources.
// Values are held as mantissa * 10^exponent with an int64 mantissa; inputs
// whose significant digits do not fit (more than ~18 after rounding) are
// reported as out of range rather than approximated.
#include <cstdint>
#include <string>
#include <string_view>

#include "policies/result.h"

namespace policies {

enum class QuantityFormat { DecimalSI, BinarySI, DecimalExponent };

struct Quantity {
  std::int64_t mantissa = 0;  // no trailing zeros unless zero
  std::int32_t exponent = 0;  // power of ten
  QuantityFormat format = QuantityFormat::DecimalSI;
  friend bool operator==(const Quantity&, const Quantity&) = default;
};

Result<Quantity> parse_quantity(std::string_view text);

// The apiserver's canonical text (Quantity.String()).
std::string to_string(const Quantity& q);

// The text the apiserver stores and returns for `text` in a built-in
// resource field: usually to_string(parse_quantity(text)), but like the
// apiserver it keeps the caller's spelling when its fast path deems it
// canonical already (so "+1Ki" or "0100m" come back unchanged), and values
// finer than a milli are rounded up to one ("1n" → "1m").
Result<std::string> apiserver_text(std::string_view text);

// Value in thousandths / units, rounded up (away from zero) like
// Quantity.MilliValue() / Value(); an error if it does not fit in int64.
Result<std::int64_t> to_millis(const Quantity& q);
Result<std::int64_t> to_units(const Quantity& q);

// The same, straight from text, rounding up to a thousandth / a unit while
// parsing: texts with more significant digits than a Quantity holds (which
// the apiserver accepts, e.g. "1.00000000000000000001Gi") still give a value.
Result<std::int64_t> parse_millis(std::string_view text);
Result<std::int64_t> parse_units(std::string_view text);

// Compare exact values (format ignored): <0, 0, >0.
int compare(const Quantity& a, const Quantity& b);

// Canonical text for CPU millicores ("1500m", "2") and memory bytes
// ("64Mi", "1536Mi", "1500").
std::string format_millicores(std::int64_t millicores);
std::string format_bytes(std::int64_t bytes);

}  // namespace policies
