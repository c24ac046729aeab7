#include "k8s/api_client.h"

#include <spdlog/spdlog.h>
#include <algorithm>

namespace k8s {
namespace {

bool is_success(int status) {
  return status >= 200 && status < 300;
}

Error error_from(const HttpResponse& resp) {
  const std::string* retry_after = resp.header("Retry-After");
  return error_from_response(resp.status, resp.body,
                             retry_after ? *retry_after : std::string_view{});
}

}  // namespace

Result<nlohmann::json> parse_json_body(std::string_view body, std::string_view what) {
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return make_error(ErrorKind::Decode, std::string(what) + ": response body is not valid JSON");
  }
  return doc;
}

ApiClient::ApiClient(std::shared_ptr<Transport> transport, std::shared_ptr<TokenProvider> tokens,
                     Clock& clock, RandomSource& random, ClientOptions options)
    : transport_(std::move(transport)),
      tokens_(std::move(tokens)),
      clock_(clock),
      random_(random),
      options_(options),
      limiter_(options.qps, options.burst, clock) {}

ApiClient::ApiClient(const ApiClient& shared, ClientOptions options)
    : ApiClient(shared.transport_, shared.tokens_, shared.clock_, shared.random_, options) {}

Result<Request> ApiClient::admit(const Request& req, const CallContext& ctx) {
  auto what = [&] { return std::string(to_string(req.method)) + " " + req.path; };
  if (ctx.stop.stop_requested()) return make_error(ErrorKind::Cancelled, what() + ": cancelled");
  auto wait = limiter_.reserve();
  if (ctx.deadline && clock_.now() + wait >= *ctx.deadline)
    return make_error(ErrorKind::Timeout, what() + ": deadline passed before the request was sent");
  if (wait.count() > 0 && !clock_.sleep_for(wait, ctx.stop))
    return make_error(ErrorKind::Cancelled, what() + ": cancelled");
  Request bounded = req;
  bounded.stop = ctx.stop;
  if (ctx.deadline) {
    bounded.timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(*ctx.deadline - clock_.now());
  }
  return bounded;
}

Credentials ApiClient::credentials() {
  Credentials c;
  if (tokens_) c.bearer_token = tokens_->token();
  return c;
}

Result<HttpResponse> ApiClient::attempt(const Request& req, const CallContext& ctx,
                                        bool& refreshed_token) {
  auto bounded = admit(req, ctx);
  if (!bounded) return bounded.error();
  auto resp = transport_->send(*bounded, credentials());
  if (!resp) return resp.error();
  if (resp->status == 401 && tokens_ && tokens_->refreshable() && !refreshed_token) {
    // A rotated service-account token: re-read it and try once more.
    refreshed_token = true;
    tokens_->invalidate();
    spdlog::info("k8s: 401 from {} {}; re-reading the token file", to_string(req.method), req.path);
    return attempt(req, ctx, refreshed_token);
  }
  if (!is_success(resp->status)) return error_from(*resp);
  return resp;
}

namespace {

// A PUT carrying metadata.resourceVersion: a replay of an applied one can
// only be refused with 409, never overwrite another writer's change.
bool precondition_guarded(const Request& req) {
  if (req.method != Method::Put) return false;
  auto body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return false;
  auto meta = body.find("metadata");
  if (meta == body.end() || !meta->is_object()) return false;
  auto rv = meta->find("resourceVersion");
  return rv != meta->end() && rv->is_string() && !rv->get_ref<const std::string&>().empty();
}

}  // namespace

bool ApiClient::may_retry(const Request& req, const Error& err) const {
  if (!err.retryable()) return false;
  if (req.method == Method::Get) return true;
  // Throttled before it was handled (client-go's checkWait: only as told).
  if (err.kind == ErrorKind::TooManyRequests) return err.retry_after.has_value();
  // Any other failed write may have been applied: resent only when the server
  // asked for it and a replay cannot overwrite anything.
  return err.kind == ErrorKind::ServerError && err.retry_after.has_value() &&
         precondition_guarded(req);
}

std::chrono::nanoseconds ApiClient::retry_delay(const Error& err, int attempt) {
  if (err.retry_after)
    return std::min<std::chrono::nanoseconds>(*err.retry_after, options_.retry_after_cap);
  auto nominal = options_.retry_initial * (1LL << std::min(attempt, 20));
  auto capped = std::min<std::chrono::nanoseconds>(nominal, options_.retry_max);
  double spread = 0.5 + random_.uniform();  // 50 % .. 150 %
  return std::chrono::nanoseconds(static_cast<long long>(double(capped.count()) * spread));
}

Result<HttpResponse> ApiClient::execute(const Request& req, const CallContext& ctx) {
  bool refreshed_token = false;
  for (int attempt_no = 0;; ++attempt_no) {
    auto resp = attempt(req, ctx, refreshed_token);
    if (resp) return resp;
    // A write answered 5xx may have been applied before the failure (the
    // transport marks failures after the request was written).
    if (req.method != Method::Get && resp.error().http_status >= 500) {
      Error marked = resp.error();
      marked.may_have_applied = true;
      resp = std::move(marked);
    }
    const Error& err = resp.error();
    if (attempt_no + 1 >= options_.max_attempts || !may_retry(req, err)) return resp;
    auto delay = retry_delay(err, attempt_no);
    // No attempt that could not finish in time.
    if (ctx.deadline && clock_.now() + delay >= *ctx.deadline) return resp;
    spdlog::debug("k8s: {} {} failed ({}); retry {} in {} ms", to_string(req.method), req.path,
                  err.describe(), attempt_no + 1,
                  std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
    if (!clock_.sleep_for(delay, ctx.stop)) {
      return make_error(ErrorKind::Cancelled,
                        std::string(to_string(req.method)) + " " + req.path + ": cancelled");
    }
  }
}

Result<StreamedResponse> ApiClient::open_stream(const Request& req, const CallContext& ctx) {
  bool refreshed_token = false;
  for (;;) {
    auto bounded = admit(req, ctx);
    if (!bounded) return bounded.error();
    auto resp = transport_->stream(*bounded, credentials());
    if (!resp) return resp.error();
    if (is_success(resp->status)) return resp;
    HttpResponse whole{resp->status, resp->headers, {}};
    while (resp->body) {
      auto piece = resp->body->read();
      if (!piece || !*piece) break;
      whole.body += **piece;
    }
    if (whole.status == 401 && tokens_ && tokens_->refreshable() && !refreshed_token) {
      refreshed_token = true;
      tokens_->invalidate();
      continue;
    }
    return error_from(whole);
  }
}

Result<nlohmann::json> ApiClient::get(const ObjectRef& ref, const CallContext& ctx) {
  auto resp = execute(get_request(ref), ctx);
  if (!resp) return resp.error();
  return parse_json_body(resp->body, "get " + object_path(ref));
}

Result<HttpResponse> ApiClient::list_page(const ObjectRef& collection, const ListOptions& opts,
                                          const CallContext& ctx) {
  return execute(list_request(collection, opts), ctx);
}

}  // namespace k8s
