#include "controller/counting_transport.h"

#include <string_view>
#include <vector>

namespace controller {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    auto slash = path.find('/');
    auto part = path.substr(0, slash);
    if (!part.empty()) out.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// A path names a collection when what follows the API prefix (/api/v1 or
// /apis/<group>/<version>) and an optional namespaces/<ns> is the plural alone.
bool is_collection(std::string_view path) {
  auto parts = segments(path);
  std::size_t at = 0;
  if (!parts.empty() && parts[0] == "api") {
    at = 2;
  } else if (!parts.empty() && parts[0] == "apis") {
    at = 3;
  } else {
    return false;
  }
  if (parts.size() > at + 2 && parts[at] == "namespaces") at += 2;
  return parts.size() == at + 1;
}

}  // namespace

std::string wire_verb(const k8s::Request& req) {
  switch (req.method) {
    case k8s::Method::Get:
      if (req.is_watch) return "WATCH";
      return is_collection(req.path) ? "LIST" : "GET";
    case k8s::Method::Post:
      return "POST";
    case k8s::Method::Put:
      return "PUT";
    case k8s::Method::Patch:
      return "PATCH";
    case k8s::Method::Delete:
      return "DELETE";
  }
  return "GET";
}

void CountingTransport::count(const k8s::Request& req, const std::string& code) {
  requests_.with({wire_verb(req), code}).inc();
}

k8s::Result<k8s::HttpResponse> CountingTransport::send(const k8s::Request& req,
                                                       const k8s::Credentials& creds) {
  auto r = inner_->send(req, creds);
  count(req, r ? std::to_string(r->status) : "error");
  return r;
}

k8s::Result<k8s::StreamedResponse> CountingTransport::stream(const k8s::Request& req,
                                                             const k8s::Credentials& creds) {
  auto r = inner_->stream(req, creds);
  count(req, r ? std::to_string(r->status) : "error");
  return r;
}

}  // namespace controller
