#include "controller/report_options.h"

#include "controller/cli_support.h"
#include "policies/money.h"

namespace controller {
namespace {

constexpr std::string_view kDescription =
    "The FinOps report, changes nothing: per workload and in total, the monthly\n"
    "cost before Rightsizer against the optimized cost, CPU and memory\n"
    "utilisation before and after, savings per month and per year (projected\n"
    "and realised), the rollbacks and what caused them; from the Rightsizings\n"
    "the operator keeps (one LIST), or from a file of them.";

constexpr std::string_view kFooter =
    "Every flag may also be set in the --config YAML file under its long name;\n"
    "flags on the command line win.\n"
    "\n"
    "Examples:\n"
    "  rightsizer report -n trading\n"
    "  rightsizer report -A -o html --output finops.html\n"
    "  rightsizer report -n trading --trades-per-second 0.0011 -o markdown\n"
    "  kubectl get rsz -A -o json > rsz.json && rightsizer report --from-file rsz.json";

struct ReportFlags {
  cli::CommonFlags common;
  std::string namespace_name;
  bool all_namespaces = false;
  std::string output = "text";
  std::string output_file;
  std::string trades_per_second;
  std::string from_file;
};

void add_flags(CLI::App& app, ReportFlags& f) {
  cli::add_common_flags(app, f.common);
  auto* ns = app.add_option("-n,--namespace", f.namespace_name,
                            "namespace to report on (default: the context's namespace)")
                 ->type_name("NAMESPACE");
  app.add_flag("-A,--all-namespaces", f.all_namespaces, "report on every namespace")->excludes(ns);
  app.add_option("-o,--format", f.output, "text, markdown, json or html")
      ->type_name("FORMAT")
      ->capture_default_str();
  app.add_option("--output", f.output_file, "write the report to this file, not to stdout")
      ->type_name("FILE");
  app.add_option("--trades-per-second", f.trades_per_second,
                 "trades per second of the reported workloads together (e.g. 0.0011): adds "
                 "the cost per trade")
      ->type_name("RATE");
  app.add_option("--from-file", f.from_file,
                 "read Rightsizings from this JSON file (kubectl get rsz -o json), not the cluster")
      ->type_name("FILE");
}

policies::Result<ReportFormat> format_flag(const std::string& text) {
  if (text == "text") return ReportFormat::Text;
  if (text == "markdown" || text == "md") return ReportFormat::Markdown;
  if (text == "json") return ReportFormat::Json;
  if (text == "html") return ReportFormat::Html;
  return policies::make_error("-o \"" + text + "\": must be text, markdown, json or html");
}

policies::Result<ReportOptions> validate(const ReportFlags& f, const CommandEnv& env) {
  ReportOptions o;
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
  auto format = format_flag(f.output);
  if (!format) return policies::make_error(format.error());
  o.format = *format;
  // Unlike `recommend -o/--output`, --output names a file here: a format
  // given to it is a mistake to refuse, not a file to create.
  if (format_flag(f.output_file))
    return policies::make_error("--output \"" + f.output_file +
                                "\": names the file to write; the format is -o " + f.output_file);
  o.output_file = f.output_file;
  if (!f.trades_per_second.empty()) {
    // The grammar of a price: a non-negative decimal with at most six places.
    auto rate = policies::parse_price(f.trades_per_second);
    if (!rate || rate->micro <= 0)
      return policies::make_error("--trades-per-second \"" + f.trades_per_second +
                                  "\": must be a positive decimal with at most 6 places");
    o.trades_per_second_micro = rate->micro;
  }
  o.from_file = f.from_file;
  return o;
}

}  // namespace

Parsed<ReportOptions> parse_report_options(std::span<const std::string_view> args,
                                           const CommandEnv& env) {
  CLI::App app{std::string(kDescription), "rightsizer report"};
  app.footer(std::string(kFooter));
  ReportFlags flags;
  add_flags(app, flags);
  if (auto stop = cli::parse_args(app, args)) return *stop;
  auto options = validate(flags, env);
  if (!options) return cli::usage_error(app.get_name(), options.error());
  return *options;
}

}  // namespace controller
