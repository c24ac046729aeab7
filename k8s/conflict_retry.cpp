#include "k8s/conflict_retry.h"

namespace k8s {

Result<nlohmann::json> update_with_retry(ApiClient& client, const ObjectRef& ref,
                                         const Mutation& mutate, bool status,
                                         const ConflictRetryPolicy& policy) {
  ObjectRef target = ref;
  target.subresource.clear();
  std::function<Result<nlohmann::json>()> attempt = [&]() -> Result<nlohmann::json> {
    auto current = client.get(target);
    if (!current) return current.error();
    if (!mutate(*current)) return current;
    return status ? client.replace_status(target, *current) : client.replace(target, *current);
  };
  return retry_on_conflict(client.clock(), client.random(), attempt, policy);
}

}  // namespace k8s
