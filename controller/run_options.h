#pragma once
// The options of `rightsizer run` (the operator), parsed from flags and an
// optional YAML config file and validated before anything starts.
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "controller/command_options.h"

namespace controller {

struct RunOptions {
  ClusterAccess cluster;
  LogOptions log;
  // How often metrics-server is asked for pod usage.
  std::chrono::milliseconds metrics_interval{std::chrono::seconds(60)};
  // Prometheus for SLO checks of policies that name none.
  std::string prometheus_address = "http://prometheus.monitoring:9090";
  bool leader_elect = true;
  std::string leader_election_namespace;  // empty: the pod's own namespace
  std::string leader_election_id = "rightsizer-leader";
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};
  std::optional<BindAddress> metrics_bind_address = BindAddress{"", 8080};  // nullopt: off
  std::optional<BindAddress> health_probe_bind_address = BindAddress{"", 8081};
  int workers = 2;  // workloads reconciled in parallel
};

// `args` are the arguments after "run".
Parsed<RunOptions> parse_run_options(std::span<const std::string_view> args, const CommandEnv& env);

}  // namespace controller
