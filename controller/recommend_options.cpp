#include "controller/recommend_options.h"

#include "controller/cli_support.h"

namespace controller {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kDescription =
    "One shot, changes nothing: prints, per workload and container, the current\n"
    "and recommended CPU/memory requests and limits and the monthly savings.\n"
    "By default it reads the Rightsizings the operator keeps; with --sample it\n"
    "samples metrics-server itself for that long (no operator needed).";

constexpr std::string_view kFooter =
    "Durations are written like 30s, 2m. Every flag may also be set in the\n"
    "--config YAML file under its long name; flags on the command line win.\n"
    "\n"
    "Examples:\n"
    "  rightsizer recommend -n trading\n"
    "  rightsizer recommend -A -o json\n"
    "  rightsizer recommend -n trading --sample 2m";

struct RecommendFlags {
  cli::CommonFlags common;
  std::string namespace_name;
  bool all_namespaces = false;
  std::string output = "table";
  std::string sample = "0s";
  std::string metrics_interval = "15s";
};

void add_flags(CLI::App& app, RecommendFlags& f) {
  cli::add_common_flags(app, f.common);
  auto* ns = app.add_option("-n,--namespace", f.namespace_name,
                            "namespace to report on (default: the context's namespace)")
                 ->type_name("NAMESPACE");
  app.add_flag("-A,--all-namespaces", f.all_namespaces, "report on every namespace")->excludes(ns);
  app.add_option("-o,--output", f.output, "table or json")
      ->type_name("FORMAT")
      ->capture_default_str();
  app.add_option("--sample", f.sample,
                 "sample metrics-server for this long instead of reading Rightsizings (0s..1h)")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--metrics-interval", f.metrics_interval,
                 "time between metrics-server reads while sampling (5s..1h)")
      ->type_name("DURATION")
      ->capture_default_str();
}

policies::Result<RecommendOptions> validate(const RecommendFlags& f, const CommandEnv& env) {
  RecommendOptions o;
  auto cluster = cli::resolve_cluster(f.common, env);
  if (!cluster) return policies::make_error(cluster.error());
  o.cluster = *cluster;
  auto log = cli::resolve_log(f.common, env);
  if (!log) return policies::make_error(log.error());
  o.log = *log;
  if (!f.namespace_name.empty() && !cli::is_dns_label(f.namespace_name))
    return policies::make_error("--namespace \"" + f.namespace_name +
                                "\": not a namespace name (lower-case DNS label)");
  o.namespace_name = f.namespace_name;
  o.all_namespaces = f.all_namespaces;
  if (f.output == "table") {
    o.output = OutputFormat::Table;
  } else if (f.output == "json") {
    o.output = OutputFormat::Json;
  } else {
    return policies::make_error("--output \"" + f.output + "\": must be table or json");
  }
  auto interval =
      cli::duration_flag("--metrics-interval", f.metrics_interval, seconds(5), hours(1));
  if (!interval) return policies::make_error(interval.error());
  o.metrics_interval = *interval;
  auto sample = cli::duration_flag("--sample", f.sample, milliseconds(0), hours(1));
  if (!sample) return policies::make_error(sample.error());
  if (sample->count() != 0 && *sample < o.metrics_interval)
    return policies::make_error("--sample \"" + f.sample + "\": must be 0s or at least " +
                                "--metrics-interval (" + f.metrics_interval + ")");
  o.sample = *sample;
  return o;
}

}  // namespace

Parsed<RecommendOptions> parse_recommend_options(std::span<const std::string_view> args,
                                                 const CommandEnv& env) {
  CLI::App app{std::string(kDescription), "rightsizer recommend"};
  app.footer(std::string(kFooter));
  RecommendFlags flags;
  add_flags(app, flags);
  if (auto stop = cli::parse_args(app, args)) return *stop;
  auto options = validate(flags, env);
  if (!options) return cli::usage_error(app.get_name(), options.error());
  return *options;
}

}  // namespace controller
