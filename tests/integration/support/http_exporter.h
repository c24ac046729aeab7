#pragma once
// A tiny HTTP server on 127.0.0.1 (free port) that answers GET /metrics with
// a body the test sets: a Prometheus scrape target owned by the test.
// Thread-safe: set_body() may be called while scrapes run.
#include <memory>
#include <string>

namespace itest {

class HttpExporter {
 public:
  HttpExporter();
  ~HttpExporter();
  HttpExporter(const HttpExporter&) = delete;
  HttpExporter& operator=(const HttpExporter&) = delete;

  unsigned short port() const;
  std::string address() const;  // "127.0.0.1:PORT"
  void set_body(std::string body);
  int scrapes() const;  // requests answered so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace itest
