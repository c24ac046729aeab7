#pragma once
// Reading the metadata every cache needs from a (possibly projected) object.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace k8s {

// The metadata paths a FieldMask must keep for caches and resumption.
const std::vector<std::string>& required_meta_paths();

std::string meta_name(const nlohmann::json& obj);
std::string meta_namespace(const nlohmann::json& obj);
std::string meta_uid(const nlohmann::json& obj);
std::string meta_resource_version(const nlohmann::json& obj);
// The uids of metadata.ownerReferences.
std::vector<std::string> meta_owner_uids(const nlohmann::json& obj);
// "namespace/name", or "name" for cluster-scoped objects.
std::string object_key(const nlohmann::json& obj);

}  // namespace k8s
