#include "k8s/object_meta.h"

namespace k8s {
namespace {

const std::string& meta_string(const nlohmann::json& obj, const char* key) {
  static const std::string kEmpty;
  if (!obj.is_object()) return kEmpty;
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return kEmpty;
  auto v = meta->find(key);
  return v != meta->end() && v->is_string() ? v->get_ref<const std::string&>() : kEmpty;
}

}  // namespace

const std::vector<std::string>& required_meta_paths() {
  static const std::vector<std::string> kPaths{"metadata.name", "metadata.namespace",
                                               "metadata.uid", "metadata.resourceVersion",
                                               "metadata.ownerReferences[].uid"};
  return kPaths;
}

std::string meta_name(const nlohmann::json& obj) {
  return meta_string(obj, "name");
}
std::string meta_namespace(const nlohmann::json& obj) {
  return meta_string(obj, "namespace");
}
std::string meta_uid(const nlohmann::json& obj) {
  return meta_string(obj, "uid");
}
std::string meta_resource_version(const nlohmann::json& obj) {
  return meta_string(obj, "resourceVersion");
}

std::vector<std::string> meta_owner_uids(const nlohmann::json& obj) {
  std::vector<std::string> out;
  if (!obj.is_object()) return out;
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return out;
  auto refs = meta->find("ownerReferences");
  if (refs == meta->end() || !refs->is_array()) return out;
  for (const auto& r : *refs) {
    auto uid = r.find("uid");
    if (uid != r.end() && uid->is_string()) out.push_back(uid->get<std::string>());
  }
  return out;
}

std::string object_key(const nlohmann::json& obj) {
  const auto& ns = meta_string(obj, "namespace");
  return ns.empty() ? meta_name(obj) : ns + "/" + meta_name(obj);
}

}  // namespace k8s
