#pragma once
// Just enough quantity parsing to read metrics.k8s.io answers in smoke tests
// ("249870123n", "250m", "307200Ki"); the product's parser lives in policies/.
#include <optional>
#include <string_view>

namespace itest {

// The value in plain units: cores for CPU quantities, bytes for memory.
std::optional<double> parse_quantity_for_test(std::string_view q);

}  // namespace itest
