#pragma once
// A compact, versioned checkpoint of a ContainerUsage, so that a restart loses
// no learning (stored base64-encoded in the Rightsizing status).
//
// Format v2 and v3 (all integers LEB128 varints, signed ones zig-zag encoded):
//   byte 0x02 or 0x03 (version)
//   the bucket schemes, CPU then memory: bucket count, first bucket size
//   (scheme units), growth in millionths — a checkpoint written with other
//   buckets is rejected, never truncated or reinterpreted
//   first sample (s since epoch), last − first (s), sample count,
//   CPU peak (m), memory peak (bytes), memory interval start − first (s, signed),
//   memory interval peak (bytes),
//   v3 only: the memory interval's OOM sample (bytes; ContainerUsage::record_oom),
//   then for the CPU and the memory histogram: half-life (s),
//   reference − first (s, signed), float32 max weight (little endian),
//   first bucket, bucket count, one weight per bucket quantized to
//   0..16383 of the max weight (≤ 2 bytes each);
//   then the CRC-32 of all the bytes before it (4 bytes, little endian): a
//   corrupted checkpoint is rejected even when it is well formed.
// v3 is written only when the interval in progress holds an OOM sample, so
// an operator that reads v2 alone still restores every other checkpoint.
// Typical containers need 100–300 bytes. Quantization loses < 0.01 % of the
// max weight per bucket; percentiles move by at most one bucket.
// A checkpoint that does not decode is an error value: the caller re-learns
// from scratch (and says so), never uses partial figures.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policies/container_usage.h"
#include "policies/result.h"

namespace policies {

inline constexpr unsigned char kCheckpointVersion = 2;
inline constexpr unsigned char kCheckpointVersionWithOom = 3;

std::string encode_checkpoint(const ContainerUsage& usage);
// `half_life`: the policy's, which restored histograms take (weights learnt
// so far decay at the new rate from then on); nullopt keeps the saved one.
Result<ContainerUsage> decode_checkpoint(std::string_view bytes,
                                         std::optional<std::chrono::seconds> half_life = {});

// The same, base64-encoded, for the status field.
std::string encode_checkpoint_text(const ContainerUsage& usage);
Result<ContainerUsage> decode_checkpoint_text(std::string_view text,
                                              std::optional<std::chrono::seconds> half_life = {});

// The checksum the format ends with (for tests and tools that build checkpoints).
std::uint32_t checkpoint_crc32(std::string_view bytes);

}  // namespace policies
