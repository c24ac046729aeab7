// checkpoint_delay (checkpoint_schedule.h).
#include "controller/checkpoint_schedule.h"

#include <cstdint>

namespace controller {
namespace {

// FNV-1a (64 bit), fixed by its definition unlike std::hash, then
// MurmurHash3's finalizer: keys that differ only in their last characters
// (app-1, app-2, …) differ in FNV-1a's low bits alone until it is mixed.
std::uint64_t key_hash(std::string_view text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// The share is counted in 1/1024ths: fine enough for any interval, and
// jitter × 1023 does not overflow for jitters up to years.
constexpr std::uint64_t kSteps = 1024;

}  // namespace

std::chrono::nanoseconds checkpoint_delay(std::string_view key, std::chrono::nanoseconds interval,
                                          std::chrono::nanoseconds jitter) {
  if (jitter.count() <= 0) return interval;
  const auto step = static_cast<std::int64_t>(key_hash(key) % kSteps);
  return interval + jitter * step / static_cast<std::int64_t>(kSteps);
}

}  // namespace controller
