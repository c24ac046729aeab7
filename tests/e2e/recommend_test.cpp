// The operator in Recommend mode, end to end, as its ServiceAccount: annotated
// Deployments and a StatefulSet with kwok usage on 16-core requests get a
// Rightsizing each, Recommended with CPU = usage / targetUtilization rounded
// as the policy says, savings in status and on the policy; `kubectl get rsz`
// and `kubectl get rsp` print DESIGN §3's columns; an unannotated workload is
// ignored and removing the annotation deletes the Rightsizing.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "policies/cost.h"
#include "policies/money.h"
#include "support/scenario.h"

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class Recommend : public e2e::Scenario {};

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The lines of `kubectl get` output, the header first.
std::vector<std::string> lines(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string status_string(const json& obj, const std::string& a, const std::string& b) {
  return obj.value("status", json::object()).value(a, json::object()).value(b, "");
}

struct Case {
  e2e::WorkloadSpec spec;
  long long usage_millicores;
  std::string rightsizing;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const auto& [name, usage, millis] :
       {std::tuple{"engine-300m", "300m", 300LL}, std::tuple{"engine-1200m", "1200m", 1200LL},
        std::tuple{"engine-2", "2", 2000LL}}) {
    e2e::WorkloadSpec w;
    w.name = name;
    w.policy = "trading";
    w.usage_cpu = usage;
    out.push_back({w, millis, "deployment-" + std::string(name)});
  }
  e2e::WorkloadSpec sts;
  sts.kind = "StatefulSet";
  sts.name = "guardian";
  sts.policy = "trading";
  sts.cpu_request = "4";
  sts.usage_cpu = "500m";
  out.push_back({sts, 500, "statefulset-guardian"});
  return out;
}

// The Rightsizing's identity: spec, label, owner reference (DESIGN §3).
void expect_owned(const json& rsz, const e2e::WorkloadSpec& w, const std::string& ns) {
  const json& spec = rsz["spec"];
  EXPECT_EQ(spec["policyRef"].value("name", ""), "trading");
  EXPECT_EQ(spec["targetRef"].value("apiVersion", ""), "apps/v1");
  EXPECT_EQ(spec["targetRef"].value("kind", ""), w.kind);
  EXPECT_EQ(spec["targetRef"].value("name", ""), w.name);
  EXPECT_EQ(rsz["metadata"]["labels"].value("rightsizer.io/policy", ""), "trading");
  const json workload = e2e::get_json({"-n", ns, "get", w.kind, w.name});
  const json owners = rsz["metadata"].value("ownerReferences", json::array());
  ASSERT_EQ(owners.size(), 1u) << owners.dump();
  EXPECT_EQ(owners[0].value("kind", ""), w.kind);
  EXPECT_EQ(owners[0].value("name", ""), w.name);
  EXPECT_EQ(owners[0].value("uid", ""), workload["metadata"].value("uid", "?"));
  EXPECT_TRUE(owners[0].value("controller", false));
  EXPECT_FALSE(owners[0].value("blockOwnerDeletion", true));
}

// Recommended CPU from usage, cost figures from the recommended requests.
policies::CostComparison expect_recommendation(const json& rsz, const Case& c) {
  const json main = e2e::status_container(rsz, "main");
  EXPECT_TRUE(main.is_object()) << rsz.dump(2);
  const json recommended = main.value("recommended", json::object()).value("requests", json());
  const auto cpu = e2e::millicores(recommended.value("cpu", ""));
  const auto memory = e2e::bytes(recommended.value("memory", ""));
  const e2e::Range want = e2e::expected_cpu_request(c.usage_millicores, 0.6, 100, 32000, 50);
  EXPECT_TRUE(cpu && *cpu >= want.lo && *cpu <= want.hi)
      << c.rightsizing << ": recommended cpu " << recommended.dump() << ", expected " << want.lo
      << "m.." << want.hi << "m for usage " << c.usage_millicores << "m";
  // 512Mi of usage at the default 80 % utilisation, rounded to 64Mi.
  EXPECT_TRUE(memory && *memory >= 640LL << 20 && *memory <= 832LL << 20) << recommended.dump();
  const json usage = main.value("usage", json::object());
  EXPECT_GE(usage.value("samples", 0), 1) << usage.dump();
  const auto p95 = e2e::millicores(usage.value("cpuP95", ""));
  EXPECT_TRUE(p95 && *p95 >= c.usage_millicores * 85 / 100 &&
              *p95 <= c.usage_millicores * 115 / 100)
      << usage.dump();
  const auto current_cpu = e2e::millicores(c.spec.cpu_request);
  const policies::Resources current{*current_cpu, 4LL << 30};
  const policies::Resources target{cpu.value_or(0), memory.value_or(0)};
  const auto cost = policies::compare_cost(std::span(&current, 1), std::span(&target, 1),
                                           c.spec.replicas, policies::Prices{});
  EXPECT_EQ(status_string(rsz, "monthlyCost", "current"), policies::format_dollars(cost.current));
  EXPECT_EQ(status_string(rsz, "monthlyCost", "target"), policies::format_dollars(cost.target));
  EXPECT_EQ(status_string(rsz, "monthlyCost", "savings"), policies::format_dollars(cost.savings));
  EXPECT_GT(cost.savings.value, 0);
  return cost;
}

