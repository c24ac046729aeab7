#pragma once
// A scripted HTTP server on 127.0.0.1 (port 0) for unit tests of HTTP
// clients: each request is answered by a handler the test sets. A handler
// may ask to hold the connection open without answering (to test timeouts)
// or to close it at once. The last request is recorded.
#include <functional>
#include <memory>
#include <string>

namespace testsupport {

struct RecordedHttpRequest {
  std::string method;
  std::string target;
  std::string body;
  std::string content_type;
  std::string authorization;
};

struct ScriptedAnswer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  bool hang = false;     // never answer; the connection stays open until the server stops
  bool close = false;    // close the connection without answering
  std::string raw = {};  // if set, these bytes are sent verbatim instead (status line and all)
};

class TestHttpServer {
 public:
  using Handler = std::function<ScriptedAnswer(const RecordedHttpRequest&)>;
  explicit TestHttpServer(Handler handler);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  unsigned short port() const;
  std::string url() const;  // "http://127.0.0.1:PORT"
  RecordedHttpRequest last_request() const;
  int requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace testsupport
