#include "k8s/request.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace k8s {
namespace {

constexpr std::string_view kJson = "application/json";

Request base(Method method, std::string path) {
  Request r;
  r.method = method;
  r.path = std::move(path);
  r.headers.emplace_back("Accept", std::string(kJson));
  return r;
}

void add_if(Request& r, const char* key, const std::string& value) {
  if (!value.empty()) r.query.emplace_back(key, value);
}

void add_write_options(Request& r, bool dry_run, const std::string& field_manager) {
  if (dry_run) r.query.emplace_back("dryRun", "All");
  add_if(r, "fieldManager", field_manager);
}

std::string_view to_string(ResourceVersionMatch m) {
  switch (m) {
    case ResourceVersionMatch::NotOlderThan:
      return "NotOlderThan";
    case ResourceVersionMatch::Exact:
      return "Exact";
    case ResourceVersionMatch::Unset:
      break;
  }
  return "";
}

std::string_view to_string(PropagationPolicy p) {
  switch (p) {
    case PropagationPolicy::Orphan:
      return "Orphan";
    case PropagationPolicy::Background:
      return "Background";
    case PropagationPolicy::Foreground:
      return "Foreground";
    case PropagationPolicy::Unset:
      break;
  }
  return "";
}

bool unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string_view to_string(Method m) {
  switch (m) {
    case Method::Get:
      return "GET";
    case Method::Post:
      return "POST";
    case Method::Put:
      return "PUT";
    case Method::Patch:
      return "PATCH";
    case Method::Delete:
      return "DELETE";
  }
  return "GET";
}

std::string_view content_type(PatchType t) {
  switch (t) {
    case PatchType::Merge:
      return "application/merge-patch+json";
    case PatchType::StrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::JsonPatch:
      return "application/json-patch+json";
    case PatchType::Apply:
      return "application/apply-patch+yaml";
  }
  return kJson;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (unreserved(c)) {
      out += c;
    } else {
      auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::string Request::target() const {
  std::string t = path;
  char sep = '?';
  for (const auto& [k, v] : query) {
    t += sep;
    t += percent_encode(k);
    t += '=';
    t += percent_encode(v);
    sep = '&';
  }
  return t;
}

const std::string* Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        })) {
      return &v;
    }
  }
  return nullptr;
}

const std::string* Request::query_value(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string object_path(const ObjectRef& ref) {
  std::string p = ref.resource.api_prefix();
  if (ref.resource.namespaced && !ref.namespace_.empty()) p += "/namespaces/" + ref.namespace_;
  p += "/" + ref.resource.plural;
  if (!ref.name.empty()) p += "/" + ref.name;
  if (!ref.subresource.empty()) p += "/" + ref.subresource;
  return p;
}

Request get_request(const ObjectRef& ref) {
  return base(Method::Get, object_path(ref));
}

Request list_request(const ObjectRef& collection, const ListOptions& opts) {
  Request r = base(Method::Get, object_path(collection));
  add_if(r, "labelSelector", opts.label_selector);
  add_if(r, "fieldSelector", opts.field_selector);
  if (opts.limit && *opts.limit > 0) r.query.emplace_back("limit", std::to_string(*opts.limit));
  add_if(r, "continue", opts.continue_token);
  // The server rejects resourceVersion together with continue.
  if (opts.continue_token.empty()) {
    add_if(r, "resourceVersion", opts.resource_version);
    if (!opts.resource_version.empty()) {
      add_if(r, "resourceVersionMatch", std::string(to_string(opts.resource_version_match)));
    }
  }
  if (opts.timeout_seconds)
    r.query.emplace_back("timeoutSeconds", std::to_string(*opts.timeout_seconds));
  return r;
}

Request watch_request(const ObjectRef& collection, const WatchOptions& opts) {
  Request r = base(Method::Get, object_path(collection));
  r.query.emplace_back("watch", "true");
  add_if(r, "labelSelector", opts.label_selector);
  add_if(r, "fieldSelector", opts.field_selector);
  add_if(r, "resourceVersion", opts.resource_version);
  if (opts.allow_watch_bookmarks) r.query.emplace_back("allowWatchBookmarks", "true");
  if (opts.timeout_seconds)
    r.query.emplace_back("timeoutSeconds", std::to_string(*opts.timeout_seconds));
  r.is_watch = true;
  return r;
}

Request create_request(const ObjectRef& collection, std::string body, const WriteOptions& opts) {
  Request r = base(Method::Post, object_path(collection));
  add_write_options(r, opts.dry_run, opts.field_manager);
  r.headers.emplace_back("Content-Type", std::string(kJson));
  r.body = std::move(body);
  return r;
}

Request replace_request(const ObjectRef& ref, std::string body, const WriteOptions& opts) {
  Request r = base(Method::Put, object_path(ref));
  add_write_options(r, opts.dry_run, opts.field_manager);
  r.headers.emplace_back("Content-Type", std::string(kJson));
  r.body = std::move(body);
  return r;
}

Request patch_request(const ObjectRef& ref, PatchType type, std::string body,
                      const PatchOptions& opts) {
  Request r = base(Method::Patch, object_path(ref));
  add_write_options(r, opts.dry_run, opts.field_manager);
  if (type == PatchType::Apply && opts.force) r.query.emplace_back("force", "true");
  r.headers.emplace_back("Content-Type", std::string(content_type(type)));
  r.body = std::move(body);
  return r;
}

Request delete_request(const ObjectRef& ref, const DeleteOptions& opts) {
  Request r = base(Method::Delete, object_path(ref));
  if (opts.dry_run) r.query.emplace_back("dryRun", "All");
  nlohmann::json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (opts.propagation_policy != PropagationPolicy::Unset) {
    body["propagationPolicy"] = to_string(opts.propagation_policy);
  }
  if (opts.grace_period_seconds) body["gracePeriodSeconds"] = *opts.grace_period_seconds;
  if (opts.precondition_uid) body["preconditions"]["uid"] = *opts.precondition_uid;
  if (opts.precondition_resource_version) {
    body["preconditions"]["resourceVersion"] = *opts.precondition_resource_version;
  }
  r.headers.emplace_back("Content-Type", std::string(kJson));
  r.body = body.dump();
  return r;
}

}  // namespace k8s
