#pragma once
// A Transport decorator that counts every request sent to the API server by
// verb as sent on the wire (GET, LIST, WATCH, POST, PUT, PATCH, DELETE) and
// outcome (the HTTP status, or "error" when no answer came): the
// rightsizer_api_requests_total metric. Retries are counted one by one, as
// they load the server. Thread-safe.
#include <memory>
#include <string>

#include "controller/metrics_registry.h"
#include "k8s/transport.h"

namespace controller {

// The verb of a request: GET of a collection is LIST, a watch is WATCH.
std::string wire_verb(const k8s::Request& req);

class CountingTransport final : public k8s::Transport {
 public:
  // `requests` must have the label names {verb, code} and outlive this.
  CountingTransport(std::shared_ptr<k8s::Transport> inner, CounterFamily& requests)
      : inner_(std::move(inner)), requests_(requests) {}

  k8s::Result<k8s::HttpResponse> send(const k8s::Request& req,
                                      const k8s::Credentials& creds) override;
  k8s::Result<k8s::StreamedResponse> stream(const k8s::Request& req,
                                            const k8s::Credentials& creds) override;

 private:
  void count(const k8s::Request& req, const std::string& code);
  std::shared_ptr<k8s::Transport> inner_;
  CounterFamily& requests_;
};

}  // namespace controller
