#pragma once
// Parts of a realistic ~10 KB trading pod, shared by the benchmarks that
// decode and project pods: a container with 32 env vars, probes and mounts,
// and the managedFields the apiserver writes.
#include <nlohmann/json.hpp>

namespace bench {

// Container `c` of pod `pod`.
nlohmann::json container(int c, int pod);
// Two managers' managedFields entries (kube-controller-manager, kubelet).
nlohmann::json managed_fields();

}  // namespace bench
