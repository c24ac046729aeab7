#pragma once
// Supplies the bearer token for each request: a static token, or a token file
// (projected service-account tokens rotate) re-read at least every
// `refresh_period` and on the next use after invalidate() (a 401). Thread-safe.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "k8s/clock.h"
#include "k8s/config.h"
#include "k8s/secret.h"

namespace k8s {

class TokenProvider {
 public:
  TokenProvider(const ClusterConfig& cfg, const Clock& clock,
                std::chrono::seconds refresh_period = std::chrono::seconds(60));

  // The token to send, or nullopt when this configuration uses none.
  [[nodiscard]] std::optional<Secret> token();
  // Forces a re-read of the token file before the next use.
  void invalidate();
  // True when invalidate() can yield a different token.
  [[nodiscard]] bool refreshable() const { return !file_.empty(); }

 private:
  const Clock& clock_;
  std::chrono::seconds refresh_period_;
  std::string file_;
  std::mutex mu_;
  Secret current_;
  std::optional<Clock::Monotonic> read_at_;
};

}  // namespace k8s
