#pragma once
// The Prometheus HTTP API, as the SLO gate uses it: instant queries
// (POST /api/v1/query) answering a scalar or an instant vector. Every way a
// query can fail is a distinct, named error value, so that the gate can fail
// closed and say why; nothing here throws.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "k8s/request.h"
#include "k8s/transport.h"

namespace controller {

enum class PromErrorKind {
  ConnectionRefused,     // nothing listens at the address
  Unreachable,           // name resolution, TLS, a dropped connection
  Timeout,               // the query ran past its timeout
  ResponseTooLarge,      // the body exceeds the configured bound
  HttpClientError,       // a non-2xx answer (not 5xx) without a Prometheus error body
  HttpServerError,       // a 5xx answer without a Prometheus error body
  QueryError,            // Prometheus answered "status": "error" (bad PromQL, timeout...)
  BadResponse,           // not JSON, or JSON that is not an API answer
  UnexpectedResultType,  // a range vector or a string where a value was expected
  SeveralSeries,         // several series where the caller expected one
  Config,                // a bad address, an unreadable CA or token file
};

std::string_view to_string(PromErrorKind kind);

struct PromError {
  PromErrorKind kind = PromErrorKind::Unreachable;
  std::string message;     // one line; never contains the bearer token
  int http_status = 0;     // 0 when no HTTP answer was received
  std::string error_type;  // Prometheus' errorType ("bad_data", "timeout", ...)

  // "QueryError: bad_data: parse error..." — for logs, status and the CLI.
  [[nodiscard]] std::string describe() const;
};

template <class T>
class [[nodiscard]] PromResult {
 public:
  PromResult(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  PromResult(PromError error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const PromError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, PromError> v_;
};

// One series of an instant vector (or the value of a scalar: no labels).
struct Sample {
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;  // may be NaN or ±Inf, as Prometheus sends them
};

enum class ResultType { Scalar, Vector };

struct QueryResult {
  ResultType type = ResultType::Vector;
  std::vector<Sample> samples;        // a scalar has exactly one
  std::vector<std::string> warnings;  // may mean partial data: fails a check
  std::vector<std::string> infos;     // notes only (e.g. "metric might not be a counter")
};

// Parses an HTTP answer of /api/v1/query (status code and body).
PromResult<QueryResult> parse_query_response(int http_status, std::string_view body);

// The value of a result that should hold one series: nullopt when it holds
// none (no data); a SeveralSeries error when it holds more.
PromResult<std::optional<double>> single_value(const QueryResult& result);

// "1700000000.123": the `time` parameter of a query.
std::string format_query_time(std::chrono::system_clock::time_point at);

// The POST form request of an instant query. `path_prefix` is the path of
// the configured address ("" or "/prometheus"); `timeout` is also sent to
// Prometheus so that it stops evaluating when the client stops waiting.
k8s::Request make_query_request(std::string_view path_prefix, std::string_view promql,
                                std::chrono::system_clock::time_point at,
                                std::chrono::milliseconds timeout);

// What crosses the boundary to Prometheus: the SLO gate and tests use this.
// Implementations are safe to call from several threads at once.
class PrometheusQuerier {
 public:
  virtual ~PrometheusQuerier() = default;
  virtual PromResult<QueryResult> query(std::string_view promql,
                                        std::chrono::system_clock::time_point at) = 0;
};

struct PrometheusAddress {
  bool tls = false;
  std::string host;  // without IPv6 brackets
  std::string port;  // "80" / "443" when not given
  std::string path_prefix;
};

// "http://prometheus.monitoring:9090", "https://[::1]:9090/prom".
PromResult<PrometheusAddress> parse_prometheus_address(std::string_view address);

struct PrometheusOptions {
  std::string address;
  std::chrono::milliseconds timeout{5000};  // per query, connection included
  std::string ca_file;                      // https: the CA to verify against ("" = system)
  std::string bearer_token_file;            // re-read for every query when set
  std::size_t max_response_bytes = 4u << 20;
};

// The HTTP client over `transport` (tests pass a fake or a test server's).
std::unique_ptr<PrometheusQuerier> make_prometheus_client(std::shared_ptr<k8s::Transport> transport,
                                                          PrometheusAddress address,
                                                          PrometheusOptions options);

// The production client: plain HTTP or HTTPS by the address' scheme.
PromResult<std::unique_ptr<PrometheusQuerier>> make_prometheus_client(
    const PrometheusOptions& options);

// Maps a transport failure to a named error.
PromError from_transport_error(const k8s::Error& error);

}  // namespace controller
