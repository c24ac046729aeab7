#pragma once
// The production Transport: HTTPS over Boost.Beast and OpenSSL. TLS >= 1.2,
// SNI, peer and host-name verification (subjectAltName only) against the
// configured CA, client certificates, keep-alive reuse, TCP keepalive, a
// timeout before every operation (name resolution included: a hung lookup
// is abandoned, see k8s/name_resolver.h). A request's
// stop token closes its connection; its timeout, when shorter, replaces
// ours. A write (anything but GET) is never resent once written. Beast and
// Asio stay inside the .cpp.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "k8s/config.h"
#include "k8s/name_resolver.h"
#include "k8s/result.h"
#include "k8s/transport.h"

namespace k8s {

struct TransportOptions {
  // Bounds each of: name lookup, TCP connect, TLS handshake.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  std::chrono::seconds request_timeout{60};  // write + read of a whole response
  // Longest silence tolerated on a watch: a little above the bookmark period
  // (the API server sends a bookmark about once a minute on a quiet watch),
  // so a stalled watch is re-opened within minutes, not at its end.
  std::chrono::seconds stream_idle_timeout{150};
  // TCP keepalive on every connection: a vanished peer is found after
  // idle + interval × probes of silence (here 60 s).
  std::chrono::seconds keepalive_idle{30};
  std::chrono::seconds keepalive_interval{10};
  int keepalive_probes = 3;
  // Largest whole response accepted (lists are paged well below this).
  std::size_t max_body_bytes = 256u << 20;
  std::size_t max_idle_connections = 8;
  // Looks up the host name (an IP address is not looked up); null: the
  // system's resolver. Tests stand in a slow or scripted one.
  std::shared_ptr<NameResolver> resolver;
  // Tests only (empty otherwise): called on the sending thread twice per
  // exchange, once the response has been read and once the answer (and
  // whether the connection is reused) is decided, so that a test can land a
  // stop in a window no timing could hit.
  std::function<void()> exchange_test_hook;
};

// Fails (a Config error) when the CA or client key pair cannot be loaded.
Result<std::shared_ptr<Transport>> make_https_transport(const ClusterConfig& cfg,
                                                        const TransportOptions& opts = {});

}  // namespace k8s
