// The SLO gate on the local cluster: real Prometheus scraping the trading
// simulator (tests/sim), the Prometheus client and the analysis of
// controller/. Each test runs its own simulator in its own namespace.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "child_process.h"
#include "controller/slo_analysis.h"
#include "k8s/tls_test_server.h"
#include "policies/quantity.h"
#include "support/cluster.h"

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using controller::Verdict;
using policies::CheckOutcome;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Short windows: the cluster's Prometheus scrapes every 2 s.
const char* kLatencyQuery =
    "histogram_quantile(0.99, sum by (le) (rate(trade_latency_seconds_bucket{"
    "namespace=\"{{namespace}}\",pod=~\"{{pods}}\"}[20s])))";
const char* kScanQuery =
    "max(guardian_scan_duration_seconds{namespace=\"{{namespace}}\",pod=~\"{{pods}}\"})";

policies::SloCheck check(const char* name, const char* query, double max,
                         std::optional<policies::SloBaseline> baseline = std::nullopt) {
  policies::SloCheck c;
  c.name = name;
  c.query = query;
  c.max = max;
  c.baseline = baseline;
  return c;
}

// A Deployment of simulated pods: label app=<app>, role=<role>; CPU request = limit.
std::string deployment(const std::string& ns, const std::string& name, const std::string& app,
                       const std::string& role, int replicas, const std::string& cpu,
                       const std::string& profile) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\nspec:\n  replicas: " + std::to_string(replicas) +
         "\n  selector: {matchLabels: {app: " + app + ", role: " + role +
         "}}\n  template:\n    metadata:\n      labels: {app: " + app + ", role: " + role +
         ", sim.rightsizer.io/simulate: \"true\"}\n      annotations: {sim.rightsizer.io/profile: "
         "'" +
         profile +
         "'}\n    spec:\n      containers:\n      - name: main\n        image: trading:1\n"
         "        resources: {requests: {cpu: \"" +
         cpu + "\", memory: 256Mi}, limits: {cpu: \"" + cpu + "\", memory: 512Mi}}\n";
}

std::vector<std::string> running_pods(const std::string& ns, const std::string& selector) {
  auto r = itest::kubectl({"-n", ns, "get", "pods", "-l", selector, "-o", "json"});
  std::vector<std::string> out;
  if (!r.ok()) return out;
  const json list = json::parse(r.out, nullptr, false);
  if (!list.is_object()) return out;
  for (const auto& p : list["items"])
    if (p["status"].value("phase", "") == "Running" && !p["metadata"].contains("deletionTimestamp"))
      out.push_back(p["metadata"]["name"]);
  std::sort(out.begin(), out.end());
  return out;
}

// A port nothing listens on now (the kernel's pick for port 0).
unsigned short free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

class SloGate : public testing::Test {
 protected:
  // Starts the simulator for the namespace; Prometheus finds it through file_sd.
  void start_sim(const std::string& ns) {
    const auto& env = itest::ClusterEnv::get();
    sim_ = std::make_unique<slotest::ChildProcess>(
        std::vector<std::string>{RIGHTSIZER_SIM_BIN, "--kubeconfig", env.kubeconfig, "--namespace",
                                 ns, "--targets-dir", env.prometheus_targets_dir, "--tick-ms",
                                 "1000", "--usage-every-ticks", "2"},
        env.data_dir + "/logs/sim-" + ns + ".log");
    ASSERT_TRUE(sim_->started());
  }

  void apply(const std::string& yaml) {
    const auto r = itest::kubectl({"apply", "-f", "-"}, yaml);
    ASSERT_TRUE(r.ok()) << r.err;
  }

  std::vector<std::string> wait_pods(const std::string& ns, const std::string& selector, int n) {
    std::vector<std::string> pods;
    EXPECT_TRUE(itest::eventually(
        [&] {
          pods = running_pods(ns, selector);
          return static_cast<int>(pods.size()) == n;
        },
        120s));
    return pods;
  }

  std::unique_ptr<controller::PrometheusQuerier> prometheus(const std::string& url = "") {
    controller::PrometheusOptions opts;
    opts.address = url.empty() ? itest::ClusterEnv::get().prometheus_url : url;
    opts.timeout = 5s;
    auto made = controller::make_prometheus_client(opts);
    EXPECT_TRUE(made.ok());
    return std::move(made.value());
  }

  // Analyses until every check has data on every side it queries (the rate
  // window needs two scrapes), then returns that verdict.
  Verdict analyse_with_data(controller::PrometheusQuerier& prom,
                            const std::vector<policies::SloCheck>& checks,
                            const controller::AnalysisTarget& target) {
    Verdict v;
    const bool data = itest::eventually(
        [&] {
          v = controller::run_analysis(prom, checks, target, std::chrono::system_clock::now());
          for (const auto& c : v.checks)
            if (c.canary.series == 0 || (c.baseline_used && c.baseline.series == 0) ||
                c.reason.find("NaN") != std::string::npos)
              return false;
          return true;
        },
        120s, 2s);
    EXPECT_TRUE(data) << describe(v);
    return v;
  }

