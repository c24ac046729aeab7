// Fuzzes the quantity parser and formatter: no crash, no UB, and canonical
// text always re-parses to the same value and is a fixed point.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policies/duration.h"
#include "policies/money.h"
#include "policies/quantity.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto q = policies::parse_quantity(text);
  (void)policies::apiserver_text(text);
  (void)policies::parse_duration(text);
  (void)policies::parse_price(text);
  if (!q) return 0;
  (void)policies::to_millis(*q);
  (void)policies::to_units(*q);
  const std::string canonical = policies::to_string(*q);
  auto again = policies::parse_quantity(canonical);
  if (!again || policies::compare(*q, *again) != 0) std::abort();
  // As with the apiserver, a BinarySI value that is not a whole number of Ki
  // prints as plain digits, which re-parse as DecimalSI ("156.25Ki" → "160000"
  // → "160k"): the text is a fixed point from the second round on.
  const std::string second = policies::to_string(*again);
  auto third = policies::parse_quantity(second);
  if (!third || policies::compare(*q, *third) != 0 || policies::to_string(*third) != second)
    std::abort();
  if (auto m = policies::to_millis(*q); m && *m >= 0) {
    auto back = policies::parse_quantity(policies::format_millicores(*m));
    if (!back || policies::to_millis(*back).value() != *m) std::abort();
  }
  return 0;
}
