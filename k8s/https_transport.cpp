// The only code in k8s/ that touches sockets. Each connection owns its own
// io_context; operations are started asynchronously (so that tcp_stream's
// per-operation timeouts apply) and run to completion on the calling thread.
#include "k8s/https_transport.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <spdlog/spdlog.h>
#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <deque>
#include <functional>
#include <mutex>
#include <stop_token>
#include <vector>

namespace k8s {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using beast::error_code;

constexpr std::string_view kUserAgent = "rightsizer-k8s/0.1";
constexpr auto kMaxIdle = std::chrono::seconds(45);

// Resent after a failure once the request was written, as Go's net/http
// does (GET/HEAD/OPTIONS/TRACE). A PUT or DELETE is not: between the first
// and the second copy another writer may have acted on the object (a PUT
// with an old resourceVersion then conflicts, a DELETE may remove a
// re-created object), and the caller cannot tell which copy did what.
bool replayable(Method m) {
  return m == Method::Get;
}

http::verb to_verb(Method m) {
  switch (m) {
    case Method::Get:
      return http::verb::get;
    case Method::Post:
      return http::verb::post;
    case Method::Put:
      return http::verb::put;
    case Method::Patch:
      return http::verb::patch;
    case Method::Delete:
      return http::verb::delete_;
  }
  return http::verb::get;
}

Error transport_error(const std::string& what, const error_code& ec) {
  if (ec == beast::error::timeout) return make_error(ErrorKind::Timeout, what + ": timed out");
  if (ec == asio::error::operation_aborted)
    return make_error(ErrorKind::Cancelled, what + ": cancelled");
  return make_error(ErrorKind::Transport, what + ": " + ec.message());
}

bool is_ip_address(const std::string& host) {
  error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

// A request's own timeout, when shorter, bounds each operation.
std::chrono::steady_clock::duration bounded(std::chrono::steady_clock::duration t,
                                            const Request& req) {
  if (!req.timeout) return t;
  return std::max<std::chrono::steady_clock::duration>(
      std::chrono::steady_clock::duration::zero(),
      std::min<std::chrono::steady_clock::duration>(t, *req.timeout));
}

Error cancelled(const std::string& what) {
  return make_error(ErrorKind::Cancelled, what + ": cancelled");
}

// One TLS connection. Used by one thread at a time.
struct Connection {
  asio::io_context ioc;
  ssl::stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since;

  explicit Connection(ssl::context& ctx) : stream(ioc, ctx) {}

  // Runs the started operation(s) to completion on this thread.
  void run() {
    ioc.restart();
    ioc.run();
  }
  void expire_after(std::chrono::steady_clock::duration t) {
    beast::get_lowest_layer(stream).expires_after(t);
  }
  void close() {
    error_code ignored;
    beast::get_lowest_layer(stream).socket().close(ignored);
  }
};

// While alive, a stop request closes `conn` from the requesting thread: the
// operation running on it ends at once (reported as Cancelled by the caller).
using StopCloser = std::stop_callback<std::function<void()>>;
std::unique_ptr<StopCloser> close_on_stop(Connection& conn, const std::stop_token& stop) {
  return std::make_unique<StopCloser>(
      stop, std::function<void()>([&conn] { asio::post(conn.ioc, [&conn] { conn.close(); }); }));
}

// Dead peers are found by TCP keepalive probes, not only by our timeouts:
// an idle pooled connection or a quiet watch whose peer vanished fails
// within idle + interval × probes.
void enable_keepalive(Connection& conn, const TransportOptions& opts) {
  auto& sock = beast::get_lowest_layer(conn.stream).socket();
  error_code ec;
  sock.set_option(asio::socket_base::keep_alive(true), ec);
  int fd = sock.native_handle();
  int idle = static_cast<int>(opts.keepalive_idle.count());
  int interval = static_cast<int>(opts.keepalive_interval.count());
  int probes = opts.keepalive_probes;
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
}

struct Endpoint {
  std::string host;  // to connect to
  std::string port;
  std::string server_name;  // for SNI and certificate verification
  std::string host_header;
};

std::vector<Header> copy_headers(const http::fields& fields) {
  std::vector<Header> out;
  for (const auto& f : fields)
    out.emplace_back(std::string(f.name_string()), std::string(f.value()));
  return out;
}

http::request<http::string_body> to_beast(const Request& req, const Credentials& creds,
                                          const Endpoint& ep) {
  http::request<http::string_body> out{to_verb(req.method), req.target(), 11};
  out.set(http::field::host, ep.host_header);
  out.set(http::field::user_agent, kUserAgent);
  for (const auto& [k, v] : req.headers) out.set(k, v);
  if (creds.bearer_token)
    out.set(http::field::authorization, "Bearer " + creds.bearer_token->reveal());
  out.keep_alive(true);
  out.body() = req.body;
  out.prepare_payload();
  return out;
}

// A watch body: reads the chunked (or length-delimited) body piece by piece.
class BeastBodyStream final : public BodyStream {
 public:
  BeastBodyStream(std::unique_ptr<Connection> conn,
                  std::unique_ptr<http::response_parser<http::buffer_body>> parser,
                  std::chrono::seconds idle, const std::stop_token& stop)
      : conn_(std::move(conn)), parser_(std::move(parser)), idle_(idle) {
    stop_ = std::make_unique<std::stop_callback<std::function<void()>>>(
        stop, std::function<void()>([this] { cancel(); }));
  }
  ~BeastBodyStream() override { stop_.reset(); }  // before the connection goes

  Result<std::optional<std::string>> read() override {
    for (;;) {
      if (cancelled_.load()) return make_error(ErrorKind::Cancelled, "stream cancelled");
      if (parser_->is_done()) return std::optional<std::string>();
      parser_->get().body().data = buf_.data();
      parser_->get().body().size = buf_.size();
      error_code ec;
      conn_->expire_after(idle_);
      http::async_read_some(conn_->stream, conn_->buffer, *parser_,
                            [&](error_code e, std::size_t) { ec = e; });
      conn_->run();
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return transport_error("reading stream", ec);
      std::size_t got = buf_.size() - parser_->get().body().size;
      if (got > 0) return std::optional<std::string>(std::string(buf_.data(), got));
    }
  }

  void cancel() override {
    cancelled_.store(true);
    asio::post(conn_->ioc, [conn = conn_.get()] { conn->close(); });
  }

 private:
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<http::response_parser<http::buffer_body>> parser_;
  std::chrono::seconds idle_;
  // One TLS record's worth: a watch event larger than this arrives in pieces,
  // which the watcher joins into lines. Eight watches hold one each.
  std::array<char, 16 * 1024> buf_;
  std::atomic<bool> cancelled_{false};
  std::unique_ptr<std::stop_callback<std::function<void()>>> stop_;
};

class HttpsTransport final : public Transport {
 public:
  HttpsTransport(std::unique_ptr<ssl::context> ctx, Endpoint ep, bool verify, TransportOptions opts)
      : ctx_(std::move(ctx)),
        ep_(std::move(ep)),
        verify_(verify),
        opts_(opts),
        lookup_(opts_.resolver ? opts_.resolver : make_system_resolver()) {}

  Result<HttpResponse> send(const Request& req, const Credentials& creds) override;
  Result<StreamedResponse> stream(const Request& req, const Credentials& creds) override;

 private:
  Result<std::unique_ptr<Connection>> connect(const Request& req);
  Result<std::unique_ptr<Connection>> checkout(const Request& req, bool& reused);
  Result<std::vector<tcp::endpoint>> resolve(const Request& req);
  void checkin(std::unique_ptr<Connection> conn);
  Result<HttpResponse> exchange(Connection& conn, const http::request<http::string_body>& req,
                                const Request& plain, bool& keep, bool& sent_before_failure);

  std::unique_ptr<ssl::context> ctx_;
  Endpoint ep_;
  bool verify_;
  TransportOptions opts_;
  BoundedNameLookup lookup_;
  std::mutex mu_;
  std::deque<std::unique_ptr<Connection>> idle_;
};

// An IP address is used as it is; a name is looked up under the connect
// timeout and the stop token (see BoundedNameLookup).
Result<std::vector<tcp::endpoint>> HttpsTransport::resolve(const Request& req) {
  std::vector<std::string> addresses{ep_.host};
  if (!is_ip_address(ep_.host)) {
    auto found = lookup_.resolve(ep_.host, bounded(opts_.connect_timeout, req), req.stop);
    if (!found) return found.error();
    addresses = std::move(*found);
  }
  unsigned short port = 0;
  auto [end, err] = std::from_chars(ep_.port.data(), ep_.port.data() + ep_.port.size(), port);
  if (err != std::errc() || end != ep_.port.data() + ep_.port.size())
    return make_error(ErrorKind::Config, "port '" + ep_.port + "' is not a TCP port");
  std::vector<tcp::endpoint> out;
  for (const auto& a : addresses) {
    error_code ec;
    auto address = asio::ip::make_address(a, ec);
    if (!ec) out.emplace_back(address, port);
  }
  if (out.empty()) return make_error(ErrorKind::Transport, ep_.host + ": no usable address");
  return out;
}

Result<std::unique_ptr<Connection>> HttpsTransport::connect(const Request& req) {
  auto conn = std::make_unique<Connection>(*ctx_);
  const std::string what = "connecting to " + ep_.host + ":" + ep_.port;
  if (!is_ip_address(ep_.server_name) &&
      !SSL_set_tlsext_host_name(conn->stream.native_handle(), ep_.server_name.c_str())) {
    return make_error(ErrorKind::Transport, what + ": cannot set SNI");
  }
  if (verify_) {
    // OpenSSL's own check, never against the subject CN: a certificate
    // without subjectAltName is refused, as Go (>= 1.15) refuses it.
    X509_VERIFY_PARAM* param = SSL_get0_param(conn->stream.native_handle());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
    int set = is_ip_address(ep_.server_name)
                  ? X509_VERIFY_PARAM_set1_ip_asc(param, ep_.server_name.c_str())
                  : X509_VERIFY_PARAM_set1_host(param, ep_.server_name.c_str(), 0);
    if (set != 1) return make_error(ErrorKind::Transport, what + ": cannot set the host to verify");
    conn->stream.set_verify_mode(ssl::verify_peer);
  } else {
    conn->stream.set_verify_mode(ssl::verify_none);
  }
  auto endpoints = resolve(req);
  if (!endpoints) {
    Error err = endpoints.error();
    err.message = what + ": " + err.message;
    return err;
  }
  error_code ec;
  auto closer = close_on_stop(*conn, req.stop);
  conn->expire_after(bounded(opts_.connect_timeout, req));
  beast::get_lowest_layer(conn->stream)
      .async_connect(*endpoints, [&](error_code e, const tcp::endpoint&) { ec = e; });
  conn->run();
  if (req.stop.stop_requested()) return cancelled(what);
  if (ec) return transport_error(what, ec);
  enable_keepalive(*conn, opts_);
  conn->expire_after(bounded(opts_.connect_timeout, req));
  conn->stream.async_handshake(ssl::stream_base::client, [&](error_code e) { ec = e; });
  conn->run();
  if (req.stop.stop_requested()) return cancelled(what);
  if (ec) return transport_error(what + " (TLS handshake)", ec);
  return conn;
}

Result<std::unique_ptr<Connection>> HttpsTransport::checkout(const Request& req, bool& reused) {
  {
    std::lock_guard lock(mu_);
    // Servers close idle connections; an old one would likely fail mid-request.
    auto now = std::chrono::steady_clock::now();
    std::erase_if(idle_, [&](const auto& c) { return now - c->idle_since > kMaxIdle; });
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      reused = true;
      return conn;
    }
  }
  reused = false;
  return connect(req);
}

void HttpsTransport::checkin(std::unique_ptr<Connection> conn) {
  conn->idle_since = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (idle_.size() < opts_.max_idle_connections) idle_.push_back(std::move(conn));
}

Result<HttpResponse> HttpsTransport::exchange(Connection& conn,
                                              const http::request<http::string_body>& req,
                                              const Request& plain, bool& keep,
                                              bool& sent_before_failure) {
  sent_before_failure = true;
  error_code ec;
  auto closer = close_on_stop(conn, plain.stop);
  conn.expire_after(bounded(opts_.request_timeout, plain));
  http::async_write(conn.stream, req, [&](error_code e, std::size_t) { ec = e; });
  conn.run();
  if (ec) {
    sent_before_failure = false;
    if (plain.stop.stop_requested()) return cancelled("sending request");
    return transport_error("sending request", ec);
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(opts_.max_body_bytes);
  conn.expire_after(bounded(opts_.request_timeout, plain));
  http::async_read(conn.stream, conn.buffer, parser, [&](error_code e, std::size_t) { ec = e; });
  conn.run();
  if (opts_.exchange_test_hook) opts_.exchange_test_hook();
  // After this no close can be queued on the connection; one queued before
  // would close the socket under the next user, so a connection that saw a
  // stop is never pooled. A response read in full is still the answer.
  closer.reset();
  bool stopped = plain.stop.stop_requested();
  if (ec && stopped) return cancelled("reading response");
  if (ec == http::error::body_limit) {
    return make_error(ErrorKind::Transport, "response body exceeds " +
                                                std::to_string(opts_.max_body_bytes) +
                                                " bytes (page the request with limit/continue)");
  }
  if (ec) return transport_error("reading response", ec);
  auto& msg = parser.get();
  keep = msg.keep_alive() && !stopped;
  if (opts_.exchange_test_hook) opts_.exchange_test_hook();
  return HttpResponse{static_cast<int>(msg.result_int()), copy_headers(msg.base()),
                      std::move(msg.body())};
}

Result<HttpResponse> HttpsTransport::send(const Request& req, const Credentials& creds) {
  auto beast_req = to_beast(req, creds, ep_);
  for (int round = 0;; ++round) {
    bool reused = false;
    auto conn = checkout(req, reused);
    if (!conn) return conn.error();
    bool keep = false;
    bool sent = false;
    auto resp = exchange(**conn, beast_req, req, keep, sent);
    if (resp) {
      if (keep) checkin(std::move(*conn));
      return resp;
    }
    // A pooled connection the server already closed: retry once on a fresh
    // one, unless a write may have reached the server.
    if (sent && !replayable(req.method)) {
      Error err = resp.error();
      err.may_have_applied = true;
      err.message += " (after the request was sent: it may have been applied)";
      return err;
    }
    if (!reused || round > 0 || resp.error().kind != ErrorKind::Transport) return resp;
    spdlog::debug("k8s: reused connection failed ({}); reconnecting", resp.error().message);
  }
}

Result<StreamedResponse> HttpsTransport::stream(const Request& req, const Credentials& creds) {
  auto conn = connect(req);  // a watch holds its connection for its whole life
  if (!conn) return conn.error();
  auto beast_req = to_beast(req, creds, ep_);
  error_code ec;
  auto closer = close_on_stop(**conn, req.stop);
  (*conn)->expire_after(bounded(opts_.request_timeout, req));
  http::async_write((*conn)->stream, beast_req, [&](error_code e, std::size_t) { ec = e; });
  (*conn)->run();
  if (req.stop.stop_requested()) return cancelled("sending watch request");
  if (ec) return transport_error("sending watch request", ec);
  auto parser = std::make_unique<http::response_parser<http::buffer_body>>();
  parser->body_limit(boost::none);  // a watch body has no end
  (*conn)->expire_after(bounded(opts_.request_timeout, req));
  http::async_read_header((*conn)->stream, (*conn)->buffer, *parser,
                          [&](error_code e, std::size_t) { ec = e; });
  (*conn)->run();
  closer.reset();  // the body stream takes over
  if (req.stop.stop_requested()) return cancelled("reading watch response head");
  if (ec) return transport_error("reading watch response head", ec);
  StreamedResponse out;
  out.status = static_cast<int>(parser->get().result_int());
  out.headers = copy_headers(parser->get().base());
  out.body = std::make_unique<BeastBodyStream>(std::move(*conn), std::move(parser),
                                               opts_.stream_idle_timeout, req.stop);
  return out;
}

Result<std::unique_ptr<ssl::context>> make_tls_context(const ClusterConfig& cfg) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  error_code ec;
  if (!cfg.ca_pem.empty()) {
    ctx->add_certificate_authority(asio::buffer(cfg.ca_pem), ec);
    if (ec)
      return make_error(ErrorKind::Config,
                        cfg.source + ": certificate authority is not a PEM certificate");
  } else {
    ctx->set_default_verify_paths(ec);
  }
  if (!cfg.client_cert_pem.empty()) {
    ctx->use_certificate_chain(asio::buffer(cfg.client_cert_pem.reveal()), ec);
    if (ec)
      return make_error(ErrorKind::Config,
                        cfg.source + ": client certificate is not a PEM certificate");
    ctx->use_private_key(asio::buffer(cfg.client_key_pem.reveal()), ssl::context::pem, ec);
    if (ec)
      return make_error(ErrorKind::Config,
                        cfg.source + ": client key is not a PEM key for the certificate");
  }
  return ctx;
}

}  // namespace

Result<std::shared_ptr<Transport>> make_https_transport(const ClusterConfig& cfg,
                                                        const TransportOptions& opts) {
  auto ctx = make_tls_context(cfg);
  if (!ctx) return ctx.error();
  Endpoint ep;
  ep.host = cfg.host;
  ep.port = cfg.port;
  ep.server_name = cfg.tls_server_name.empty() ? cfg.host : cfg.tls_server_name;
  bool v6 = cfg.host.find(':') != std::string::npos;
  ep.host_header = (v6 ? "[" + cfg.host + "]" : cfg.host) + ":" + cfg.port;
  if (cfg.insecure_skip_tls_verify) {
    spdlog::warn("INSECURE: TLS verification of {} is disabled (insecure-skip-tls-verify)",
                 cfg.server);
  }
  return std::shared_ptr<Transport>(std::make_shared<HttpsTransport>(
      std::move(*ctx), std::move(ep), !cfg.insecure_skip_tls_verify, opts));
}

}  // namespace k8s
