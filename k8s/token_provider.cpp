#include "k8s/token_provider.h"

#include <spdlog/spdlog.h>

namespace k8s {
namespace {
std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

TokenProvider::TokenProvider(const ClusterConfig& cfg, const Clock& clock,
                             std::chrono::seconds refresh_period)
    : clock_(clock), refresh_period_(refresh_period), file_(cfg.token_file), current_(cfg.token) {}

std::optional<Secret> TokenProvider::token() {
  std::lock_guard lock(mu_);
  if (!file_.empty()) {
    auto now = clock_.now();
    if (!read_at_ || now - *read_at_ >= refresh_period_) {
      auto text = read_file(file_, "token file");
      if (text) {
        current_ = Secret(trim(std::move(text).value()));
      } else {
        // Keep the last good token: a rotation in progress must not log us out.
        spdlog::warn("k8s: {}; keeping the previous token", text.error().message);
      }
      read_at_ = now;
    }
  }
  if (current_.empty()) return std::nullopt;
  return current_;
}

void TokenProvider::invalidate() {
  std::lock_guard lock(mu_);
  read_at_.reset();
}

}  // namespace k8s
