#include "controller/run_command.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "fake_cluster_view.h"

namespace controller {
namespace {

TEST(RunCommandTest, MoneyInStatusIsReadAsCents) {
  EXPECT_EQ(parse_cents("285.95"), 28595);
  EXPECT_EQ(parse_cents("12"), 1200);
  EXPECT_EQ(parse_cents("3.5"), 350);
  EXPECT_EQ(parse_cents("-3.05"), -305);
  EXPECT_EQ(parse_cents("0.07"), 7);
  for (const char* bad : {"", "-", ".5", "1.", "1.234", "1,5", "x", "1e3", "--1", "1.2x"}) {
    EXPECT_EQ(parse_cents(bad), std::nullopt) << bad;
  }
}

PolicyObject saving(const std::string& ns, const std::string& name, const char* savings) {
  PolicyObject p;
  p.namespace_name = ns;
  p.name = name;
  p.status.monthly_cost = policies::PolicyMonthlyCost{};
  p.status.monthly_cost->savings = savings;
  return p;
}

// Finding 13: the series of a policy that is gone, or whose savings no
// longer parse, is removed rather than kept at its last value.
TEST(RunCommandTest, SavingsSeriesOfPoliciesGoneAreRemoved) {
  MetricsRegistry registry;
  auto& savings = registry.gauge("savings_cents", "test", {"namespace", "policy"});
  testing::FakeClusterView view;
  view.put(saving("a", "p", "285.95"));
  view.put(saving("b", "q", "12"));
  refresh_savings(savings, view);
  auto series = [&] {
    std::map<LabelValues, double> out;
    savings.each([&](const LabelValues& v, const Gauge& g) { out[v] = g.value(); });
    return out;
  };
  EXPECT_EQ(series(), (std::map<LabelValues, double>{{{"a", "p"}, 28595}, {{"b", "q"}, 1200}}));
  view.erase_policy("a", "p");
  view.put(saving("b", "q", "not money"));
  view.put(saving("c", "r", "1"));
  refresh_savings(savings, view);
  EXPECT_EQ(series(), (std::map<LabelValues, double>{{{"c", "r"}, 100}}));
}

TEST(RunCommandTest, ABadFlagIsOneLineAndExitTwo) {
  std::ostringstream out, err;
  const std::string_view args[] = {"--no-such-flag"};
  EXPECT_EQ(run_run_command(args, out, err), 2);
  EXPECT_EQ(std::ranges::count(err.str(), '\n'), 1) << err.str();
}

}  // namespace
}  // namespace controller
