#include "k8s/backoff.h"

#include <algorithm>

namespace k8s {

std::chrono::milliseconds Backoff::next() {
  auto now = clock_.now();
  if (last_call_ && now - *last_call_ >= policy_.reset_after) nominal_.reset();
  last_call_ = now;
  if (!nominal_) {
    nominal_ = policy_.initial;
  } else {
    auto grown = std::chrono::milliseconds(
        static_cast<long long>(double(nominal_->count()) * policy_.factor));
    nominal_ = std::min(grown, policy_.max);
  }
  double spread = 1.0 + policy_.jitter * (2.0 * random_.uniform() - 1.0);
  auto jittered =
      std::chrono::milliseconds(static_cast<long long>(double(nominal_->count()) * spread));
  return std::clamp(jittered, std::chrono::milliseconds(0), policy_.max);
}

}  // namespace k8s
