// Fuzzes checkpoint decoding (it comes back from the apiserver, so it is
// untrusted): a decoded checkpoint re-encodes and decodes to the same figures.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policies/usage_checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)policies::decode_checkpoint_text(bytes);
  auto usage = policies::decode_checkpoint(bytes);
  if (!usage) return 0;
  (void)usage->cpu().percentile(95);
  (void)usage->memory().percentile(99);
  auto again = policies::decode_checkpoint(policies::encode_checkpoint(*usage));
  if (!again || again->samples() != usage->samples()) std::abort();
  usage.value().add_sample(usage->last_sample(), 100, 1 << 20);
  return 0;
}
