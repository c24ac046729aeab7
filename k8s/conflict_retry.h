#pragma once
// Retry-on-conflict: re-run a read-modify-write while the server answers 409
// Conflict, a bounded number of times with jittered, growing pauses.
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>

#include "k8s/api_client.h"
#include "k8s/clock.h"
#include "k8s/result.h"

namespace k8s {

struct ConflictRetryPolicy {
  int attempts = 5;
  std::chrono::milliseconds initial{10};
  double factor = 2.0;
  double jitter = 0.5;  // each pause varies within ±jitter of its nominal value
};

// Calls `attempt` until it returns anything but a Conflict error, or attempts run out.
template <typename T>
Result<T> retry_on_conflict(Clock& clock, RandomSource& random,
                            const std::function<Result<T>()>& attempt,
                            const ConflictRetryPolicy& policy = {}) {
  auto pause = std::chrono::duration<double, std::milli>(policy.initial);
  for (int i = 1;; ++i) {
    Result<T> r = attempt();
    if (r || r.error().kind != ErrorKind::Conflict || i >= policy.attempts) return r;
    double spread = 1.0 + policy.jitter * (2.0 * random.uniform() - 1.0);
    clock.sleep_for(std::chrono::duration_cast<std::chrono::nanoseconds>(pause * spread));
    pause *= policy.factor;
  }
}

// Changes `obj` in place; returns false when nothing needed changing.
using Mutation = std::function<bool(nlohmann::json& obj)>;

// GET, mutate, PUT (to `ref`, or its status subresource when `status`),
// retried on conflict. No write when the mutation changes nothing.
Result<nlohmann::json> update_with_retry(ApiClient& client, const ObjectRef& ref,
                                         const Mutation& mutate, bool status = false,
                                         const ConflictRetryPolicy& policy = {});

}  // namespace k8s
