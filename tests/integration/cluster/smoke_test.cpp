// Smoke tests of the local control plane: the real upstream programs that
// every other integration and e2e test relies on.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "k8s/version_info.h"
#include "policies/quantity.h"
#include "support/cluster.h"
#include "support/http_exporter.h"

namespace {

using itest::kubectl;
using json = nlohmann::json;
using namespace std::chrono_literals;

json kubectl_json(std::vector<std::string> args) {
  args.push_back("-o");
  args.push_back("json");
  auto r = kubectl(std::move(args));
  if (!r.ok()) return json();
  return json::parse(r.out, nullptr, false);
}

std::string deployment(const std::string& ns, const std::string& name, int replicas,
                       const std::string& pod_annotations = "{}") {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\nspec:\n  replicas: " + std::to_string(replicas) +
         "\n  selector: {matchLabels: {app: " + name +
         "}}\n  template:\n    metadata:\n"
         "      labels: {app: " +
         name + "}\n      annotations: " + pod_annotations +
         "\n    spec:\n      containers:\n      - name: main\n        image: trading:1\n"
         "        resources: {requests: {cpu: 500m, memory: 512Mi}}\n";
}

// Pods of `app` that are Running and Ready, on kwok nodes.
int ready_pods_on_kwok_nodes(const std::string& ns, const std::string& app) {
  auto pods = kubectl_json({"-n", ns, "get", "pods", "-l", "app=" + app});
  if (!pods.is_object()) return -1;
  int ready = 0;
  for (const auto& p : pods["items"]) {
    if (p["status"].value("phase", "") != "Running") continue;
    if (p["spec"].value("nodeName", "").rfind("kwok-node-", 0) != 0) continue;
    for (const auto& c : p["status"].value("conditions", json::array())) {
      if (c.value("type", "") == "Ready" && c.value("status", "") == "True") ++ready;
    }
  }
  return ready;
}

TEST(ApiServer, ReadyzIsOkAndVersionIs136) {
  auto ready = kubectl({"get", "--raw", "/readyz"});
  ASSERT_TRUE(ready.ok()) << ready.err;
  EXPECT_EQ(ready.out, "ok");

  auto version = kubectl({"get", "--raw", "/version"});
  ASSERT_TRUE(version.ok()) << version.err;
  auto v = k8s::parse_version_info(version.out);
  ASSERT_TRUE(v.has_value()) << version.out;
  EXPECT_EQ(v->major, 1);
  EXPECT_EQ(v->minor, 36);
  EXPECT_EQ(v->git_version.rfind("v1.36.", 0), 0u) << v->git_version;
}

TEST(Workloads, DeploymentGetsThreeRunningPodsOnKwokNodes) {
  itest::TestNamespace ns("smoke-deploy");
  auto r = kubectl({"apply", "-f", "-"}, deployment(ns.name(), "engine", 3));
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_TRUE(
      itest::eventually([&] { return ready_pods_on_kwok_nodes(ns.name(), "engine") == 3; }, 90s))
      << kubectl({"-n", ns.name(), "get", "pods", "-o", "wide"}).out;
  auto d = kubectl_json({"-n", ns.name(), "get", "deployment", "engine"});
  EXPECT_TRUE(itest::eventually(
      [&] {
        d = kubectl_json({"-n", ns.name(), "get", "deployment", "engine"});
        return d.is_object() && d["status"].value("readyReplicas", 0) == 3;
      },
      30s));
}

TEST(Workloads, StatefulSetGetsThreeRunningPodsOnKwokNodes) {
  itest::TestNamespace ns("smoke-sts");
  const std::string sts =
      "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: guardian, namespace: " + ns.name() +
      "}\nspec:\n  replicas: 3\n  serviceName: guardian\n"
      "  selector: {matchLabels: {app: guardian}}\n  template:\n    metadata:\n"
      "      labels: {app: guardian}\n    spec:\n      containers:\n      - name: main\n"
      "        image: guardian:1\n        resources: {requests: {cpu: 250m, memory: 256Mi}}\n";
  auto r = kubectl({"apply", "-f", "-"}, sts);
  ASSERT_TRUE(r.ok()) << r.err;
  EXPECT_TRUE(
      itest::eventually([&] { return ready_pods_on_kwok_nodes(ns.name(), "guardian") == 3; }, 120s))
      << kubectl({"-n", ns.name(), "get", "pods", "-o", "wide"}).out;
  // Ordinals 0..2, as the StatefulSet controller names them.
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(kubectl({"-n", ns.name(), "get", "pod", "guardian-" + std::to_string(i)}).ok());
  }
}

