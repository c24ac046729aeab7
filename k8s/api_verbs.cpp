// The typed verbs of ApiClient, built on execute().
#include <spdlog/spdlog.h>

#include "k8s/api_client.h"

namespace k8s {
namespace {

std::string string_at(const nlohmann::json& obj, const char* a, const char* b) {
  auto outer = obj.find(a);
  if (outer == obj.end() || !outer->is_object()) return {};
  auto inner = outer->find(b);
  return inner != outer->end() && inner->is_string() ? inner->get<std::string>() : std::string{};
}

Result<nlohmann::json> json_of(Result<HttpResponse> resp, const std::string& what) {
  if (!resp) return resp.error();
  return parse_json_body(resp->body, what);
}

// Appends one page's items; returns its continue token.
Result<std::string> append_page(const HttpResponse& resp, const std::string& what,
                                ObjectList& out) {
  auto doc = parse_json_body(resp.body, what);
  if (!doc) return doc.error();
  auto items = doc->find("items");
  if (items == doc->end() || !(items->is_array() || items->is_null())) {
    return make_error(ErrorKind::Decode, what + ": list has no items array");
  }
  if (items->is_array()) {
    for (auto& item : *items) out.items.push_back(std::move(item));
  }
  out.resource_version = string_at(*doc, "metadata", "resourceVersion");
  return string_at(*doc, "metadata", "continue");
}

}  // namespace

Result<ObjectList> ApiClient::list(const ObjectRef& collection, ListOptions opts,
                                   const CallContext& ctx) {
  const std::string what = "list " + object_path(collection);
  const ListOptions first_page = opts;
  int restarts = 0;
  ObjectList out;
  for (;;) {
    auto resp = list_page(collection, opts, ctx);
    if (!resp) {
      bool expired = resp.error().kind == ErrorKind::Gone && !opts.continue_token.empty();
      if (!expired || restarts++ >= options_.list_restarts) return resp.error();
      // As client-go's pager (FullListIfExpired): the restart is one
      // unpaged request, which no compaction between pages can expire.
      spdlog::info("k8s: {}: continue token expired; listing again in one request", what);
      out = ObjectList{};
      opts = first_page;
      opts.limit.reset();
      continue;
    }
    auto next = append_page(*resp, what, out);
    if (!next) return next.error();
    if (next->empty()) return out;
    opts.continue_token = *next;
  }
}

Result<nlohmann::json> ApiClient::create(const ObjectRef& collection, const nlohmann::json& obj,
                                         const WriteOptions& opts, const CallContext& ctx) {
  return json_of(execute(create_request(collection, obj.dump(), opts), ctx),
                 "create " + object_path(collection));
}

Result<nlohmann::json> ApiClient::replace(const ObjectRef& ref, const nlohmann::json& obj,
                                          const WriteOptions& opts, const CallContext& ctx) {
  if (string_at(obj, "metadata", "resourceVersion").empty()) {
    return make_error(ErrorKind::BadRequest,
                      "replace " + object_path(ref) +
                          ": the object has no metadata.resourceVersion "
                          "(read it first; blind replaces would overwrite concurrent changes)");
  }
  return json_of(execute(replace_request(ref, obj.dump(), opts), ctx),
                 "replace " + object_path(ref));
}

Result<nlohmann::json> ApiClient::patch(const ObjectRef& ref, PatchType type,
                                        const nlohmann::json& body, const PatchOptions& opts,
                                        const CallContext& ctx) {
  if (type == PatchType::Apply && opts.field_manager.empty()) {
    return make_error(ErrorKind::BadRequest,
                      "apply " + object_path(ref) + ": a field manager is required");
  }
  return json_of(execute(patch_request(ref, type, body.dump(), opts), ctx),
                 "patch " + object_path(ref));
}

Result<nlohmann::json> ApiClient::apply(const ObjectRef& ref, const nlohmann::json& obj,
                                        const std::string& field_manager, bool force) {
  PatchOptions opts;
  opts.field_manager = field_manager;
  opts.force = force;
  return patch(ref, PatchType::Apply, obj, opts);
}

Result<void> ApiClient::remove(const ObjectRef& ref, const DeleteOptions& opts,
                               const CallContext& ctx) {
  auto resp = execute(delete_request(ref, opts), ctx);
  if (!resp) return resp.error();
  return {};
}

Result<nlohmann::json> ApiClient::replace_status(ObjectRef ref, const nlohmann::json& obj) {
  ref.subresource = "status";
  return replace(ref, obj);
}

Result<nlohmann::json> ApiClient::patch_status(ObjectRef ref, PatchType type,
                                               const nlohmann::json& body,
                                               const PatchOptions& opts) {
  ref.subresource = "status";
  return patch(ref, type, body, opts);
}

}  // namespace k8s
