#include "controller/http_server.h"

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <future>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using controller::HttpServer;
using namespace std::chrono_literals;

constexpr auto kBound = 10s;

// A blocking client on 127.0.0.1 whose socket gives up after kBound.
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(io_) {
    stream_.expires_after(kBound);
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  http::response<http::string_body> get(const std::string& target,
                                        http::verb verb = http::verb::get,
                                        const std::string& extra_header = "") {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!extra_header.empty()) req.set("X-Big", extra_header);
    stream_.expires_after(kBound);
    http::write(stream_, req);
    return read();
  }
  http::response<http::string_body> read() {
    http::response<http::string_body> res;
    stream_.expires_after(kBound);
    http::read(stream_, buffer_, res);
    return res;
  }
  // Blocks until the server closes the connection (bounded); true on EOF.
  bool closed_by_server() {
    char c;
    beast::error_code ec;
    stream_.expires_after(kBound);
    stream_.socket().read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

class HttpServerTest : public testing::Test {
 protected:
  void SetUp() override { start({}); }
  void start(controller::HttpServerOptions options) {
    controller::HttpRoutes routes = controller::probe_routes([this] { return ready_.load(); });
    routes.merge(controller::metrics_routes(registry_));
    routes["/boom"] = []() -> controller::HttpResponse { throw std::runtime_error("handler bug"); };
    auto server = HttpServer::start(options, std::move(routes));
    ASSERT_TRUE(server.ok()) << server.error();
    server_ = std::move(server).value();
    ASSERT_NE(server_->port(), 0);
  }
  std::atomic<bool> ready_{false};
  controller::MetricsRegistry registry_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, HealthzReadyzAndMetrics) {
  registry_.counter("rightsizer_test_total", "A test counter.").with().inc(3);
  Client client(server_->port());
  auto healthz = client.get("/healthz");
  EXPECT_EQ(healthz.result_int(), 200U);
  EXPECT_EQ(healthz.body(), "ok\n");
  EXPECT_EQ(client.get("/readyz").result_int(), 503U);
  ready_ = true;
  EXPECT_EQ(client.get("/readyz?verbose").result_int(), 200U);
  auto metrics = client.get("/metrics");  // same connection: keep-alive
  EXPECT_EQ(metrics.result_int(), 200U);
  EXPECT_EQ(metrics[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body().find("rightsizer_test_total 3\n"), std::string::npos) << metrics.body();
}

TEST_F(HttpServerTest, UnknownPathsMethodsAndFailingHandlers) {
  Client client(server_->port());
  EXPECT_EQ(client.get("/nope").result_int(), 404U);
  EXPECT_EQ(client.get("/healthz/").result_int(), 404U);
  auto post = client.get("/healthz", http::verb::post);
  EXPECT_EQ(post.result_int(), 405U);
  EXPECT_EQ(post[http::field::allow], "GET");
  EXPECT_EQ(client.get("/boom").result_int(), 500U);
  EXPECT_EQ(client.get("/healthz").result_int(), 200U);  // still serving
}

TEST_F(HttpServerTest, OversizedRequestIsRefusedAndClosed) {
  Client client(server_->port());
  auto res = client.get("/healthz", http::verb::get, std::string(9000, 'x'));
  EXPECT_EQ(res.result_int(), 431U);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpServerTest, StopIsPromptWithAnIdleConnectionOpen) {
  Client idle(server_->port());
  EXPECT_EQ(idle.get("/healthz").result_int(), 200U);  // connected and kept alive
  auto stopped = std::async(std::launch::async, [&] { server_->stop(); });
  ASSERT_EQ(stopped.wait_for(kBound), std::future_status::ready);
  EXPECT_TRUE(idle.closed_by_server());
  server_->stop();  // twice is fine
}

TEST_F(HttpServerTest, AfterStopNewConnectionsAreRefused) {
  const auto port = server_->port();
  server_->stop();
  asio::io_context io;
  tcp::socket s(io);
  beast::error_code ec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_TRUE(ec) << "connected after stop";
}

TEST_F(HttpServerTest, IdleConnectionsTimeOut) {
  server_.reset();
  start({.host = "127.0.0.1", .port = 0, .max_request_bytes = 8192, .io_timeout = 200ms});
  Client idle(server_->port());
  EXPECT_TRUE(idle.closed_by_server());
}

TEST(HttpServer, ABusyPortIsAnErrorValue) {
  auto first = HttpServer::start({}, {});
  ASSERT_TRUE(first.ok()) << first.error();
  auto second = HttpServer::start(
      {.host = "127.0.0.1", .port = (*first)->port(), .max_request_bytes = 8192, .io_timeout = 10s},
      {});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("cannot listen on 127.0.0.1:"), std::string::npos)
      << second.error();
  EXPECT_FALSE(
      HttpServer::start(
          {.host = "no such host.invalid", .port = 0, .max_request_bytes = 8192, .io_timeout = 10s},
          {})
          .ok());
}

}  // namespace
