// manifests/ read as data, without a cluster: the RBAC rules are exactly the
// reviewed table (no wildcards, no Secrets, no escalate/bind/impersonate),
// the Deployment meets restricted Pod Security and passes flags that
// `rightsizer run` accepts, and the kustomizations list every file.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "controller/metrics_registry.h"
#include "controller/operator_metrics.h"
#include "controller/run_options.h"
#include "controller/yaml_json.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = RIGHTSIZER_SOURCE_DIR;

std::vector<json> load(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  auto docs = controller::yaml_to_json(s.str());
  EXPECT_TRUE(docs.ok()) << p << ": " << docs.error();
  return docs.ok() ? *docs : std::vector<json>{};
}

std::vector<json> all_objects() {
  std::vector<json> out;
  for (const auto& e : fs::directory_iterator(kSource / "manifests")) {
    // manifests/monitoring holds Prometheus rules, not objects to apply.
    if (e.path().filename() == "kustomization.yaml" || e.is_directory()) continue;
    for (auto& d : load(e.path())) out.push_back(std::move(d));
  }
  return out;
}

json find(const std::string& kind, const std::string& name) {
  for (const auto& o : all_objects())
    if (o["kind"] == kind && o["metadata"]["name"] == name) return o;
  ADD_FAILURE() << kind << "/" << name << " not found";
  return json::object();
}

// "group/resource" → verbs, over every rule of a role.
std::map<std::string, std::set<std::string>> rules_of(const json& role) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& rule : role["rules"])
    for (const auto& g : rule["apiGroups"])
      for (const auto& r : rule["resources"])
        for (const auto& v : rule["verbs"])
          out[g.get<std::string>() + "/" + r.get<std::string>()].insert(v.get<std::string>());
  return out;
}

TEST(Manifests, ClusterRoleIsExactlyTheReviewedTable) {
  using V = std::set<std::string>;
  const std::map<std::string, V> expected{
      {"rightsizer.io/rightsizepolicies", V{"get", "list", "watch"}},
      {"rightsizer.io/rightsizepolicies/status", V{"get", "update", "patch"}},
      {"rightsizer.io/rightsizings",
       V{"get", "list", "watch", "create", "update", "patch", "delete"}},
      {"rightsizer.io/rightsizings/status", V{"get", "update", "patch"}},
      {"apps/deployments", V{"get", "list", "watch", "patch", "create", "delete"}},
      {"apps/statefulsets", V{"get", "list", "watch", "patch"}},
      {"apps/replicasets", V{"get", "list", "watch"}},
      {"/pods", V{"get", "list", "watch"}},
      {"autoscaling/horizontalpodautoscalers", V{"get", "list", "watch"}},
      {"policy/poddisruptionbudgets", V{"get", "list", "watch"}},
      {"/events", V{"create", "patch"}},
      {"metrics.k8s.io/pods", V{"get", "list"}}};
  EXPECT_EQ(rules_of(find("ClusterRole", "rightsizer")), expected);
  const std::map<std::string, V> leases{
      {"coordination.k8s.io/leases", V{"get", "create", "update"}}};
  EXPECT_EQ(rules_of(find("Role", "rightsizer-leader-election")), leases);
}

TEST(Manifests, NoRoleHasWildcardsSecretsOrEscalation) {
  int roles = 0;
  for (const auto& o : all_objects()) {
    if (o["kind"] != "ClusterRole" && o["kind"] != "Role") continue;
    ++roles;
    EXPECT_FALSE(o.contains("aggregationRule"));
    for (const auto& rule : o["rules"]) {
      EXPECT_FALSE(rule.contains("nonResourceURLs")) << rule;
      EXPECT_FALSE(rule.contains("resourceNames")) << rule;
      for (const char* field : {"apiGroups", "resources", "verbs"})
        for (const auto& v : rule[field])
          EXPECT_EQ(v.get<std::string>().find('*'), std::string::npos) << rule;
      for (const auto& r : rule["resources"]) EXPECT_NE(r, "secrets");
      for (const auto& v : rule["verbs"])
        EXPECT_TRUE(v != "escalate" && v != "bind" && v != "impersonate") << rule;
    }
  }
  EXPECT_EQ(roles, 2);
}

TEST(Manifests, BindingsNameTheOperatorsServiceAccount) {
  for (const auto& [kind, name] : {std::pair{"ClusterRoleBinding", "rightsizer"},
                                   std::pair{"RoleBinding", "rightsizer-leader-election"}}) {
    const json b = find(kind, name);
    ASSERT_EQ(b["subjects"].size(), 1U);
    EXPECT_EQ(b["subjects"][0]["kind"], "ServiceAccount");
    EXPECT_EQ(b["subjects"][0]["name"], "rightsizer");
    EXPECT_EQ(b["subjects"][0]["namespace"], "rightsizer-system");
  }
}

