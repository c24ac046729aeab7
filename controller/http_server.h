#pragma once
// A small HTTP/1.1 server for the operator's own endpoints (/healthz,
// /readyz, /metrics): GET only, exact paths, keep-alive, requests bounded
// in size and time, one I/O thread of its own. stop() closes the listener
// and every connection at once. Handlers run on the I/O thread and must not
// block. Thread-safe to stop from any thread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "controller/metrics_registry.h"
#include "policies/result.h"

namespace controller {

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpResponse()>;
using HttpRoutes = std::map<std::string, HttpHandler>;  // path (no query) → handler

struct HttpServerOptions {
  std::string host = "127.0.0.1";                // empty: all IPv4 interfaces
  std::uint16_t port = 0;                        // 0: any free port (see port())
  std::size_t max_request_bytes = 8 * 1024;      // header and body; larger → 431 / 413
  std::chrono::milliseconds io_timeout{10'000};  // per read or write
};

class HttpSession;

class HttpServer {
 public:
  // Binds and starts serving; an error names the address when it cannot bind.
  static policies::Result<std::unique_ptr<HttpServer>> start(const HttpServerOptions& options,
                                                             HttpRoutes routes);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  void stop();

 private:
  friend class HttpSession;
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// /healthz (200 while the process serves) and /readyz (200 when `ready()`,
// else 503).
HttpRoutes probe_routes(std::function<bool()> ready);
// /metrics: the registry in the Prometheus text format.
HttpRoutes metrics_routes(const MetricsRegistry& registry);

}  // namespace controller
