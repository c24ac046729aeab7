#pragma once
// Requests as plain data: functions that turn (resource, verb, options) into
// an HTTP request value. No I/O here; unit tests assert exact paths/queries.
#include <chrono>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "k8s/resource.h"

namespace k8s {

enum class Method { Get, Post, Put, Patch, Delete };
std::string_view to_string(Method m);

using Header = std::pair<std::string, std::string>;
using QueryParam = std::pair<std::string, std::string>;

struct Request {
  Method method = Method::Get;
  std::string path;               // "/api/v1/namespaces/ns/pods/p"
  std::vector<QueryParam> query;  // in insertion order, not yet encoded
  std::vector<Header> headers;    // Accept, Content-Type; never Authorization
  std::string body;
  bool is_watch = false;  // a long-lived streamed response
  // Set by the client from its CallContext: a stop request closes the
  // connection; `timeout`, when shorter, replaces the transport's own
  // connect and request timeouts.
  std::stop_token stop{};
  std::optional<std::chrono::milliseconds> timeout{};

  // path + "?" + percent-encoded query, as sent on the request line.
  [[nodiscard]] std::string target() const;
  [[nodiscard]] const std::string* header(std::string_view name) const;
  [[nodiscard]] const std::string* query_value(std::string_view name) const;
};

// Identifies one object (or, with empty name, a collection) and a subresource.
struct ObjectRef {
  ApiResource resource;
  std::string namespace_;  // ignored for cluster-scoped resources; "" = all namespaces
  std::string name;
  std::string subresource;  // "", "status", "scale", "resize", ...
};

std::string object_path(const ObjectRef& ref);

enum class ResourceVersionMatch { Unset, NotOlderThan, Exact };

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::optional<int> limit = 500;
  std::string continue_token;
  std::string resource_version;
  ResourceVersionMatch resource_version_match = ResourceVersionMatch::Unset;
  std::optional<int> timeout_seconds;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;
  bool allow_watch_bookmarks = true;
  std::optional<int> timeout_seconds = 290;  // the server ends the watch; we resume
};

struct WriteOptions {
  bool dry_run = false;
  std::string field_manager;
};

enum class PatchType { Merge, StrategicMerge, JsonPatch, Apply };
std::string_view content_type(PatchType t);

struct PatchOptions {
  bool dry_run = false;
  std::string field_manager;  // required for Apply
  bool force = false;         // Apply only: take ownership of conflicting fields
};

enum class PropagationPolicy { Unset, Orphan, Background, Foreground };

struct DeleteOptions {
  PropagationPolicy propagation_policy = PropagationPolicy::Unset;
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  std::optional<int> grace_period_seconds;
  bool dry_run = false;
};

Request get_request(const ObjectRef& ref);
Request list_request(const ObjectRef& collection, const ListOptions& opts);
Request watch_request(const ObjectRef& collection, const WatchOptions& opts);
Request create_request(const ObjectRef& collection, std::string body,
                       const WriteOptions& opts = {});
Request replace_request(const ObjectRef& ref, std::string body, const WriteOptions& opts = {});
Request patch_request(const ObjectRef& ref, PatchType type, std::string body,
                      const PatchOptions& opts = {});
Request delete_request(const ObjectRef& ref, const DeleteOptions& opts = {});

// RFC 3986 percent-encoding of a query key or value.
std::string percent_encode(std::string_view text);

}  // namespace k8s
