#pragma once
// Standard base64 (RFC 4648, with padding) for checkpoints stored in status.
#include <string>
#include <string_view>

#include "policies/result.h"

namespace policies {

std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

}  // namespace policies