TEST_F(Recommend, AnnotatedWorkloadsReachRecommendedWithCpuFromTheirUsage) {
  const std::string ns = ns_.name();
  e2e::OperatorProcess& op = start_operator();
  apply_ok(e2e::policy_yaml(ns, "trading", "10s"));
  for (const auto& c : cases()) apply_ok(e2e::workload_yaml(ns, c.spec));

  std::map<std::string, json> recommended;
  for (const auto& c : cases()) {
    json rsz;
    ASSERT_TRUE(wait_phase(c.rightsizing, "Recommended", 150s, &rsz)) << c.rightsizing << ":\n"
                                                                      << rsz.dump(2);
    recommended[c.rightsizing] = rsz;
  }
  policies::CostComparison sum;
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.rightsizing);
    const json& rsz = recommended[c.rightsizing];
    expect_owned(rsz, c.spec, ns);
    const auto cost = expect_recommendation(rsz, c);
    sum = policies::total(std::vector{sum, cost});
    EXPECT_EQ(e2e::condition(rsz, "MetricsAvailable").value("status", ""), "True") << rsz.dump(2);
    EXPECT_NE(e2e::condition(rsz, "Blocked").value("status", ""), "True") << rsz.dump(2);
    EXPECT_TRUE(status_string(rsz, "summary", "cpu").starts_with(c.spec.cpu_request + "→"))
        << e2e::status_of(rsz).dump();
    EXPECT_FALSE(e2e::events(ns, c.spec.kind, c.spec.name, "RightsizeRecommended").empty());
  }

  // The policy sums its workloads (the last workload's status may land a
  // moment after the policy's).
  json policy;
  ASSERT_TRUE(itest::eventually(
      [&] {
        policy = e2e::get_policy(ns, "trading");
        return e2e::status_of(policy).value("workloads", 0) == 4 &&
               status_string(policy, "monthlyCost", "savings") ==
                   policies::format_dollars(sum.savings);
      },
      30s))
      << policy.dump(2) << "\nexpected savings " << policies::format_dollars(sum.savings);
  EXPECT_EQ(e2e::status_of(policy).value("observedGeneration", -1),
            policy["metadata"].value("generation", -2));
  EXPECT_EQ(e2e::status_of(policy).value("rightsized", -1), 0);
  EXPECT_EQ(e2e::condition(policy, "Valid").value("status", ""), "True") << policy.dump(2);

  // The savings gauge is refreshed from the operator's policy cache on its
  // metrics tick, so it may trail the status just read from the server.
  const double expected_savings = static_cast<double>(sum.savings.value);
  itest::eventually(
      [&] {
        return e2e::metric_sum(op.metrics(), "rightsizer_monthly_savings_cents",
                               {{"namespace", ns}, {"policy", "trading"}}) == expected_savings;
      },
      30s);
  const auto metrics = op.metrics();
  EXPECT_EQ(e2e::metric_sum(metrics, "rightsizer_leader"), 1);
  EXPECT_GT(e2e::metric_sum(metrics, "rightsizer_usage_samples_total"), 0);
  EXPECT_GT(e2e::metric_sum(metrics, "rightsizer_reconciles_total", {{"result", "success"}}), 0);
  EXPECT_GT(e2e::metric_sum(metrics, "rightsizer_histogram_memory_bytes"), 0);
  EXPECT_EQ(e2e::metric_sum(metrics, "rightsizer_monthly_savings_cents",
                            {{"namespace", ns}, {"policy", "trading"}}),
            static_cast<double>(sum.savings.value))
      << op.metrics_text();

  // kubectl get rsz / rsp: DESIGN §3's columns, filled from status.
  const auto rsz = itest::kubectl({"-n", ns, "get", "rsz"});
  ASSERT_TRUE(rsz.ok()) << rsz.err;
  const auto rsz_lines = lines(rsz.out);
  ASSERT_EQ(rsz_lines.size(), 5u) << rsz.out;
  EXPECT_EQ(words(rsz_lines[0]),
            (std::vector<std::string>{"NAME", "WORKLOAD", "PHASE", "CPU", "MEMORY", "SAVINGS/MO",
                                      "LAST-EVENT", "AGE"}))
      << rsz.out;
  for (std::size_t i = 1; i < rsz_lines.size(); ++i) {
    const auto row = words(rsz_lines[i]);
    ASSERT_GE(row.size(), 7u) << rsz_lines[i];
    const json now = e2e::get_rightsizing(ns, row[0]);
    EXPECT_EQ(row[1], now["spec"]["targetRef"].value("name", "")) << rsz_lines[i];
    EXPECT_EQ(row[2], "Recommended") << rsz_lines[i];
    EXPECT_EQ(row[3], status_string(now, "summary", "cpu")) << rsz_lines[i];
    EXPECT_EQ(row[4], status_string(now, "summary", "memory")) << rsz_lines[i];
    EXPECT_EQ(row[5], status_string(now, "monthlyCost", "savings")) << rsz_lines[i];
  }
  const auto rsp = itest::kubectl({"-n", ns, "get", "rsp"});
  ASSERT_TRUE(rsp.ok()) << rsp.err;
  const auto rsp_lines = lines(rsp.out);
  ASSERT_EQ(rsp_lines.size(), 2u) << rsp.out;
  EXPECT_EQ(words(rsp_lines[0]), (std::vector<std::string>{"NAME", "MODE", "WORKLOADS",
                                                           "RIGHTSIZED", "SAVINGS/MO", "AGE"}));
  const auto row = words(rsp_lines[1]);
  ASSERT_EQ(row.size(), 6u) << rsp_lines[1];
  EXPECT_EQ(std::vector(row.begin(), row.begin() + 5),
            (std::vector<std::string>{"trading", "Recommend", "4", "0",
                                      policies::format_dollars(sum.savings)}));
}

