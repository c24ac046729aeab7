#pragma once
// The error model of the Kubernetes client: every failure is a value with a
// small set of kinds, mapped from the API server's metav1.Status where there
// is one, and one retryable() answer per kind.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace k8s {

enum class ErrorKind {
  NotFound,         // 404
  AlreadyExists,    // 409, reason AlreadyExists
  Conflict,         // 409, stale resourceVersion or precondition
  Gone,             // 410, resourceVersion too old / continue token expired
  Forbidden,        // 403
  Unauthorized,     // 401
  Invalid,          // 422, with field causes
  BadRequest,       // 400 and other 4xx the client caused
  TooManyRequests,  // 429, with Retry-After
  ServerError,      // 5xx
  Transport,        // connection, TLS, protocol
  Timeout,          // an operation ran past its deadline
  Decode,           // a body that is not what the API promises
  Config,           // kubeconfig / in-cluster configuration
  Cancelled,        // the caller asked to stop
};

std::string_view to_string(ErrorKind kind);

// One entry of metav1.Status.details.causes.
struct FieldCause {
  std::string field;
  std::string reason;
  std::string message;
};

struct Error {
  ErrorKind kind = ErrorKind::Transport;
  std::string message;
  int http_status = 0;  // 0 when no HTTP answer was received
  std::string reason;   // metav1.Status.reason, when given
  std::optional<std::chrono::seconds> retry_after;
  std::vector<FieldCause> causes;
  // A write (any method but GET) that may have been applied: answered 5xx, or
  // failed after the request was written. No retry path in k8s/ resends it,
  // except a PUT carrying metadata.resourceVersion (a replay can only 409)
  // when the server sent Retry-After; stricter than client-go, which resends
  // any write told Retry-After. Read the object before writing again.
  bool may_have_applied = false;

  // True when repeating the same request unchanged may succeed.
  [[nodiscard]] bool retryable() const;
  // One line for logs and status messages; never contains credentials.
  [[nodiscard]] std::string describe() const;
};

Error make_error(ErrorKind kind, std::string message);

// Maps an HTTP answer (status code, body that may hold a metav1.Status, the
// Retry-After header value if any) to an Error. Only call for non-2xx codes.
Error error_from_response(int http_status, std::string_view body,
                          std::string_view retry_after_header = {});

// Maps a metav1.Status object (as in a watch ERROR event) to an Error; the
// HTTP code is taken from its `code` field.
Error error_from_status_json(const nlohmann::json& status);

}  // namespace k8s
