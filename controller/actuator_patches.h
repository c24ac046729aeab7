#pragma once
// The JSON the actuators write (controller/actuator.h): resources in the
// apiserver's canonical quantities, and the strategic-merge patch of a
// template's containers. Shared by every actuator so that one step is
// always written byte for byte the same way (an identical patch is a no-op).
#include <nlohmann/json.hpp>

#include <string>

#include "policies/rollout.h"

namespace controller {

// A container's `resources` for a strategic-merge patch: cpu and memory of
// requests and limits as canonical text; an unset one (a request of 0, a
// limit nullopt) is null, so that the patch removes it. Other resource names
// in the object (ephemeral-storage, ...) are left alone by the merge.
nlohmann::json resources_patch(const policies::ContainerResources& resources);

// Sets cpu and memory of `container`'s resources in place (a full object, not
// a patch): an unset one is erased, other resource names are kept.
void set_resources(nlohmann::json& container, const policies::ContainerResources& resources);

// The strategic-merge patch that gives a pod template's containers `sizes`
// (the containers list is merged by name) and marks the object with the
// step annotation (kStepAnnotation = hash):
//   {"metadata":{"annotations":{"rightsizer.io/step":hash}},
//    "spec":{"template":{"spec":{"containers":[{"name":..,"resources":..},..]}}}}
nlohmann::json template_resources_patch(const policies::ContainerSizes& sizes,
                                        const std::string& hash);

}  // namespace controller