TEST(Metrics, UsageAnnotationsAppearInMetricsApi) {
  itest::TestNamespace ns("smoke-metrics");
  auto r =
      kubectl({"apply", "-f", "-"},
              deployment(ns.name(), "news", 2,
                         "{kwok.x-k8s.io/usage-cpu: 250m, kwok.x-k8s.io/usage-memory: 300Mi}"));
  ASSERT_TRUE(r.ok()) << r.err;
  ASSERT_TRUE(
      itest::eventually([&] { return ready_pods_on_kwok_nodes(ns.name(), "news") == 2; }, 90s));

  const std::string path = "/apis/metrics.k8s.io/v1beta1/namespaces/" + ns.name() + "/pods";
  json last;
  bool seen = itest::eventually(
      [&] {
        auto res = kubectl({"get", "--raw", path});
        if (!res.ok()) return false;
        last = json::parse(res.out, nullptr, false);
        if (!last.is_object() || last["items"].size() != 2) return false;
        for (const auto& pod : last["items"]) {
          const auto& c = pod["containers"];
          if (c.size() != 1) return false;
          auto cpu = policies::parse_quantity(c[0]["usage"].value("cpu", ""));
          auto mem = policies::parse_quantity(c[0]["usage"].value("memory", ""));
          if (!cpu || !mem) return false;
          auto millicores = policies::to_millis(*cpu);
          auto bytes = policies::to_units(*mem);
          // CPU is a rate over two scrapes of kwok's cumulative counter.
          if (!millicores || *millicores < 225 || *millicores > 275) return false;
          if (!bytes || *bytes != 300LL * 1024 * 1024) return false;
        }
        return true;
      },
      120s, 2s);
  EXPECT_TRUE(seen) << last.dump();
}

TEST(Prometheus, ScrapesATargetTheTestRegisters) {
  const auto& env = itest::ClusterEnv::get();
  itest::HttpExporter exporter;
  const std::string id = "smoke" + std::to_string(exporter.port());
  exporter.set_body("# TYPE rightsizer_smoke_value gauge\nrightsizer_smoke_value 42\n");
  const auto target_file = std::filesystem::path(env.prometheus_targets_dir) / (id + ".json");
  {
    std::ofstream out(target_file);
    out << json::array({{{"targets", {exporter.address()}}, {"labels", {{"smoke", id}}}}}).dump();
  }
  json answer;
  bool seen = itest::eventually(
      [&] {
        auto res =
            itest::run({"curl", "-sf", "--max-time", "5", env.prometheus_url + "/api/v1/query",
                        "--data-urlencode", "query=rightsizer_smoke_value{smoke=\"" + id + "\"}"});
        if (!res.ok()) return false;
        answer = json::parse(res.out, nullptr, false);
        if (!answer.is_object() || answer.value("status", "") != "success") return false;
        const auto& result = answer["data"]["result"];
        return result.size() == 1 && result[0]["value"][1] == "42";
      },
      60s, 1s);
  std::filesystem::remove(target_file);
  EXPECT_TRUE(seen) << answer.dump();
  EXPECT_GT(exporter.scrapes(), 0);
}

TEST(Rbac, ServiceAccountWithoutRoleIsForbiddenToListPods) {
  itest::TestNamespace ns("smoke-rbac");
  const auto& env = itest::ClusterEnv::get();
  ASSERT_TRUE(kubectl({"-n", ns.name(), "create", "serviceaccount", "nobody"}).ok());
  auto token = kubectl({"-n", ns.name(), "create", "token", "nobody"});
  ASSERT_TRUE(token.ok()) << token.err;
  ASSERT_FALSE(token.out.empty());
  std::string tok = token.out;
  while (!tok.empty() && (tok.back() == '\n' || tok.back() == '\r')) tok.pop_back();

  // Only the token authenticates: an empty kubeconfig, server and CA given.
  const std::string empty_kubeconfig = env.data_dir + "/empty-" + ns.name() + ".kubeconfig";
  std::ofstream(empty_kubeconfig) << "apiVersion: v1\nkind: Config\n";
  auto as_sa = [&] {
    return itest::run({env.bin("kubectl"), "--kubeconfig=" + empty_kubeconfig,
                       "--server=" + env.apiserver_url, "--certificate-authority=" + env.ca_file,
                       "--token=" + tok, "-n", ns.name(), "get", "pods"});
  };
  auto denied = as_sa();
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_NE(denied.err.find("Forbidden"), std::string::npos) << denied.err;
  EXPECT_NE(denied.err.find("system:serviceaccount:" + ns.name() + ":nobody"), std::string::npos)
      << denied.err;

  // The same token with a role may list: the 403 above was RBAC's doing.
  ASSERT_TRUE(kubectl({"-n", ns.name(), "create", "rolebinding", "nobody-view",
                       "--clusterrole=view", "--serviceaccount=" + ns.name() + ":nobody"})
                  .ok());
  EXPECT_TRUE(itest::eventually([&] { return as_sa().ok(); }, 30s));
  std::filesystem::remove(empty_kubeconfig);
}

}  // namespace
