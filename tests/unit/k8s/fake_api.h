#pragma once
// Shared by the k8s/ unit tests that drive an ApiClient over a FakeTransport.
#include <nlohmann/json.hpp>
#include <string>

#include "k8s/api_client.h"

namespace k8s::unit {

// A metav1.Status body as the API server sends it with an error code.
inline std::string status_body(int code, const std::string& reason) {
  return nlohmann::json{{"kind", "Status"}, {"code", code}, {"reason", reason}, {"message", reason}}
      .dump();
}

// No client-side rate limit and no retries: each test request is one call.
inline ClientOptions single_attempt_options() {
  ClientOptions o;
  o.qps = 0;
  o.max_attempts = 1;
  return o;
}

}  // namespace k8s::unit
