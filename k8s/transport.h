#pragma once
// The one boundary that touches sockets: send an HTTP request, receive a whole
// response or a streamed body. Everything above it is tested with a fake.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "k8s/request.h"
#include "k8s/result.h"
#include "k8s/secret.h"

namespace k8s {

struct HttpResponse {
  int status = 0;
  std::vector<Header> headers;  // names as received
  std::string body;

  [[nodiscard]] const std::string* header(std::string_view name) const;
};

// The body of a streamed response, read piece by piece. Not thread-safe.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // The next piece of the body (any size, any boundary); nullopt at the end.
  virtual Result<std::optional<std::string>> read() = 0;
  // Makes a blocked or later read() end with a Cancelled error. Thread-safe.
  virtual void cancel() {}
};

struct StreamedResponse {
  int status = 0;
  std::vector<Header> headers;
  std::unique_ptr<BodyStream> body;
};

// What the transport adds to each request besides the Request itself.
struct Credentials {
  std::optional<Secret> bearer_token;  // sent as "Authorization: Bearer ..."
};

// Implementations must be safe to call from several threads at once.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<HttpResponse> send(const Request& req, const Credentials& creds) = 0;
  // For watches: returns once the response head is read; the body streams.
  virtual Result<StreamedResponse> stream(const Request& req, const Credentials& creds) = 0;
};

}  // namespace k8s
