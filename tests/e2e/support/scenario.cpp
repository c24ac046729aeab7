#include "support/scenario.h"

#include <iostream>

namespace e2e {

using json = nlohmann::json;
using namespace std::chrono_literals;

void Scenario::TearDown() {
  if (HasFailure()) {
    std::cerr << describe();
    for (const auto& op : operators_) std::cerr << op->log_tail(60);
  }
  // Stop them before the namespace goes, so that nothing writes into it.
  for (auto& op : operators_) (void)op->terminate(15s);
}

OperatorProcess& Scenario::start_operator(OperatorOptions options) {
  operators_.push_back(std::make_unique<OperatorProcess>(sa_, std::move(options)));
  OperatorProcess& op = *operators_.back();
  EXPECT_TRUE(op.wait_ready(60s)) << "the operator was not ready within 60 s\n" << op.log_tail();
  return op;
}

void Scenario::apply_ok(const std::string& yaml) {
  const std::string err = apply(yaml);
  ASSERT_EQ(err, "") << yaml;
}

bool Scenario::wait_rightsizing(const std::string& name, std::chrono::seconds timeout,
                                const std::function<bool(const json&)>& pred, json* last) {
  json rsz;
  bool ok = false;
  (void)itest::eventually(
      [&] {
        rsz = get_rightsizing(ns_.name(), name);
        ok = rsz.is_object() && pred(rsz);
        // No waiting for what no operator will write any more.
        return ok || !any_operator_running();
      },
      timeout, 1s);
  if (last) *last = rsz;
  if (!ok && !any_operator_running()) ADD_FAILURE() << "every operator process has exited";
  return ok;
}

bool Scenario::wait_phase(const std::string& name, const std::string& phase,
                          std::chrono::seconds timeout, json* last) {
  return wait_rightsizing(
      name, timeout,
      [&](const json& r) { return r.value("status", json::object()).value("phase", "") == phase; },
      last);
}

bool Scenario::wait_gone(const std::string& name, std::chrono::seconds timeout) {
  return itest::eventually(
      [&] {
        const auto r =
            itest::kubectl({"-n", ns_.name(), "get", "rightsizings.rightsizer.io", name});
        return !r.ok() && r.err.find("NotFound") != std::string::npos;
      },
      timeout, 1s);
}

bool Scenario::any_operator_running() {
  for (auto& op : operators_)
    if (op->running()) return true;
  return false;
}

std::vector<std::string> Scenario::rightsizing_names() {
  std::vector<std::string> names;
  const json list = get_json({"-n", ns_.name(), "get", "rightsizings.rightsizer.io"});
  if (!list.is_object()) return names;
  for (const auto& item : list["items"]) names.push_back(item["metadata"].value("name", ""));
  return names;
}

std::string Scenario::describe() {
  std::string out = "--- namespace " + ns_.name() + "\n";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"get", "deployments,statefulsets,pods", "-o", "wide"},
           {"get", "rightsizepolicies.rightsizer.io,rightsizings.rightsizer.io", "-o", "yaml"},
           {"get", "events"}}) {
    std::vector<std::string> a{"-n", ns_.name()};
    a.insert(a.end(), args.begin(), args.end());
    const auto r = itest::kubectl(a);
    out += r.out + r.err;
  }
  return out;
}

}  // namespace e2e
