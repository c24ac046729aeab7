#pragma once
// The options of `rightsizer report` (the FinOps report; changes nothing),
// parsed from flags and an optional YAML config file and validated.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "controller/command_options.h"

namespace controller {

enum class ReportFormat { Text, Markdown, Json, Html };

struct ReportOptions {
  ClusterAccess cluster;
  LogOptions log;
  std::string namespace_name;  // empty and !all_namespaces: the context's namespace
  bool all_namespaces = false;
  ReportFormat format = ReportFormat::Text;
  std::string output_file;  // empty: stdout
  // Trades per second of the reported workloads together, in millionths.
  std::optional<std::int64_t> trades_per_second_micro;
  // Read Rightsizings from this JSON file (`kubectl get rsz -o json`)
  // instead of the cluster; empty: from the cluster.
  std::string from_file;
};

// `args` are the arguments after "report".
Parsed<ReportOptions> parse_report_options(std::span<const std::string_view> args,
                                           const CommandEnv& env);

}  // namespace controller
