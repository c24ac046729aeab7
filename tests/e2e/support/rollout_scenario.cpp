#include "support/rollout_scenario.h"

#include "support/cluster.h"

namespace e2e {

using json = nlohmann::json;

void RolloutScenario::TearDown() {
  Scenario::TearDown();
  sim_.reset();
}

bool RolloutScenario::wait_for(const std::string& rightsizing, std::chrono::seconds timeout,
                               const std::function<bool(const json&)>& pred, json* last) {
  json rsz;
  bool ok = false;
  (void)itest::eventually(
      [&] {
        rsz = get_rightsizing(ns_.name(), rightsizing);
        ok = rsz.is_object() && pred(rsz);
        return ok || !any_operator_running();
      },
      timeout, std::chrono::milliseconds(200));
  if (last) *last = rsz;
  if (!ok && !any_operator_running()) ADD_FAILURE() << "every operator process has exited";
  return ok;
}

bool RolloutScenario::wait_for_phase(const std::string& rightsizing, const std::string& phase,
                                     std::chrono::seconds timeout, json* last) {
  return wait_for(
      rightsizing, timeout, [&](const json& r) { return phase_of(r) == phase; }, last);
}

double RolloutScenario::seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace e2e
