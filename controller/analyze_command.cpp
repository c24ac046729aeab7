#include "controller/analyze_command.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "controller/yaml_json.h"
#include "k8s/api_client.h"
#include "k8s/clock.h"
#include "k8s/config.h"
#include "k8s/https_transport.h"
#include "k8s/token_provider.h"
#include "policies/policy_json.h"

namespace controller {
namespace {

constexpr std::string_view kUsage =
    "usage: rightsizer analyze -n NAMESPACE --workload NAME (--policy NAME | -f FILE)\n"
    "         [--kind Deployment|StatefulSet] [--canary-pods a,b] [--pods a,b]\n"
    "         [--kubeconfig FILE] [--prometheus URL] [--prometheus-ca-file FILE]\n"
    "         [--prometheus-token-file FILE] [-o text|json]\n"
    "  Runs the policy's SLO checks once, now, and prints value, bound, baseline\n"
    "  and verdict per check. With --canary-pods the other pods of the workload\n"
    "  are the baseline. Exit status: 0 pass, 1 fail, 2 usage or setup error.\n";

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto comma = std::min(text.find(',', pos), text.size());
    if (comma > pos) out.emplace_back(text.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

// Fetches "--flag VALUE" or "--flag=VALUE".
bool take(std::span<const std::string_view> args, std::size_t& i, std::string_view flag,
          std::string& out) {
  const std::string_view a = args[i];
  if (a == flag && i + 1 < args.size()) {
    out = std::string(args[++i]);
    return true;
  }
  if (a.size() > flag.size() && a.starts_with(flag) && a[flag.size()] == '=') {
    out = std::string(a.substr(flag.size() + 1));
    return true;
  }
  return false;
}

struct Cluster {
  k8s::SystemClock clock;
  k8s::SystemRandom random;
  std::unique_ptr<k8s::ApiClient> api;
};

policies::Result<std::unique_ptr<Cluster>> connect(const std::string& kubeconfig) {
  auto cfg = k8s::load_kubeconfig(kubeconfig);
  if (!cfg) return policies::make_error(cfg.error().describe());
  auto transport = k8s::make_https_transport(*cfg);
  if (!transport) return policies::make_error(transport.error().describe());
  auto c = std::make_unique<Cluster>();
  auto tokens = std::make_shared<k8s::TokenProvider>(*cfg, c->clock);
  c->api = std::make_unique<k8s::ApiClient>(*transport, tokens, c->clock, c->random);
  return c;
}

policies::Result<policies::ParsedPolicy> policy_from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return policies::make_error(path + ": cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  auto docs = yaml_to_json(text.str());
  if (!docs) return policies::make_error(path + ": " + docs.error());
  for (const auto& d : *docs)
    if (d.is_object() && d.value("kind", "") == "RightsizePolicy")
      return policies::parse_policy_object(d);
  return policies::make_error(path + ": no RightsizePolicy in the file");
}

policies::Result<policies::ParsedPolicy> policy_from_cluster(k8s::ApiClient& api,
                                                             const AnalyzeArgs& a) {
  const k8s::ApiResource rsp{"rightsizer.io", "v1alpha1", "rightsizepolicies", true};
  auto obj = api.get({rsp, a.ns, a.policy_name, ""});
  if (!obj) return policies::make_error("policy " + a.policy_name + ": " + obj.error().describe());
  return policies::parse_policy_object(*obj);
}

// The pods of the workload, by its whole selector; terminating pods are left out.
policies::Result<std::vector<std::string>> workload_pods(k8s::ApiClient& api,
                                                         const AnalyzeArgs& a) {
  const auto resource =
      a.kind == "StatefulSet" ? k8s::resources::statefulsets() : k8s::resources::deployments();
  auto w = api.get({resource, a.ns, a.workload, ""});
  if (!w) return policies::make_error(a.kind + " " + a.workload + ": " + w.error().describe());
  std::string error;
  const auto& spec = (*w)["spec"];
  const auto selector = label_selector_text(
      spec.is_object() && spec.contains("selector") ? spec["selector"] : nlohmann::json(), error);
  if (!selector) return policies::make_error(a.workload + ": " + error);
  k8s::ListOptions opts;
  opts.label_selector = *selector;
  auto list = api.list({k8s::resources::pods(), a.ns, "", ""}, opts);
  if (!list) return policies::make_error("listing pods: " + list.error().describe());
  std::vector<std::string> out;
  for (const auto& p : list->items)
    if (!p["metadata"].contains("deletionTimestamp"))
      out.push_back(p["metadata"].value("name", ""));
  std::sort(out.begin(), out.end());
  return out;
}

int analyze(const AnalyzeArgs& a, const policies::SloPolicy& slos, AnalysisTarget target,
            std::ostream& out, std::ostream& err) {
  PrometheusOptions opts;
  opts.address = a.prometheus.empty() ? slos.prometheus.address : a.prometheus;
  opts.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(slos.prometheus.timeout);
  opts.ca_file = a.prometheus_ca_file;
  opts.bearer_token_file = a.prometheus_token_file;
  auto prom = make_prometheus_client(opts);
  if (!prom) {
    err << "rightsizer analyze: " << prom.error().describe() << "\n";
    return 2;
  }
  const auto verdict =
      run_analysis(*prom.value(), slos.checks, target, std::chrono::system_clock::now());
  out << (a.output == "json" ? format_verdict_json(verdict, target)
                             : format_verdict_text(verdict, target));
  return verdict.passed ? 0 : 1;
}

}  // namespace

std::optional<AnalyzeArgs> parse_analyze_args(std::span<const std::string_view> args,
                                              std::string& error) {
  AnalyzeArgs a;
  std::string canary, pods;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (take(args, i, "-n", a.ns) || take(args, i, "--namespace", a.ns) ||
        take(args, i, "--workload", a.workload) || take(args, i, "--kind", a.kind) ||
        take(args, i, "--policy", a.policy_name) || take(args, i, "-f", a.policy_file) ||
        take(args, i, "--canary-pods", canary) || take(args, i, "--pods", pods) ||
        take(args, i, "--kubeconfig", a.kubeconfig) ||
        take(args, i, "--prometheus", a.prometheus) ||
        take(args, i, "--prometheus-ca-file", a.prometheus_ca_file) ||
        take(args, i, "--prometheus-token-file", a.prometheus_token_file) ||
        take(args, i, "-o", a.output) || take(args, i, "--output", a.output))
      continue;
    error = "unknown or incomplete flag " + std::string(args[i]);
    return std::nullopt;
  }
  a.canary_pods = split_list(canary);
  if (!pods.empty()) a.pods = split_list(pods);
  if (a.ns.empty() || a.workload.empty())
    error = "-n and --workload are required";
  else if (a.policy_name.empty() == a.policy_file.empty())
    error = "give one of --policy or -f";
  else if (a.kind != "Deployment" && a.kind != "StatefulSet")
    error = "--kind must be Deployment or StatefulSet";
  else if (a.output != "text" && a.output != "json")
    error = "-o must be text or json";
  else if ((!a.pods || !a.policy_name.empty()) && a.kubeconfig.empty())
    error = "--kubeconfig is needed to read the policy or the workload's pods";
  if (!error.empty()) return std::nullopt;
  return a;
}

namespace {

// One matchExpressions entry as a label selector term; "" (with `error`) if it cannot be one.
std::string expression_text(const nlohmann::json& e, std::string& error) {
  const auto text = [&e](const char* key) {
    return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : std::string();
  };
  const std::string key = text("key"), op = text("operator");
  if (key.empty()) {
    error = "selector expression without a key";
    return "";
  }
  if (op == "Exists") return key;
  if (op == "DoesNotExist") return "!" + key;
  if (op != "In" && op != "NotIn") {
    error = "selector operator \"" + op + "\" is not supported (In, NotIn, Exists, DoesNotExist)";
    return "";
  }
  std::string values;
  if (e.contains("values") && e["values"].is_array())
    for (const auto& v : e["values"])
      if (v.is_string()) values += (values.empty() ? "" : ",") + v.get<std::string>();
  if (values.empty()) {
    error = "selector " + op + " on " + key + " needs values";
    return "";
  }
  return key + (op == "In" ? " in (" : " notin (") + values + ")";
}

}  // namespace

std::optional<std::string> label_selector_text(const nlohmann::json& selector, std::string& error) {
  std::string out;
  const auto add = [&out](const std::string& term) { out += (out.empty() ? "" : ",") + term; };
  if (selector.is_object() && selector.contains("matchLabels") &&
      selector["matchLabels"].is_object())
    for (const auto& [k, v] : selector["matchLabels"].items())
      add(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
  if (selector.is_object() && selector.contains("matchExpressions") &&
      selector["matchExpressions"].is_array())
    for (const auto& e : selector["matchExpressions"]) {
      const auto term = expression_text(e, error);
      if (term.empty()) return std::nullopt;
      add(term);
    }
  // An empty selector would list every pod of the namespace.
  if (out.empty()) {
    error = "the selector has neither matchLabels nor matchExpressions";
    return std::nullopt;
  }
  return out;
}

AnalysisTarget analysis_target(const AnalyzeArgs& args, std::vector<std::string> workload_pods) {
  AnalysisTarget t{args.ns, args.workload, {}, {}};
  if (args.canary_pods.empty()) {
    t.pods = std::move(workload_pods);
    return t;
  }
  t.pods = args.canary_pods;
  for (auto& p : workload_pods)
    if (std::find(args.canary_pods.begin(), args.canary_pods.end(), p) == args.canary_pods.end())
      t.baseline_pods.push_back(std::move(p));
  return t;
}

int run_analyze(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    out << kUsage;
    return 0;
  }
  std::string error;
  const auto a = parse_analyze_args(args, error);
  if (!a) {
    err << "rightsizer analyze: " << error << "\n" << kUsage;
    return 2;
  }
  std::unique_ptr<Cluster> cluster;
  if (!a->kubeconfig.empty()) {
    auto c = connect(a->kubeconfig);
    if (!c) {
      err << "rightsizer analyze: " << c.error() << "\n";
      return 2;
    }
    cluster = std::move(c.value());
  }
  auto policy = a->policy_file.empty() ? policy_from_cluster(*cluster->api, *a)
                                       : policy_from_file(a->policy_file);
  if (!policy || !policy->valid()) {
    err << "rightsizer analyze: "
        << (!policy ? policy.error() : "the policy is invalid (see rightsizer validate)") << "\n";
    return 2;
  }
  auto pods = a->pods ? policies::Result<std::vector<std::string>>(*a->pods)
                      : workload_pods(*cluster->api, *a);
  if (!pods) {
    err << "rightsizer analyze: " << pods.error() << "\n";
    return 2;
  }
  return analyze(*a, policy->spec.slos, analysis_target(*a, pods.value()), out, err);
}

}  // namespace controller