  // Waits out the 20 s rate window (plus a tick and a scrape) so that what is
  // measured is the current load only.
  static void let_the_window_roll() { std::this_thread::sleep_for(30s); }

  static std::string describe(const Verdict& v) {
    std::string out = v.passed ? "PASS\n" : "FAIL\n";
    for (const auto& c : v.checks)
      out += c.name + ": " + (c.canary.high ? std::to_string(*c.canary.high) : "-") + " base " +
             (c.baseline.high ? std::to_string(*c.baseline.high) : "-") + " " + c.reason + "\n";
    return out;
  }

  std::unique_ptr<slotest::ChildProcess> sim_;
};

const std::vector<policies::SloCheck> kAbsoluteChecks{
    check("trade-latency-p99", kLatencyQuery, 0.1), check("guardian-scan", kScanQuery, 30)};

TEST_F(SloGate, SevenPercentUtilisationPassesBothChecks) {
  itest::TestNamespace ns("slo-seven");
  start_sim(ns.name());
  apply(deployment(ns.name(), "engine", "engine", "stable", 2, "1",
                   R"({"cores": 0.07, "noise": 0.02, "seed": 7})"));
  const auto pods = wait_pods(ns.name(), "app=engine", 2);
  auto prom = prometheus();
  const auto v = analyse_with_data(*prom, kAbsoluteChecks, {ns.name(), "engine", pods, {}});
  EXPECT_TRUE(v.passed) << describe(v);
  ASSERT_EQ(v.checks.size(), 2U);
  EXPECT_LT(v.checks[0].canary.high.value_or(kNaN), 0.01) << describe(v);  // ~5 ms at 7 %
  EXPECT_NEAR(v.checks[1].canary.high.value_or(kNaN), 0.07 * 30, 0.2);     // scan: u * 30 s
  EXPECT_EQ(v.checks[0].canary.series, 1U);                                // summed by le
  EXPECT_EQ(v.checks[1].canary.series, 1U);
  // kwok reports what the simulator wrote: ~70m of CPU per pod.
  EXPECT_TRUE(itest::eventually(
      [&] {
        auto r = itest::kubectl(
            {"get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/" + ns.name() + "/pods"});
        if (!r.ok()) return false;
        const json list = json::parse(r.out, nullptr, false);
        if (!list.is_object()) return false;
        const json items = list.value("items", json::array());
        if (items.size() != 2) return false;
        for (const auto& p : items) {
          if (!p.is_object()) return false;
          auto q = policies::parse_quantity(p.value("/containers/0/usage/cpu"_json_pointer, ""));
          auto m = q ? policies::to_millis(*q)
                     : policies::Result<std::int64_t>(policies::make_error(""));
          if (!m || *m < 60 || *m > 80) return false;
        }
        return true;
      },
      120s, 2s));
}

TEST_F(SloGate, SqueezedTo110PercentFailsBothChecks) {
  itest::TestNamespace ns("slo-squeezed");
  start_sim(ns.name());
  apply(deployment(ns.name(), "engine", "engine", "stable", 2, "1",
                   R"({"cores": 1.1, "noise": 0.02, "seed": 7})"));
  const auto pods = wait_pods(ns.name(), "app=engine", 2);
  auto prom = prometheus();
  const auto v = analyse_with_data(*prom, kAbsoluteChecks, {ns.name(), "engine", pods, {}});
  EXPECT_FALSE(v.passed);
  ASSERT_EQ(v.checks.size(), 2U);
  EXPECT_EQ(v.checks[0].outcome, CheckOutcome::Fail) << describe(v);
  EXPECT_EQ(v.checks[1].outcome, CheckOutcome::Fail) << describe(v);
  EXPECT_GT(v.checks[0].canary.high.value_or(kNaN), 0.25) << describe(v);  // throttled: ~330 ms
  EXPECT_GT(v.checks[1].canary.high.value_or(kNaN), 30);
  // The usage kwok reports is capped at the allotted CPU.
  const auto a = itest::kubectl({"-n", ns.name(), "get", "pod", pods[0], "-o",
                                 "jsonpath={.metadata.annotations.kwok\\.x-k8s\\.io/usage-cpu}"});
  EXPECT_EQ(a.out, "1000m");
}

const policies::SloBaseline kBaseline{1.25, 0.005};

