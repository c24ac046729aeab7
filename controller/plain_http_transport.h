#pragma once
// A k8s::Transport over plain HTTP (no TLS), for Prometheus at an http://
// address. One connection per request: a gate sends a handful of queries a
// minute, and a fresh connection is never a stale one. The whole exchange
// (resolve, connect, write, read) has one deadline; the response body has a
// size bound. Beast and Asio stay inside the .cpp.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "k8s/transport.h"

namespace controller {

struct PlainHttpOptions {
  std::string host;
  std::string port;
  std::chrono::milliseconds timeout{5000};
  std::size_t max_body_bytes = 4u << 20;
};

// Failures are k8s::Error values: Timeout, or Transport with `reason`
// "ConnectionRefused" or "ResponseTooLarge" when that is what happened.
// stream() is not supported (a Transport error).
std::shared_ptr<k8s::Transport> make_plain_http_transport(PlainHttpOptions options);

}  // namespace controller
