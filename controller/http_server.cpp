#include "controller/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace controller {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class HttpSession;

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpRoutes routes;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::once_flag stopped;
  std::vector<std::weak_ptr<HttpSession>> sessions;  // touched on the I/O thread only

  void accept();
  [[nodiscard]] HttpResponse route(const http::request<http::string_body>& req) const;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, const HttpServer::Impl& server)
      : stream_(std::move(socket)), buffer_(server.options.max_request_bytes), server_(server) {}

  // Ends the connection; pending operations complete as aborted.
  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_request_bytes));
    parser_->body_limit(server_.options.max_request_bytes);
    stream_.expires_after(server_.options.io_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
      return respond({431, "text/plain; charset=utf-8", "request header too large\n"}, false);
    if (ec == http::error::body_limit)
      return respond({413, "text/plain; charset=utf-8", "request body too large\n"}, false);
    if (ec) return close();  // end of stream, timeout, garbage
    const auto& req = parser_->get();
    respond(server_.route(req), req.keep_alive());
  }

  void respond(const HttpResponse& r, bool keep_alive) {
    res_ = {};
    res_.version(11);
    res_.result(r.status);
    res_.set(http::field::content_type, r.content_type);
    if (r.status == 405) res_.set(http::field::allow, "GET");
    res_.keep_alive(keep_alive);
    res_.body() = r.body;
    res_.prepare_payload();
    stream_.expires_after(server_.options.io_timeout);
    http::async_write(stream_, res_,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                        if (ec || !keep_alive) return self->close();
                        self->read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  const HttpServer::Impl& server_;
};

void HttpServer::Impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      std::erase_if(sessions, [](const auto& w) { return w.expired(); });
      auto session = std::make_shared<HttpSession>(std::move(socket), *this);
      sessions.push_back(session);
      session->read();
    }
    accept();
  });
}

HttpResponse HttpServer::Impl::route(const http::request<http::string_body>& req) const {
  if (req.method() != http::verb::get) return {405, "text/plain; charset=utf-8", "use GET\n"};
  std::string_view target = req.target();
  target = target.substr(0, target.find('?'));
  const auto it = routes.find(std::string(target));
  if (it == routes.end()) return {404, "text/plain; charset=utf-8", "not found\n"};
  try {
    return it->second();
  } catch (const std::exception& e) {  // a failing handler must not end the server
    return {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n"};
  }
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  stop();
}

policies::Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpServerOptions& options,
                                                                HttpRoutes routes) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->routes = std::move(routes);
  const std::string where =
      (options.host.empty() ? std::string("*") : options.host) + ":" + std::to_string(options.port);
  beast::error_code ec;
  tcp::endpoint endpoint(asio::ip::address_v4::any(), options.port);
  if (!options.host.empty()) {
    tcp::resolver resolver(impl->io);
    const auto results = resolver.resolve(options.host, std::to_string(options.port),
                                          tcp::resolver::numeric_service, ec);
    if (ec || results.empty())
      return policies::make_error("cannot resolve " + where + ": " + ec.message());
    endpoint = results.begin()->endpoint();
  }
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return policies::make_error("cannot listen on " + where + ": " + ec.message());
  impl->accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::uint16_t HttpServer::port() const {
  beast::error_code ec;
  const auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void HttpServer::stop() {
  std::call_once(impl_->stopped, [this] {
    // On the I/O thread: close the listener and every connection; their
    // pending operations complete as aborted and run() runs out of work.
    Impl* impl = impl_.get();
    asio::post(impl->io, [impl] {
      beast::error_code ignored;
      impl->acceptor.close(ignored);
      for (const auto& w : impl->sessions)
        if (auto s = w.lock()) s->close();
    });
    if (impl->thread.joinable()) impl->thread.join();
  });
}

HttpRoutes probe_routes(std::function<bool()> ready) {
  HttpRoutes routes;
  routes["/healthz"] = [] { return HttpResponse{200, "text/plain; charset=utf-8", "ok\n"}; };
  routes["/readyz"] = [ready = std::move(ready)] {
    return ready() ? HttpResponse{200, "text/plain; charset=utf-8", "ok\n"}
                   : HttpResponse{503, "text/plain; charset=utf-8", "not ready\n"};
  };
  return routes;
}

HttpRoutes metrics_routes(const MetricsRegistry& registry) {
  HttpRoutes routes;
  routes["/metrics"] = [&registry] {
    return HttpResponse{200, std::string(kPrometheusTextContentType), registry.render()};
  };
  return routes;
}

}  // namespace controller
