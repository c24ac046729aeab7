#pragma once
// Host-name lookup for the HTTPS transport, bounded by a timeout and a stop
// token. getaddrinfo() cannot be interrupted (asio's resolver cancel() does
// not reach it, and destroying the resolver waits for it), so a lookup runs
// on a thread of its own and a caller who times out or is stopped returns at
// once, leaving the lookup behind.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "k8s/result.h"

namespace k8s {

// Looks up the addresses of a host name; blocks as long as the lookup takes.
// Implementations must be thread-safe.
class NameResolver {
 public:
  virtual ~NameResolver() = default;
  // Numeric addresses ("10.0.0.1", "fd00::1"), in the order to try them; a
  // Transport error when the name has none or the lookup failed.
  virtual Result<std::vector<std::string>> resolve(const std::string& host) = 0;
};

// The system's resolver: getaddrinfo() for TCP, only address families this
// host has configured (AI_ADDRCONFIG), as asio's resolver asks by default.
std::shared_ptr<NameResolver> make_system_resolver();

// Bounds a NameResolver by a timeout and a stop token. Callers that ask for
// the same host while a lookup is running share it (as Go's resolver does),
// so however many callers gave up on a hung lookup, at most one thread per
// host is blocked in it; the next caller after it ends starts a fresh one.
// The abandoned thread holds only shared state: it may outlive this object.
// Thread-safe.
class BoundedNameLookup {
 public:
  explicit BoundedNameLookup(std::shared_ptr<NameResolver> resolver);

  // The resolver's answer; a Timeout error when it has not come within
  // `timeout`, a Cancelled error as soon as `stop` is requested.
  Result<std::vector<std::string>> resolve(const std::string& host,
                                           std::chrono::steady_clock::duration timeout,
                                           const std::stop_token& stop);

 private:
  struct Lookup;
  Result<std::shared_ptr<Lookup>> join_or_start(const std::string& host);

  std::shared_ptr<NameResolver> resolver_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Lookup>> in_flight_;  // by host
};

}  // namespace k8s