// Stable pods at 1 core, a canary at 0.8 core: a market burst slows both,
// and the canary stays within the baseline's allowance.
TEST_F(SloGate, MarketWideBurstSlowsEveryPodAndTheCanaryPasses) {
  itest::TestNamespace ns("slo-burst");
  start_sim(ns.name());
  const std::string quiet = R"({"cores": 0.1, "seed": 3})";
  apply(deployment(ns.name(), "engine", "engine", "stable", 2, "1", quiet));
  apply(deployment(ns.name(), "engine-canary", "engine", "canary", 1, "800m", quiet));
  const auto stable = wait_pods(ns.name(), "app=engine,role=stable", 2);
  const auto canary = wait_pods(ns.name(), "app=engine,role=canary", 1);
  const std::vector<policies::SloCheck> checks{
      check("trade-latency-p99", kLatencyQuery, 0.1, kBaseline)};
  const controller::AnalysisTarget target{ns.name(), "engine", canary, stable};
  auto prom = prometheus();
  const auto calm = analyse_with_data(*prom, checks, target);
  EXPECT_TRUE(calm.passed) << describe(calm);

  // The market opens: every pod's demand goes to 0.5 cores.
  const auto r =
      itest::kubectl({"-n", ns.name(), "annotate", "pods", "-l", "app=engine", "--overwrite",
                      R"(sim.rightsizer.io/profile={"cores": 0.5, "seed": 3})"});
  ASSERT_TRUE(r.ok()) << r.err;
  let_the_window_roll();
  const auto busy = analyse_with_data(*prom, checks, target);
  EXPECT_TRUE(busy.passed) << describe(busy);
  const auto& c = busy.checks.at(0);
  EXPECT_GT(c.baseline.high.value_or(kNaN), calm.checks.at(0).baseline.high.value_or(kNaN) * 1.4)
      << describe(busy);
  EXPECT_GT(c.canary.high.value_or(kNaN), calm.checks.at(0).canary.high.value_or(kNaN) * 1.4)
      << describe(busy);
}

// The canary alone at a quarter of the stable size: within the absolute
// bound, but clearly worse than the stable pods under the same load.
TEST_F(SloGate, CanaryAloneAtASmallerSizeFailsAgainstTheBaseline) {
  itest::TestNamespace ns("slo-starved");
  start_sim(ns.name());
  const std::string load = R"({"cores": 0.2, "seed": 5})";
  apply(deployment(ns.name(), "engine", "engine", "stable", 2, "1", load));
  apply(deployment(ns.name(), "engine-canary", "engine", "canary", 1, "250m", load));
  const auto stable = wait_pods(ns.name(), "app=engine,role=stable", 2);
  const auto canary = wait_pods(ns.name(), "app=engine,role=canary", 1);
  auto prom = prometheus();
  const std::vector<policies::SloCheck> with_baseline{
      check("trade-latency-p99", kLatencyQuery, 0.1, kBaseline)};
  const auto v = analyse_with_data(*prom, with_baseline, {ns.name(), "engine", canary, stable});
  EXPECT_FALSE(v.passed) << describe(v);
  const auto& c = v.checks.at(0);
  EXPECT_LT(c.canary.high.value_or(kNaN), 0.1)
      << describe(v);  // the absolute bound alone would pass
  EXPECT_NE(c.reason.find("worse than baseline"), std::string::npos) << c.reason;
  // Without the baseline the same canary passes: the baseline caught it.
  const std::vector<policies::SloCheck> absolute{check("trade-latency-p99", kLatencyQuery, 0.1)};
  EXPECT_TRUE(controller::run_analysis(*prom, absolute, {ns.name(), "engine", canary, stable},
                                       std::chrono::system_clock::now())
                  .passed);
}

// A Prometheus of the test's own, scraping the simulator: while it runs the
// analysis passes; once it is stopped the verdict is a named failure.
TEST_F(SloGate, PrometheusStoppedIsANamedFailureNeverAPass) {
  itest::TestNamespace ns("slo-promdown");
  const auto& env = itest::ClusterEnv::get();
  start_sim(ns.name());
  apply(deployment(ns.name(), "engine", "engine", "stable", 1, "1", R"({"cores": 0.07})"));
  const auto pods = wait_pods(ns.name(), "app=engine", 1);
  const auto dir = std::filesystem::path(env.data_dir) / ("prometheus-" + ns.name());
  std::filesystem::create_directories(dir);
  const std::string port = std::to_string(free_port());
  std::ofstream(dir / "prometheus.yml")
      << "global: {scrape_interval: 2s}\nscrape_configs:\n- job_name: sim\n  file_sd_configs:\n"
         "  - files: ['"
      << env.prometheus_targets_dir << "/*.json']\n    refresh_interval: 2s\n";
  slotest::ChildProcess prom_process(
      {"prometheus", "--config.file=" + (dir / "prometheus.yml").string(),
       "--storage.tsdb.path=" + (dir / "data").string(), "--web.listen-address=127.0.0.1:" + port},
      (dir / "prometheus.log").string());
  ASSERT_TRUE(prom_process.started());
  auto prom = prometheus("http://127.0.0.1:" + port);
  const auto up = analyse_with_data(*prom, kAbsoluteChecks, {ns.name(), "engine", pods, {}});
  EXPECT_TRUE(up.passed) << describe(up);

  ASSERT_TRUE(prom_process.stop());
  const auto down = controller::run_analysis(
      *prom, kAbsoluteChecks, {ns.name(), "engine", pods, {}}, std::chrono::system_clock::now());
  EXPECT_FALSE(down.passed);
  for (const auto& c : down.checks) {
    EXPECT_EQ(c.outcome, CheckOutcome::Fail);
    EXPECT_NE(c.reason.find("ConnectionRefused"), std::string::npos) << c.reason;
  }
  std::filesystem::remove_all(dir);
}

