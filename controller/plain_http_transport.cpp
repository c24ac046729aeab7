// Operations are started asynchronously on a per-request io_context (so that
// tcp_stream's deadline applies to each of them) and run on the calling
// thread.
#include "controller/plain_http_transport.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace controller {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using beast::error_code;

http::verb to_verb(k8s::Method m) {
  switch (m) {
    case k8s::Method::Get:
      return http::verb::get;
    case k8s::Method::Post:
      return http::verb::post;
    case k8s::Method::Put:
      return http::verb::put;
    case k8s::Method::Patch:
      return http::verb::patch;
    case k8s::Method::Delete:
      return http::verb::delete_;
  }
  return http::verb::get;
}

k8s::Error failure(const std::string& what, const error_code& ec) {
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted)
    return k8s::make_error(k8s::ErrorKind::Timeout, what + ": timed out");
  auto e = k8s::make_error(k8s::ErrorKind::Transport, what + ": " + ec.message());
  if (ec == asio::error::connection_refused) e.reason = "ConnectionRefused";
  return e;
}

class PlainHttpTransport final : public k8s::Transport {
 public:
  explicit PlainHttpTransport(PlainHttpOptions opts) : opts_(std::move(opts)) {
    const bool v6 = opts_.host.find(':') != std::string::npos;
    host_header_ = (v6 ? "[" + opts_.host + "]" : opts_.host) + ":" + opts_.port;
  }

  k8s::Result<k8s::HttpResponse> send(const k8s::Request& req,
                                      const k8s::Credentials& creds) override {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    const auto deadline = std::chrono::steady_clock::now() + opts_.timeout;
    const std::string where = opts_.host + ":" + opts_.port;
    error_code ec;
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(opts_.host, opts_.port,
                           [&](error_code e, tcp::resolver::results_type r) {
                             ec = e;
                             endpoints = std::move(r);
                           });
    // The resolver has no deadline of its own.
    ioc.run_until(deadline);
    if (!ioc.stopped())
      return k8s::make_error(k8s::ErrorKind::Timeout, "resolving " + where + ": timed out");
    if (ec) return failure("resolving " + where, ec);
    stream.expires_at(deadline);
    stream.async_connect(endpoints, [&](error_code e, const tcp::endpoint&) { ec = e; });
    run(ioc);
    if (ec) return failure("connecting to " + where, ec);
    auto beast_req = to_beast(req, creds);
    http::async_write(stream, beast_req, [&](error_code e, std::size_t) { ec = e; });
    run(ioc);
    if (ec) return failure("sending to " + where, ec);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(opts_.max_body_bytes);
    http::async_read(stream, buffer, parser, [&](error_code e, std::size_t) { ec = e; });
    run(ioc);
    if (ec == http::error::body_limit) {
      auto e = k8s::make_error(
          k8s::ErrorKind::Transport,
          "response from " + where + " exceeds " + std::to_string(opts_.max_body_bytes) + " bytes");
      e.reason = "ResponseTooLarge";
      return e;
    }
    if (ec) return failure("reading from " + where, ec);
    auto& msg = parser.get();
    k8s::HttpResponse out;
    out.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg.base())
      out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(msg.body());
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return out;
  }

  k8s::Result<k8s::StreamedResponse> stream(const k8s::Request&, const k8s::Credentials&) override {
    return k8s::make_error(k8s::ErrorKind::Transport,
                           "streamed responses need the HTTPS transport");
  }

 private:
  static void run(asio::io_context& ioc) {
    ioc.restart();
    ioc.run();
  }

  http::request<http::string_body> to_beast(const k8s::Request& req,
                                            const k8s::Credentials& creds) const {
    http::request<http::string_body> out{to_verb(req.method), req.target(), 11};
    out.set(http::field::host, host_header_);
    out.set(http::field::user_agent, "rightsizer/0.1");
    for (const auto& [k, v] : req.headers) out.set(k, v);
    if (creds.bearer_token)
      out.set(http::field::authorization, "Bearer " + creds.bearer_token->reveal());
    out.keep_alive(false);
    out.body() = req.body;
    out.prepare_payload();
    return out;
  }

  PlainHttpOptions opts_;
  std::string host_header_;
};

}  // namespace

std::shared_ptr<k8s::Transport> make_plain_http_transport(PlainHttpOptions options) {
  return std::make_shared<PlainHttpTransport>(std::move(options));
}

}  // namespace controller
