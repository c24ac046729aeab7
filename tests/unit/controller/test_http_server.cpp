#include "test_http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <mutex>
#include <thread>
#include <vector>

namespace testsupport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct TestHttpServer::Impl {
  explicit Impl(Handler h) : handler(std::move(h)) {}
  Handler handler;
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  mutable std::mutex mu;
  RecordedHttpRequest last;
  std::atomic<int> count{0};
  std::vector<std::shared_ptr<tcp::socket>> held;  // hung connections, closed at the end
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      serve(std::make_shared<tcp::socket>(std::move(socket)));
      accept();
    });
  }

  void serve(std::shared_ptr<tcp::socket> socket) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::read(*socket, buffer, req, ec);
    if (ec) return;
    RecordedHttpRequest rec{std::string(req.method_string()), std::string(req.target()), req.body(),
                            std::string(req[http::field::content_type]),
                            std::string(req[http::field::authorization])};
    {
      std::lock_guard lock(mu);
      last = rec;
    }
    count.fetch_add(1);
    const ScriptedAnswer a = handler(rec);
    if (a.hang) {
      held.push_back(socket);
      return;
    }
    if (a.close) {
      socket->close(ec);
      return;
    }
    if (!a.raw.empty()) {
      asio::write(*socket, asio::buffer(a.raw), ec);
      socket->shutdown(tcp::socket::shutdown_both, ec);
      return;
    }
    http::response<http::string_body> res{static_cast<http::status>(a.status), req.version()};
    res.set(http::field::content_type, a.content_type);
    res.keep_alive(false);
    res.body() = a.body;
    res.prepare_payload();
    http::write(*socket, res, ec);
    socket->shutdown(tcp::socket::shutdown_both, ec);
  }
};

TestHttpServer::TestHttpServer(Handler handler)
    : impl_(std::make_unique<Impl>(std::move(handler))) {
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

TestHttpServer::~TestHttpServer() {
  asio::post(impl_->io, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    for (auto& s : impl_->held) s->close(ec);
  });
  impl_->io.stop();
  impl_->thread.join();
}

unsigned short TestHttpServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string TestHttpServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port());
}

RecordedHttpRequest TestHttpServer::last_request() const {
  std::lock_guard lock(impl_->mu);
  return impl_->last;
}

int TestHttpServer::requests() const {
  return impl_->count.load();
}

}  // namespace testsupport
