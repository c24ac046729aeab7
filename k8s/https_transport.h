#pragma once
// The production Transport: HTTPS over Boost.Beast and OpenSSL. TLS >= 1.2,
// SNI, peer and host-name verification against the configured CA, client
// certificates, keep-alive reuse, a timeout before every operation. Beast and
// Asio stay inside the .cpp.
#include <chrono>
#include <cstddef>
#include <memory>

#include "k8s/config.h"
#include "k8s/result.h"
#include "k8s/transport.h"

namespace k8s {

struct TransportOptions {
  std::chrono::seconds connect_timeout{10};  // resolve + TCP connect + TLS handshake
  std::chrono::seconds request_timeout{60};  // write + read of a whole response
  // Longest silence tolerated on a watch: longer than the server's watch
  // timeout (WatchOptions::timeout_seconds), since bookmarks may be sparse.
  std::chrono::seconds stream_idle_timeout{330};
  // Largest whole response accepted (lists are paged well below this).
  std::size_t max_body_bytes = 256u << 20;
  std::size_t max_idle_connections = 8;
};

// Fails (a Config error) when the CA or client key pair cannot be loaded.
Result<std::shared_ptr<Transport>> make_https_transport(const ClusterConfig& cfg,
                                                        const TransportOptions& opts = {});

}  // namespace k8s
