#pragma once
// A scripted Transport for tests: responses and streams are queued in order;
// every request is recorded with the credentials it carried. With
// hang_when_unscripted(), a request beyond the script waits, as on a server
// that never answers, until the request's stop token (Cancelled), its timeout
// or 30 s of real time (Timeout) — a test that forgets to stop fails instead of hanging.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "k8s/transport.h"

namespace k8s::testing {

struct RecordedRequest {
  Request request;
  Credentials credentials;
};

// One scripted streamed response: its pieces, then either a clean end or `end_error`.
struct ScriptedStream {
  int status = 200;
  std::vector<std::string> pieces;
  std::optional<Error> end_error;
};

class FakeTransport final : public Transport {
 public:
  using Handler = std::function<Result<HttpResponse>(const Request&)>;

  void push(Result<HttpResponse> resp) {
    std::lock_guard lock(mu_);
    responses_.push_back(std::move(resp));
  }
  void push(int status, std::string body, std::vector<Header> headers = {}) {
    push(Result<HttpResponse>(HttpResponse{status, std::move(headers), std::move(body)}));
  }
  void push_stream(ScriptedStream s) {
    std::lock_guard lock(mu_);
    streams_.push_back(std::move(s));
  }
  void push_stream_error(Error e) {
    std::lock_guard lock(mu_);
    stream_errors_.push_back(std::move(e));
  }
  // Answers requests when the queue is empty.
  void set_handler(Handler h) {
    std::lock_guard lock(mu_);
    handler_ = std::move(h);
  }
  [[nodiscard]] std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  void hang_when_unscripted() {
    std::lock_guard lock(mu_);
    hang_ = true;
  }
  // Requests that are waiting in hang_when_unscripted() mode.
  [[nodiscard]] int hanging() const { return hanging_.load(); }
  [[nodiscard]] size_t pending_streams() const {
    std::lock_guard lock(mu_);
    return streams_.size();
  }

  Result<HttpResponse> send(const Request& req, const Credentials& creds) override {
    std::unique_lock lock(mu_);
    requests_.push_back({req, creds});
    if (!responses_.empty()) {
      auto r = std::move(responses_.front());
      responses_.pop_front();
      return r;
    }
    if (handler_) {
      auto h = handler_;
      lock.unlock();
      return h(req);
    }
    if (hang_) return hang(lock, req);
    return make_error(ErrorKind::Transport,
                      "fake transport: no scripted response for " + req.target());
  }

  Result<StreamedResponse> stream(const Request& req, const Credentials& creds) override {
    std::unique_lock lock(mu_);
    requests_.push_back({req, creds});
    if (!stream_errors_.empty()) {
      auto e = std::move(stream_errors_.front());
      stream_errors_.pop_front();
      return e;
    }
    if (streams_.empty() && hang_) return hang(lock, req).error();
    if (streams_.empty()) {
      return make_error(ErrorKind::Transport,
                        "fake transport: no scripted stream for " + req.target());
    }
    ScriptedStream s = std::move(streams_.front());
    streams_.pop_front();
    StreamedResponse out;
    out.status = s.status;
    out.body = std::make_unique<ScriptedBody>(std::move(s.pieces), std::move(s.end_error));
    return out;
  }

 private:
  class ScriptedBody final : public BodyStream {
   public:
    ScriptedBody(std::vector<std::string> pieces, std::optional<Error> end)
        : pieces_(std::make_move_iterator(pieces.begin()), std::make_move_iterator(pieces.end())),
          end_(std::move(end)) {}
    Result<std::optional<std::string>> read() override {
      if (!pieces_.empty()) {
        std::string p = std::move(pieces_.front());
        pieces_.pop_front();
        return std::optional<std::string>(std::move(p));
      }
      if (end_) return *end_;
      return std::optional<std::string>();
    }

   private:
    std::deque<std::string> pieces_;
    std::optional<Error> end_;
  };

  Result<HttpResponse> hang(std::unique_lock<std::mutex>& lock, const Request& req) {
    lock.unlock();
    hanging_++;
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock wait_lock(mu);
    // Like a real transport, the request's own timeout (real time) ends the wait.
    auto limit = std::min<std::chrono::milliseconds>(
        std::chrono::seconds(30), req.timeout.value_or(std::chrono::seconds(30)));
    (void)cv.wait_for(wait_lock, req.stop, limit, [] { return false; });
    bool cancelled = req.stop.stop_requested();
    hanging_--;
    if (cancelled) return make_error(ErrorKind::Cancelled, "fake transport: cancelled");
    return make_error(ErrorKind::Timeout, "fake transport: nobody stopped a hanging request");
  }

  mutable std::mutex mu_;
  bool hang_ = false;
  std::atomic<int> hanging_{0};
  std::deque<Result<HttpResponse>> responses_;
  std::deque<ScriptedStream> streams_;
  std::deque<Error> stream_errors_;
  Handler handler_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace k8s::testing