TEST_F(SloGate, MemoryAboveTheLimitIsReportedAsAnOomKill) {
  itest::TestNamespace ns("slo-oom");
  start_sim(ns.name());
  apply(deployment(ns.name(), "engine", "engine", "stable", 1, "1",
                   R"({"cores": 0.1, "memoryBytes": 1073741824})"));  // 1 GiB in a 512Mi limit
  const auto pods = wait_pods(ns.name(), "app=engine", 1);
  ASSERT_EQ(pods.size(), 1U);
  std::string reason;
  EXPECT_TRUE(itest::eventually(
      [&] {
        auto r =
            itest::kubectl({"-n", ns.name(), "get", "pod", pods[0], "-o",
                            "jsonpath={.status.containerStatuses[0].lastState.terminated.reason}"
                            "/{.status.containerStatuses[0].restartCount}"});
        reason = r.out;
        return r.ok() && reason == "OOMKilled/1";
      },
      60s));
  EXPECT_EQ(reason, "OOMKilled/1");
}

// The API accepts a check with a baseline and fills in its defaults.
TEST(SloPolicyApi, BaselineIsAcceptedWithDefaults) {
  itest::TestNamespace ns("slo-api");
  const auto crds = itest::kubectl({"apply", "-f", std::string(RIGHTSIZER_SOURCE_DIR) + "/crds"});
  ASSERT_TRUE(crds.ok()) << crds.err;
  ASSERT_TRUE(itest::kubectl({"wait", "--for=condition=Established", "--timeout=60s",
                              "crd/rightsizepolicies.rightsizer.io"})
                  .ok());
  const std::string policy =
      "apiVersion: rightsizer.io/v1alpha1\nkind: RightsizePolicy\nmetadata: {name: p, namespace: " +
      ns.name() +
      "}\nspec: {slos: {checks: [{name: lat, query: \"up{pod=~\\\"{{pods}}\\\"}\", max: 0.1, "
      "baseline: {maxRatio: \"1.25\"}}]}}\n";
  itest::CommandResult r;
  ASSERT_TRUE(itest::eventually(
      [&] {
        r = itest::kubectl({"create", "--dry-run=server", "-f", "-", "-o", "json"}, policy);
        return r.ok();
      },
      30s))
      << r.err;
  const auto b = json::parse(r.out)["spec"]["slos"]["checks"][0]["baseline"];
  EXPECT_EQ(b["maxRatio"], "1.25");
  EXPECT_EQ(b["maxDelta"], "0");
}

// https:// with a CA file: the answer is read when the server's certificate
// verifies against that CA, and refused (a named error) against the system's.
TEST(PrometheusHttps, VerifiesTheServerAgainstTheCaFile) {
  k8s::itest_support::OtherCa ca;
  k8s::itest_support::TlsServer server(
      ca, 2, 1, R"({"status":"success","data":{"resultType":"scalar","result":[1,"0.042"]}})");
  controller::PrometheusOptions opts;
  opts.address = "https://127.0.0.1:" + std::to_string(server.port);
  opts.timeout = 5s;
  opts.ca_file = ca.dir + "/ca.crt";
  auto trusted = controller::make_prometheus_client(opts);
  ASSERT_TRUE(trusted.ok()) << trusted.error().describe();
  auto r = trusted.value()->query("up", std::chrono::system_clock::now());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_DOUBLE_EQ(r->samples.at(0).value, 0.042);

  opts.ca_file.clear();
  auto system_ca = controller::make_prometheus_client(opts);
  ASSERT_TRUE(system_ca.ok());
  auto refused = system_ca.value()->query("up", std::chrono::system_clock::now());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, controller::PromErrorKind::Unreachable)
      << refused.error().describe();
  EXPECT_EQ(server.requests.load(), 1);
}

}  // namespace
