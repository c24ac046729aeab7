// Fuzzes JSON → RightsizePolicy parsing and validation: hostile input must
// give problems, never a crash or an exception.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "policies/policy_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto doc = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  const auto parsed = policies::parse_policy_object(doc);
  (void)parsed.valid();
  if (doc.is_object() && doc.contains("spec")) (void)policies::parse_policy_spec(doc["spec"]);
  return 0;
}