TEST(Manifests, DeploymentMeetsRestrictedPodSecurity) {
  const json d = find("Deployment", "rightsizer");
  EXPECT_EQ(d["spec"]["replicas"], 2);
  const json& pod = d["spec"]["template"]["spec"];
  EXPECT_EQ(pod["serviceAccountName"], "rightsizer");
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_FALSE(pod.contains("hostNetwork") || pod.contains("hostPID") || pod.contains("volumes"));
  ASSERT_EQ(pod["containers"].size(), 1U);
  const json& c = pod["containers"][0];
  EXPECT_EQ(c["securityContext"]["allowPrivilegeEscalation"], false);
  EXPECT_EQ(c["securityContext"]["readOnlyRootFilesystem"], true);
  EXPECT_EQ(c["securityContext"]["capabilities"]["drop"], json::array({"ALL"}));
  EXPECT_FALSE(c["securityContext"]["capabilities"].contains("add"));
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"], "/healthz");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"], "/readyz");
  for (const char* r : {"cpu", "memory"}) {
    EXPECT_TRUE(c["resources"]["requests"].contains(r)) << r;
    EXPECT_TRUE(c["resources"]["limits"].contains(r)) << r;
  }
}

TEST(Manifests, DeploymentArgsAreValidRunFlags) {
  const json c = find("Deployment", "rightsizer")["spec"]["template"]["spec"]["containers"][0];
  std::vector<std::string> args = c["args"].get<std::vector<std::string>>();
  ASSERT_FALSE(args.empty());
  ASSERT_EQ(args.front(), "run");
  std::vector<std::string_view> views(args.begin() + 1, args.end());
  const auto parsed = controller::parse_run_options(views, {});
  ASSERT_TRUE(std::holds_alternative<controller::RunOptions>(parsed))
      << std::get<controller::ParseStop>(parsed).text;
  const auto& o = std::get<controller::RunOptions>(parsed);
  EXPECT_TRUE(o.leader_elect);
  EXPECT_TRUE(o.cluster.in_cluster());
  // The probes and the Service point at the ports the flags open.
  ASSERT_TRUE(o.health_probe_bind_address && o.metrics_bind_address);
  std::map<std::string, int> ports;
  for (const auto& p : c["ports"]) ports[p["name"]] = p["containerPort"];
  EXPECT_EQ(ports["probes"], o.health_probe_bind_address->port);
  EXPECT_EQ(ports["metrics"], o.metrics_bind_address->port);
  EXPECT_EQ(find("Service", "rightsizer-metrics")["spec"]["ports"][0]["targetPort"], "metrics");
}

std::set<std::string> listed(const fs::path& kustomization) {
  std::set<std::string> out;
  const std::vector<json> docs = load(kustomization);
  for (const auto& r : docs.at(0)["resources"]) out.insert(r.get<std::string>());
  return out;
}

TEST(Manifests, KustomizationsListEveryFile) {
  std::set<std::string> files{"../crds"};
  for (const auto& e : fs::directory_iterator(kSource / "manifests"))
    if (e.path().filename() != "kustomization.yaml" && !e.is_directory())
      files.insert(e.path().filename().string());
  EXPECT_EQ(listed(kSource / "manifests" / "kustomization.yaml"), files);
  std::set<std::string> crds;
  for (const auto& e : fs::directory_iterator(kSource / "crds"))
    if (e.path().extension() == ".yaml") crds.insert(e.path().filename().string());
  EXPECT_EQ(listed(kSource / "crds" / "Kustomization"), crds);
}

// A metric renamed in the operator and not in the rules would leave its
// alert silent for ever (absent series never fire): every rightsizer_ name
// the rules use is one the operator exports.
TEST(Manifests, AlertsUseOnlyMetricsTheOperatorExports) {
  std::ifstream in(kSource / "manifests" / "monitoring" / "rightsizer-alerts.yaml");
  std::ostringstream rules;
  rules << in.rdbuf();
  controller::MetricsRegistry registry;
  controller::OperatorMetrics metrics(registry);
  const std::string exported = registry.render();
  // Every rightsizer_[a-z_]+ in the file (no std::regex: GCC 12's
  // sanitizer build warns inside it).
  std::set<std::string> used;
  const std::string text = rules.str();
  constexpr std::string_view kPrefix = "rightsizer_";
  for (auto at = text.find(kPrefix); at != std::string::npos;) {
    auto end = at + kPrefix.size();
    while (end < text.size() && ((text[end] >= 'a' && text[end] <= 'z') || text[end] == '_')) ++end;
    if (end == at + kPrefix.size()) {
      at = text.find(kPrefix, at + 1);
      continue;
    }
    used.insert(text.substr(at, end - at));
    at = text.find(kPrefix, end);
  }
  EXPECT_GE(used.size(), 7U) << text;
  for (const auto& n : used) {
    EXPECT_NE(exported.find("# TYPE " + n + " "), std::string::npos) << n << " is not exported";
  }
}

}  // namespace
