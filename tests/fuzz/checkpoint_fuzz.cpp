// Fuzzes checkpoint decoding (it comes back from the apiserver, so it is
// untrusted): a decoded checkpoint re-encodes and decodes to the same figures.
// Each input is tried as it is (the checksum must reject almost all of it) and
// sealed with a valid checksum, so that the decoder behind the checksum is
// fuzzed too. A seed is a checkpoint without its 4 checksum bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policies/usage_checkpoint.h"

namespace {

void decode_and_check(std::string_view bytes) {
  auto usage = policies::decode_checkpoint(bytes, std::chrono::hours(1));
  if (!usage) return;
  (void)usage->cpu().percentile(95);
  (void)usage->memory().percentile(99);
  auto again = policies::decode_checkpoint(policies::encode_checkpoint(*usage));
  if (!again || again->samples() != usage->samples() ||
      again->memory_interval_oom_bytes() != usage->memory_interval_oom_bytes())
    std::abort();
  // A kill and a restore's merge on top of what was decoded.
  auto merged = *again;
  (void)merged.record_oom(usage->last_sample(), 2 << 20);
  merged.merge(*usage);
  (void)merged.memory().percentile(99);
  usage.value().add_sample(usage->last_sample(), 100, 1 << 20);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)policies::decode_checkpoint_text(bytes);
  decode_and_check(bytes);
  std::string sealed(bytes);
  const std::uint32_t crc = policies::checkpoint_crc32(sealed);
  for (int i = 0; i < 4; ++i) sealed += static_cast<char>((crc >> (8 * i)) & 0xff);
  decode_and_check(sealed);
  return 0;
}
