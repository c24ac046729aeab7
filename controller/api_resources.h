#pragma once
// The project's own API resources (crds/), beside k8s::resources' well-known ones.
#include "k8s/resource.h"

namespace controller {

inline constexpr const char* kApiGroup = "rightsizer.io";
inline constexpr const char* kApiVersion = "rightsizer.io/v1alpha1";

inline k8s::ApiResource rightsize_policies() {
  return {"rightsizer.io", "v1alpha1", "rightsizepolicies", true};
}
inline k8s::ApiResource rightsizings() {
  return {"rightsizer.io", "v1alpha1", "rightsizings", true};
}

}  // namespace controller
