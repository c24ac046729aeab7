#pragma once
// The options of `rightsizer recommend` (one shot, changes nothing), parsed
// from flags and an optional YAML config file and validated.
#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "controller/command_options.h"

namespace controller {

enum class OutputFormat { Table, Json };

struct RecommendOptions {
  ClusterAccess cluster;
  LogOptions log;
  std::string namespace_name;  // empty and !all_namespaces: the context's namespace
  bool all_namespaces = false;
  OutputFormat output = OutputFormat::Table;
  // Zero: report the Rightsizings present. Otherwise sample metrics-server
  // for this long, every `metrics_interval`.
  std::chrono::milliseconds sample{0};
  std::chrono::milliseconds metrics_interval{std::chrono::seconds(15)};
};

// `args` are the arguments after "recommend".
Parsed<RecommendOptions> parse_recommend_options(std::span<const std::string_view> args,
                                                 const CommandEnv& env);

}  // namespace controller
