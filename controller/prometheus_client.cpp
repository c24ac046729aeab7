#include "controller/prometheus_client.h"

#include <cinttypes>
#include <cstdio>

#include "controller/plain_http_transport.h"
#include "k8s/config.h"
#include "k8s/https_transport.h"

namespace controller {
namespace {

PromError config_error(std::string message) {
  return PromError{PromErrorKind::Config, std::move(message), 0, {}};
}

bool is_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

class HttpPrometheusClient final : public PrometheusQuerier {
 public:
  HttpPrometheusClient(std::shared_ptr<k8s::Transport> transport, PrometheusAddress address,
                       PrometheusOptions options)
      : transport_(std::move(transport)),
        address_(std::move(address)),
        options_(std::move(options)) {}

  PromResult<QueryResult> query(std::string_view promql,
                                std::chrono::system_clock::time_point at) override {
    k8s::Credentials creds;
    if (!options_.bearer_token_file.empty()) {
      // Re-read every time: tokens are rotated on disk.
      auto token = k8s::read_file(options_.bearer_token_file, "Prometheus bearer token file");
      if (!token) return config_error(token.error().message);
      std::string t = *token;
      while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
      creds.bearer_token = k8s::Secret(std::move(t));
    }
    auto resp = transport_->send(
        make_query_request(address_.path_prefix, promql, at, options_.timeout), creds);
    if (!resp) return from_transport_error(resp.error());
    return parse_query_response(resp->status, resp->body);
  }

 private:
  std::shared_ptr<k8s::Transport> transport_;
  PrometheusAddress address_;
  PrometheusOptions options_;
};

}  // namespace

std::string format_query_time(std::chrono::system_clock::time_point at) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  const auto sec = ms / 1000;
  const auto frac = ms % 1000;
  char buf[48];
  if (ms >= 0) {
    std::snprintf(buf, sizeof buf, "%" PRId64 ".%03" PRId64, static_cast<std::int64_t>(sec),
                  static_cast<std::int64_t>(frac));
  } else {
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms) / 1000.0);
  }
  return buf;
}

k8s::Request make_query_request(std::string_view path_prefix, std::string_view promql,
                                std::chrono::system_clock::time_point at,
                                std::chrono::milliseconds timeout) {
  k8s::Request req;
  req.method = k8s::Method::Post;
  req.path = std::string(path_prefix) + "/api/v1/query";
  req.headers = {{"Accept", "application/json"},
                 {"Content-Type", "application/x-www-form-urlencoded"}};
  // A Prometheus duration: "5000ms" (Prometheus refuses "5.000s").
  req.body = "query=" + k8s::percent_encode(promql) + "&time=" + format_query_time(at) +
             "&timeout=" + std::to_string(timeout.count()) + "ms";
  return req;
}

PromResult<PrometheusAddress> parse_prometheus_address(std::string_view address) {
  PrometheusAddress out;
  std::string_view rest;
  if (address.starts_with("http://")) {
    rest = address.substr(7);
    out.port = "80";
  } else if (address.starts_with("https://")) {
    rest = address.substr(8);
    out.tls = true;
    out.port = "443";
  } else {
    return config_error("Prometheus address \"" + std::string(address) +
                        "\" is not an http:// or https:// URL");
  }
  const auto bad = [&](const char* why) {
    return config_error("Prometheus address \"" + std::string(address) + "\" " + why);
  };
  if (rest.find_first_of(" \t\r\n?#@") != std::string_view::npos)
    return bad("has spaces, a query, a fragment or user info");
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) out.path_prefix = std::string(rest.substr(slash));
  while (!out.path_prefix.empty() && out.path_prefix.back() == '/') out.path_prefix.pop_back();
  std::string_view port;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad("has junk after the IPv6 address");
      port = authority.substr(close + 2);
      if (!is_digits(port)) return bad("has a bad port");
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    port = authority.substr(colon + 1);
    if (!is_digits(port)) return bad("has a bad port");
  } else {
    out.host = std::string(authority);
  }
  if (out.host.empty()) return bad("has no host");
  if (!port.empty()) {
    if (port.size() > 5 || std::stoi(std::string(port)) > 65535 ||
        std::stoi(std::string(port)) == 0)
      return bad("has a bad port");
    out.port = std::string(port);
  }
  return out;
}

PromError from_transport_error(const k8s::Error& error) {
  PromError out{PromErrorKind::Unreachable, error.message, error.http_status, {}};
  if (error.kind == k8s::ErrorKind::Timeout || error.kind == k8s::ErrorKind::Cancelled) {
    out.kind = PromErrorKind::Timeout;
  } else if (error.kind == k8s::ErrorKind::Config) {
    out.kind = PromErrorKind::Config;
  } else if (error.reason == "ConnectionRefused" ||
             error.message.find("Connection refused") != std::string::npos) {
    // The HTTPS transport of k8s/ says so only in its message.
    out.kind = PromErrorKind::ConnectionRefused;
  } else if (error.reason == "ResponseTooLarge" ||
             error.message.find("response body exceeds") != std::string::npos) {
    out.kind = PromErrorKind::ResponseTooLarge;
  }
  return out;
}

std::unique_ptr<PrometheusQuerier> make_prometheus_client(std::shared_ptr<k8s::Transport> transport,
                                                          PrometheusAddress address,
                                                          PrometheusOptions options) {
  return std::make_unique<HttpPrometheusClient>(std::move(transport), std::move(address),
                                                std::move(options));
}

PromResult<std::unique_ptr<PrometheusQuerier>> make_prometheus_client(
    const PrometheusOptions& options) {
  auto address = parse_prometheus_address(options.address);
  if (!address) return address.error();
  if (options.timeout.count() <= 0) return config_error("Prometheus timeout must be positive");
  std::shared_ptr<k8s::Transport> transport;
  if (!address->tls) {
    transport = make_plain_http_transport(
        {address->host, address->port, options.timeout, options.max_response_bytes});
  } else {
    k8s::ClusterConfig cfg;
    cfg.server = options.address;
    cfg.host = address->host;
    cfg.port = address->port;
    cfg.source = "Prometheus " + options.address;
    if (!options.ca_file.empty()) {
      auto ca = k8s::read_file(options.ca_file, "Prometheus CA file");
      if (!ca) return config_error(ca.error().message);
      cfg.ca_pem = *ca;
    }
    // k8s/' transport counts whole seconds: round the timeout up.
    const auto secs = std::chrono::ceil<std::chrono::seconds>(options.timeout);
    k8s::TransportOptions topts;
    topts.connect_timeout = secs;
    topts.request_timeout = secs;
    topts.max_body_bytes = options.max_response_bytes;
    auto made = k8s::make_https_transport(cfg, topts);
    if (!made) return config_error(made.error().message);
    transport = *made;
  }
  return std::unique_ptr<PrometheusQuerier>(
      make_prometheus_client(std::move(transport), std::move(*address), options));
}

}  // namespace controller
