#pragma once
// The fixture of e2e scenarios: the operator installed, a namespace of the
// test's own, and operator processes started as its ServiceAccount whose
// logs are printed when the test fails.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cluster.h"
#include "support/operator_process.h"
#include "support/workloads.h"

namespace e2e {

class Scenario : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { install_operator(); }
  void TearDown() override;

  // Starts an operator and waits (bounded) until /readyz answers; fails the
  // test with its log when it does not.
  OperatorProcess& start_operator(OperatorOptions options = {});

  // Applies YAML, failing the test with kubectl's message when refused.
  void apply_ok(const std::string& yaml);

  // Waits until the Rightsizing `name` satisfies `pred` (its last state is
  // in `last`); every wait is bounded by `timeout`.
  bool wait_rightsizing(const std::string& name, std::chrono::seconds timeout,
                        const std::function<bool(const nlohmann::json&)>& pred,
                        nlohmann::json* last = nullptr);
  bool wait_phase(const std::string& name, const std::string& phase, std::chrono::seconds timeout,
                  nlohmann::json* last = nullptr);
  bool wait_gone(const std::string& name, std::chrono::seconds timeout);

  bool any_operator_running();

  // Rightsizings in the namespace, by name.
  std::vector<std::string> rightsizing_names();

  // What the namespace looks like, for failure messages.
  std::string describe();

  itest::TestNamespace ns_{"e2e"};
  ServiceAccountFiles sa_;
  std::vector<std::unique_ptr<OperatorProcess>> operators_;
};

}  // namespace e2e
