#include "controller/run_options.h"

#include "controller/cli_support.h"

namespace controller {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kDescription =
    "The operator. Watches Deployments and StatefulSets annotated\n"
    "`rightsizer.io/policy: <RightsizePolicy name>`, learns their CPU and memory\n"
    "usage from metrics-server, and keeps one Rightsizing per workload with the\n"
    "recommended requests/limits and the monthly savings (`kubectl get rsz -A`).\n"
    "Runs in the cluster with its service account, or outside it with\n"
    "--kubeconfig. Stop it with SIGTERM.";

constexpr std::string_view kFooter =
    "Durations are written like 30s, 5m, 1h. Every flag may also be set in the\n"
    "--config YAML file under its long name (`metrics-interval: 30s`);\n"
    "flags on the command line win.\n"
    "\n"
    "Examples:\n"
    "  rightsizer run                                 # in a pod, as installed by manifests/\n"
    "  rightsizer run --kubeconfig ~/.kube/config --leader-elect=false\n"
    "  rightsizer run --config /etc/rightsizer/config.yaml --log-level debug";

// The flags as written, before validation.
struct RunFlags {
  cli::CommonFlags common;
  std::string metrics_interval = "1m";
  std::string prometheus_address = "http://prometheus.monitoring:9090";
  bool leader_elect = true;
  std::string leader_election_namespace;
  std::string leader_election_id = "rightsizer-leader";
  std::string lease_duration = "15s";
  std::string renew_deadline = "10s";
  std::string retry_period = "2s";
  std::string metrics_bind_address = ":8080";
  std::string health_probe_bind_address = ":8081";
  int workers = 2;
};

void add_flags(CLI::App& app, RunFlags& f) {
  cli::add_common_flags(app, f.common);
  app.add_option("--metrics-interval", f.metrics_interval,
                 "how often to read pod usage from metrics-server (5s..1h)")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--prometheus-address", f.prometheus_address,
                 "Prometheus for policies whose slos.prometheus.address is empty")
      ->type_name("URL")
      ->capture_default_str();
  app.add_flag("--leader-elect", f.leader_elect,
               "hold a Lease so that only one replica acts (--leader-elect=false to run alone)")
      ->capture_default_str();
  app.add_option("--leader-election-namespace", f.leader_election_namespace,
                 "namespace of the Lease (default: the pod's own namespace)")
      ->type_name("NAMESPACE");
  app.add_option("--leader-election-id", f.leader_election_id, "name of the Lease")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--lease-duration", f.lease_duration,
                 "how long a silent leader keeps the Lease before another replica takes it")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--renew-deadline", f.renew_deadline,
                 "the leader stops all writes if it cannot renew within this")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--retry-period", f.retry_period, "time between Lease renewals and attempts")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--metrics-bind-address", f.metrics_bind_address,
                 "where /metrics listens (HOST:PORT, :PORT; 0 = off)")
      ->type_name("ADDRESS")
      ->capture_default_str();
  app.add_option("--health-probe-bind-address", f.health_probe_bind_address,
                 "where /healthz and /readyz listen (HOST:PORT, :PORT; 0 = off)")
      ->type_name("ADDRESS")
      ->capture_default_str();
  app.add_option("--workers", f.workers, "workloads reconciled in parallel (1..64)")
      ->capture_default_str();
}

// The Lease timings: each a duration, in client-go's order.
policies::Result<bool> validate_lease(const RunFlags& f, RunOptions& o) {
  for (auto [flag, text, out] :
       {std::tuple{"--lease-duration", &f.lease_duration, &o.lease_duration},
        std::tuple{"--renew-deadline", &f.renew_deadline, &o.renew_deadline},
        std::tuple{"--retry-period", &f.retry_period, &o.retry_period}}) {
    auto d = cli::duration_flag(flag, *text, milliseconds(1), hours(1));
    if (!d) return policies::make_error(d.error());
    *out = *d;
  }
  // client-go's rule: the leader must be able to retry before its deadline,
  // and give up before another replica may take over.
  if (o.lease_duration <= o.renew_deadline)
    return policies::make_error("--lease-duration must be greater than --renew-deadline");
  if (o.renew_deadline.count() * 10 <= o.retry_period.count() * 12)
    return policies::make_error("--renew-deadline must be greater than 1.2 x --retry-period");
  return true;
}

// Validates the written flags into options; the first problem is the error.
policies::Result<RunOptions> validate(const RunFlags& f, const CommandEnv& env) {
  RunOptions o;
  auto cluster = cli::resolve_cluster(f.common, env);
  if (!cluster) return policies::make_error(cluster.error());
  o.cluster = *cluster;
  auto log = cli::resolve_log(f.common, env);
  if (!log) return policies::make_error(log.error());
  o.log = *log;
  auto interval =
      cli::duration_flag("--metrics-interval", f.metrics_interval, seconds(5), hours(1));
  if (!interval) return policies::make_error(interval.error());
  o.metrics_interval = *interval;
  const std::string& prom = f.prometheus_address;
  const bool scheme = prom.starts_with("http://") || prom.starts_with("https://");
  if (!scheme || prom.size() <= prom.find("//") + 2 || prom.find_first_of(" \t") != prom.npos)
    return policies::make_error("--prometheus-address \"" + prom +
                                "\": must be an http:// or https:// URL");
  o.prometheus_address = prom;
  o.leader_elect = f.leader_elect;
  if (!f.leader_election_namespace.empty() && !cli::is_dns_label(f.leader_election_namespace))
    return policies::make_error("--leader-election-namespace \"" + f.leader_election_namespace +
                                "\": not a namespace name (lower-case DNS label)");
  o.leader_election_namespace = f.leader_election_namespace;
  if (!cli::is_dns_subdomain(f.leader_election_id))
    return policies::make_error("--leader-election-id \"" + f.leader_election_id +
                                "\": not an object name (lower-case DNS subdomain)");
  o.leader_election_id = f.leader_election_id;
  if (auto lease = validate_lease(f, o); !lease) return policies::make_error(lease.error());
  auto metrics = cli::bind_address_flag("--metrics-bind-address", f.metrics_bind_address);
  if (!metrics) return policies::make_error(metrics.error());
  o.metrics_bind_address = *metrics;
  auto health = cli::bind_address_flag("--health-probe-bind-address", f.health_probe_bind_address);
  if (!health) return policies::make_error(health.error());
  o.health_probe_bind_address = *health;
  if (f.workers < 1 || f.workers > 64)
    return policies::make_error("--workers " + std::to_string(f.workers) + ": must be 1..64");
  o.workers = f.workers;
  return o;
}

}  // namespace

Parsed<RunOptions> parse_run_options(std::span<const std::string_view> args,
                                     const CommandEnv& env) {
  CLI::App app{std::string(kDescription), "rightsizer run"};
  app.footer(std::string(kFooter));
  RunFlags flags;
  add_flags(app, flags);
  if (auto stop = cli::parse_args(app, args)) return *stop;
  auto options = validate(flags, env);
  if (!options) return cli::usage_error(app.get_name(), options.error());
  return *options;
}

}  // namespace controller
