#pragma once
// REST verbs over a Transport: authentication, a client-side QPS/burst limit,
// retries of reads and of 429/5xx answers that carry Retry-After (bounded,
// jittered), and API errors mapped to values. Every call takes an optional
// CallContext (stop token, deadline). Thread-safe.
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "k8s/call_context.h"
#include "k8s/clock.h"
#include "k8s/rate_limiter.h"
#include "k8s/request.h"
#include "k8s/result.h"
#include "k8s/token_provider.h"
#include "k8s/transport.h"

namespace k8s {

struct ClientOptions {
  double qps = 50;  // <= 0: unlimited
  int burst = 100;
  int max_attempts = 5;  // per call, for retryable failures
  std::chrono::milliseconds retry_initial{200};
  std::chrono::milliseconds retry_max{10'000};
  std::chrono::seconds retry_after_cap{60};  // never sleep longer than this on Retry-After
  // Restarts of a list whose continue token expired. ApiClient::list holds
  // the whole list anyway, so a restart is one unpaged request (client-go's
  // FullListIfExpired); more than one matters only for a server that pages
  // without a limit. 0: the 410 is returned.
  int list_restarts = 3;
};

// All items of a (paged) list and the resourceVersion of the list.
struct ObjectList {
  std::vector<nlohmann::json> items;
  std::string resource_version;
};

class ApiClient {
 public:
  ApiClient(std::shared_ptr<Transport> transport, std::shared_ptr<TokenProvider> tokens,
            Clock& clock, RandomSource& random, ClientOptions options = {});
  // A client on the same transport and credentials with a request budget
  // (limiter) of its own, so that one user's traffic cannot starve another's
  // (the leader elector's renewals against informer lists).
  ApiClient(const ApiClient& shared, ClientOptions options);

  // One request with limiter, auth and retries; non-2xx answers become errors.
  Result<HttpResponse> execute(const Request& req, const CallContext& ctx = {});
  // A streamed request (watch); a non-2xx answer becomes an error.
  Result<StreamedResponse> open_stream(const Request& req, const CallContext& ctx = {});

  Result<nlohmann::json> get(const ObjectRef& ref, const CallContext& ctx = {});
  // One page, as the raw body (for decoders that avoid a full DOM).
  Result<HttpResponse> list_page(const ObjectRef& collection, const ListOptions& opts,
                                 const CallContext& ctx = {});
  // Every page; restarts from the beginning when a continue token expires (410).
  Result<ObjectList> list(const ObjectRef& collection, ListOptions opts = {},
                          const CallContext& ctx = {});
  Result<nlohmann::json> create(const ObjectRef& collection, const nlohmann::json& obj,
                                const WriteOptions& opts = {}, const CallContext& ctx = {});
  // PUT; `obj` must carry metadata.resourceVersion (optimistic concurrency).
  Result<nlohmann::json> replace(const ObjectRef& ref, const nlohmann::json& obj,
                                 const WriteOptions& opts = {}, const CallContext& ctx = {});
  Result<nlohmann::json> patch(const ObjectRef& ref, PatchType type, const nlohmann::json& body,
                               const PatchOptions& opts = {}, const CallContext& ctx = {});
  // Server-side apply of `obj` as `field_manager`.
  Result<nlohmann::json> apply(const ObjectRef& ref, const nlohmann::json& obj,
                               const std::string& field_manager, bool force = false);
  Result<void> remove(const ObjectRef& ref, const DeleteOptions& opts = {},
                      const CallContext& ctx = {});
  // Writes through the status subresource.
  Result<nlohmann::json> replace_status(ObjectRef ref, const nlohmann::json& obj);
  Result<nlohmann::json> patch_status(ObjectRef ref, PatchType type, const nlohmann::json& body,
                                      const PatchOptions& opts = {});

  [[nodiscard]] Clock& clock() const { return clock_; }
  [[nodiscard]] RandomSource& random() const { return random_; }
  [[nodiscard]] const ClientOptions& options() const { return options_; }

 private:
  Result<HttpResponse> attempt(const Request& req, const CallContext& ctx, bool& refreshed_token);
  // Waits for the limiter within `ctx`; the request as sent, bounded by `ctx`.
  Result<Request> admit(const Request& req, const CallContext& ctx);
  bool may_retry(const Request& req, const Error& err) const;
  std::chrono::nanoseconds retry_delay(const Error& err, int attempt);
  Credentials credentials();

  std::shared_ptr<Transport> transport_;
  std::shared_ptr<TokenProvider> tokens_;
  Clock& clock_;
  RandomSource& random_;
  ClientOptions options_;
  RateLimiter limiter_;
};

// Parses a response body as JSON; a Decode error names the request.
Result<nlohmann::json> parse_json_body(std::string_view body, std::string_view what);

}  // namespace k8s
