#pragma once
// A compact, versioned checkpoint of a ContainerUsage, so that a restart loses
// no learning (stored base64-encoded in the Rightsizing status).
//
// Format v1 (all integers LEB128 varints, signed ones zig-zag encoded):
//   byte 0x01 (version)
//   first sample (s since epoch), last − first (s), sample count,
//   CPU peak (m), memory peak (bytes), memory interval start − first (s, signed),
//   memory interval peak (bytes),
//   then for the CPU and the memory histogram: half-life (s),
//   reference − first (s, signed), float32 max weight (little endian),
//   first bucket, bucket count, one weight per bucket quantized to
//   0..16383 of the max weight (≤ 2 bytes each).
// Typical containers need 100–300 bytes. Quantization loses < 0.01 % of the
// max weight per bucket; percentiles move by at most one bucket.
#include <string>
#include <string_view>

#include "policies/container_usage.h"
#include "policies/result.h"

namespace policies {

inline constexpr unsigned char kCheckpointVersion = 1;

std::string encode_checkpoint(const ContainerUsage& usage);
Result<ContainerUsage> decode_checkpoint(std::string_view bytes);

// The same, base64-encoded, for the status field.
std::string encode_checkpoint_text(const ContainerUsage& usage);
Result<ContainerUsage> decode_checkpoint_text(std::string_view text);

}  // namespace policies
