#include "support/http_exporter.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <mutex>
#include <thread>

namespace itest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpExporter::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::mutex mu;
  std::string body;
  std::atomic<int> scrapes{0};
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // acceptor closed
      serve(std::move(socket));
      accept();
    });
  }

  // One request per connection, answered synchronously: scrapes are tiny.
  void serve(tcp::socket socket) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) return;
    http::response<http::string_body> res;
    res.version(req.version());
    res.keep_alive(false);
    if (req.target() == "/metrics") {
      res.result(http::status::ok);
      res.set(http::field::content_type, "text/plain; version=0.0.4");
      std::lock_guard lock(mu);
      res.body() = body;
    } else {
      res.result(http::status::not_found);
    }
    res.prepare_payload();
    http::write(socket, res, ec);
    scrapes.fetch_add(1);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
};

HttpExporter::HttpExporter() : impl_(std::make_unique<Impl>()) {
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

HttpExporter::~HttpExporter() {
  asio::post(impl_->io, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->io.stop();
  impl_->thread.join();
}

unsigned short HttpExporter::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string HttpExporter::address() const {
  return "127.0.0.1:" + std::to_string(port());
}

void HttpExporter::set_body(std::string body) {
  std::lock_guard lock(impl_->mu);
  impl_->body = std::move(body);
}

int HttpExporter::scrapes() const {
  return impl_->scrapes.load();
}

}  // namespace itest
