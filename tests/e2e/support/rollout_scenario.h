#pragma once
// The fixture of the Auto-mode scenarios: e2e::Scenario plus the trading
// simulator of the test's namespace, and waits that poll often enough to
// see short phases (Promoting lasts as long as a kwok rolling update).
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "support/rollout.h"
#include "support/scenario.h"

namespace e2e {

class RolloutScenario : public Scenario {
 protected:
  void SetUp() override { sim_ = std::make_unique<Simulator>(ns_.name()); }
  void TearDown() override;

  // Polls the Rightsizing every 200 ms until `pred` holds (bounded).
  bool wait_for(const std::string& rightsizing, std::chrono::seconds timeout,
                const std::function<bool(const nlohmann::json&)>& pred,
                nlohmann::json* last = nullptr);
  bool wait_for_phase(const std::string& rightsizing, const std::string& phase,
                      std::chrono::seconds timeout, nlohmann::json* last = nullptr);

  // Seconds since `start`, for the figures printed in the log.
  static double seconds_since(std::chrono::steady_clock::time_point start);

  std::unique_ptr<Simulator> sim_;
};

}  // namespace e2e
