#pragma once
// A TLS endpoint of the test's own, with a certificate from a CA of its own,
// for transport tests that need a server that is not the API server.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "k8s/config.h"
#include "support/cluster.h"

namespace k8s::itest_support {

namespace asio = boost::asio;
namespace http = boost::beast::http;

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A CA of the test's own and a server certificate for 127.0.0.1 it signed.
struct OtherCa {
  std::string dir;
  OtherCa() {
    dir = (std::filesystem::temp_directory_path() / ("k8s-itest-ca-" + std::to_string(::getpid())))
              .string();
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/ext.cnf") << "subjectAltName=IP:127.0.0.1\n";
    auto ok = [](const std::vector<std::string>& argv) {
      auto r = itest::run(argv);
      EXPECT_TRUE(r.ok()) << r.err;
    };
    ok({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", dir + "/ca.key", "-out", dir + "/ca.crt", "-days", "1", "-subj",
        "/CN=another-ca"});
    ok({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", dir + "/srv.key", "-out", dir + "/srv.csr", "-subj", "/CN=127.0.0.1"});
    ok({"openssl", "x509", "-req", "-in", dir + "/srv.csr", "-CA", dir + "/ca.crt", "-CAkey",
        dir + "/ca.key", "-CAcreateserial", "-out", dir + "/srv.crt", "-days", "1", "-extfile",
        dir + "/ext.cnf"});
  }
  ~OtherCa() { std::filesystem::remove_all(dir); }
};

// Accepts `connections` TLS connections one after another; answers each
// HTTP request with 200 {}. Counts handshakes and requests received. With
// `drop_last`, the last request of each connection is read in full and the
// connection then closed without an answer (a server that applied a write
// and died, or a proxy that cut the connection).
class TlsServer {
 public:
  TlsServer(const OtherCa& ca, int connections, int requests_per_connection = 1,
            std::string body = "{}", bool drop_last = false)
      : ctx_(asio::ssl::context::tls_server),
        per_connection_(requests_per_connection),
        body_(std::move(body)),
        drop_last_(drop_last) {
    ctx_.use_certificate_chain_file(ca.dir + "/srv.crt");
    ctx_.use_private_key_file(ca.dir + "/srv.key", asio::ssl::context::pem);
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port = acceptor_.local_endpoint().port();
    thread_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) serve_one();
    });
  }
  ~TlsServer() { thread_.join(); }

  unsigned short port = 0;
  std::atomic<int> accepted{0};
  std::atomic<int> handshakes_ok{0};
  std::atomic<int> requests{0};
  std::atomic<int> puts{0};

 private:
  void serve_one() {
    asio::ssl::stream<asio::ip::tcp::socket> stream(ioc_, ctx_);
    boost::system::error_code ec;
    acceptor_.accept(stream.next_layer(), ec);
    if (ec) return;
    accepted++;
    stream.handshake(asio::ssl::stream_base::server, ec);
    if (ec) return;
    handshakes_ok++;
    boost::beast::flat_buffer buf;
    for (int i = 0; i < per_connection_; ++i) {
      http::request<http::string_body> req;
      http::read(stream, buf, req, ec);
      if (ec) return;
      requests++;
      if (req.method() == http::verb::put) puts++;
      if (drop_last_ && i + 1 == per_connection_) {
        stream.next_layer().close(ec);
        return;
      }
      http::response<http::string_body> resp{http::status::ok, 11};
      resp.set(http::field::content_type, "application/json");
      resp.body() = body_;
      resp.keep_alive(i + 1 < per_connection_);
      resp.prepare_payload();
      http::write(stream, resp, ec);
      if (ec) return;
    }
    stream.shutdown(ec);
  }

  asio::io_context ioc_;
  asio::ssl::context ctx_;
  int per_connection_;
  std::string body_;
  bool drop_last_;
  asio::ip::tcp::acceptor acceptor_{ioc_};
  std::thread thread_;
};

// Accepts `connections` TLS connections one after another. On each, reads
// one request (its target is kept), calls `answer` with the stream, then
// waits until the client closes the connection. With answer = nothing, a
// server that never answers.
class ScriptedTlsServer {
 public:
  using Stream = asio::ssl::stream<asio::ip::tcp::socket>;
  ScriptedTlsServer(const OtherCa& ca, int connections,
                    std::function<void(Stream&, int connection)> answer = nullptr)
      : ctx_(asio::ssl::context::tls_server), answer_(std::move(answer)) {
    ctx_.use_certificate_chain_file(ca.dir + "/srv.crt");
    ctx_.use_private_key_file(ca.dir + "/srv.key", asio::ssl::context::pem);
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port = acceptor_.local_endpoint().port();
    thread_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) serve_one(i);
    });
  }
  ~ScriptedTlsServer() { thread_.join(); }

  [[nodiscard]] std::vector<std::string> targets() {
    std::lock_guard lock(mu_);
    return targets_;
  }

  unsigned short port = 0;
  std::atomic<int> requests{0};

 private:
  void serve_one(int index) {
    Stream stream(ioc_, ctx_);
    boost::system::error_code ec;
    acceptor_.accept(stream.next_layer(), ec);
    if (ec) return;
    stream.handshake(asio::ssl::stream_base::server, ec);
    if (ec) return;
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::read(stream, buf, req, ec);
    if (ec) return;
    {
      std::lock_guard lock(mu_);
      targets_.emplace_back(req.target());
    }
    requests++;
    if (answer_) answer_(stream, index);
    char byte;
    (void)asio::read(stream.next_layer(), asio::buffer(&byte, 1), ec);  // until the client closes
  }

  asio::io_context ioc_;
  asio::ssl::context ctx_;
  std::function<void(Stream&, int)> answer_;
  asio::ip::tcp::acceptor acceptor_{ioc_};
  std::mutex mu_;
  std::vector<std::string> targets_;
  std::thread thread_;
};

inline ClusterConfig local_config(unsigned short port, const std::string& ca_pem) {
  ClusterConfig cfg;
  EXPECT_TRUE(parse_server_url("https://127.0.0.1:" + std::to_string(port), "test", cfg));
  cfg.ca_pem = ca_pem;
  cfg.token = Secret("not-for-strangers");
  return cfg;
}

}  // namespace k8s::itest_support
