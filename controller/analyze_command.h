#pragma once
// `rightsizer analyze`: runs a policy's SLO checks once, now, against a
// workload, and prints each check's value, bound, baseline and verdict — how
// a user debugs a check before trusting it with a rollout.
//
//   rightsizer analyze -n NS --workload NAME (--policy NAME | -f FILE)
//       [--kind Deployment|StatefulSet] [--canary-pods a,b] [--pods a,b]
//       [--kubeconfig FILE] [--prometheus URL] [--prometheus-ca-file FILE]
//       [--prometheus-token-file FILE] [-o text|json]
//
// Pods: the workload's (its whole selector) from the cluster, or
// --pods. With --canary-pods those are analysed and the remaining pods are
// the baseline. Exit status: 0 the analysis passed, 1 it failed, 2 usage,
// configuration or cluster errors.
#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "controller/slo_analysis.h"

namespace controller {

struct AnalyzeArgs {
  std::string ns;
  std::string workload;
  std::string kind = "Deployment";
  std::string policy_name;
  std::string policy_file;
  std::vector<std::string> canary_pods;
  std::optional<std::vector<std::string>> pods;  // instead of the cluster's
  std::string kubeconfig;
  std::string prometheus;  // overrides the policy's address
  std::string prometheus_ca_file;
  std::string prometheus_token_file;
  std::string output = "text";
};

// nullopt (with `error` set) for bad arguments.
std::optional<AnalyzeArgs> parse_analyze_args(std::span<const std::string_view> args,
                                              std::string& error);

// Splits the workload's pods into the analysed ones and the baseline.
AnalysisTarget analysis_target(const AnalyzeArgs& args, std::vector<std::string> workload_pods);

// A workload's spec.selector as a label selector ("app=x,tier in (a,b),team,!old");
// nullopt (with `error`) when it is empty or uses what a label selector cannot say.
std::optional<std::string> label_selector_text(const nlohmann::json& selector, std::string& error);

// The report: a table (text) or a JSON document.
std::string format_verdict_text(const Verdict& verdict, const AnalysisTarget& target);
std::string format_verdict_json(const Verdict& verdict, const AnalysisTarget& target);

// `args` are the arguments after "analyze".
int run_analyze(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace controller
