#pragma once
// What bounds one API call: a stop token (a stop request ends the call with a
// Cancelled error — in the limiter wait, a retry sleep or on the socket) and
// a deadline on the client's Clock (past it, no further attempt is started
// and the transport's timeouts are shortened to fit; the call ends with a
// Timeout error). The default bounds nothing beyond the client's options.
#include <optional>
#include <stop_token>

#include "k8s/clock.h"

namespace k8s {

struct CallContext {
  std::stop_token stop{};
  std::optional<Clock::Monotonic> deadline{};
};

}  // namespace k8s