TEST_F(Recommend, UnannotatedWorkloadIsIgnoredAndRemovingTheAnnotationDeletesItsRightsizing) {
  const std::string ns = ns_.name();
  e2e::OperatorProcess& op = start_operator();
  apply_ok(e2e::policy_yaml(ns, "trading", "10s"));
  e2e::WorkloadSpec annotated;
  annotated.name = "annotated";
  annotated.policy = "trading";
  annotated.cpu_request = "1";
  e2e::WorkloadSpec plain;
  plain.name = "plain";
  plain.cpu_request = "1";
  apply_ok(e2e::workload_yaml(ns, annotated));
  apply_ok(e2e::workload_yaml(ns, plain));

  // The annotated one is sampled and reconciled...
  ASSERT_TRUE(wait_phase("deployment-annotated", "Recommended", 120s));
  // ...and nothing exists for the other, in this namespace or by its name.
  EXPECT_EQ(rightsizing_names(), std::vector<std::string>{"deployment-annotated"});
  const auto policy = e2e::get_policy(ns, "trading");
  EXPECT_EQ(e2e::status_of(policy).value("workloads", -1), 1) << policy.dump(2);

  // Opting in later is seen (so the absence above was not slowness).
  ASSERT_TRUE(
      itest::kubectl({"-n", ns, "annotate", "deployment/plain", "rightsizer.io/policy=trading"})
          .ok());
  EXPECT_TRUE(wait_rightsizing("deployment-plain", 60s, [](const json&) { return true; }));

  // Opting out deletes the Rightsizing; the workload stays.
  const double deletes_before =
      e2e::metric_sum(op.metrics(), "rightsizer_api_requests_total", {{"verb", "DELETE"}});
  ASSERT_TRUE(
      itest::kubectl({"-n", ns, "annotate", "deployment/annotated", "rightsizer.io/policy-"}).ok());
  EXPECT_TRUE(wait_gone("deployment-annotated", 60s));
  EXPECT_TRUE(itest::kubectl({"-n", ns, "get", "deployment", "annotated"}).ok());
  EXPECT_GT(e2e::metric_sum(op.metrics(), "rightsizer_api_requests_total", {{"verb", "DELETE"}}),
            deletes_before);
  EXPECT_TRUE(itest::eventually(
      [&] { return e2e::status_of(e2e::get_policy(ns, "trading")).value("workloads", -1) == 1; },
      30s));
  EXPECT_EQ(rightsizing_names(), std::vector<std::string>{"deployment-plain"});
}

}  // namespace
