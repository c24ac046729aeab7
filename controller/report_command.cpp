#include "controller/report_command.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "controller/api_resources.h"
#include "controller/finops_render.h"
#include "controller/logging.h"
#include "controller/report_options.h"
#include "controller/yaml_json.h"
#include "k8s/api_client.h"
#include "k8s/clock.h"
#include "k8s/config.h"
#include "k8s/https_transport.h"
#include "k8s/token_provider.h"

namespace controller {
namespace {

// The YAML reader's own bound (2 MiB): a Rightsizing with its checkpoints is
// a few KiB, so this holds hundreds.
constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{2} << 20;

policies::Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return policies::make_error(path + ": " + ec.message());
  if (size > kMaxFileBytes) return policies::make_error(path + ": larger than 2 MiB; refused");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (!in) return policies::make_error(path + ": cannot read");
  return buf.str();
}

k8s::Result<std::vector<RightsizingObject>> from_cluster(const ReportOptions& o) {
  auto cfg = o.cluster.in_cluster() ? k8s::load_in_cluster_config()
                                    : k8s::load_kubeconfig(o.cluster.kubeconfig, o.cluster.context);
  if (!cfg) return cfg.error();
  auto transport = k8s::make_https_transport(*cfg);
  if (!transport) return transport.error();
  k8s::SystemClock clock;
  k8s::SystemRandom random;
  auto tokens = std::make_shared<k8s::TokenProvider>(*cfg, clock);
  k8s::ApiClient client(*transport, tokens, clock, random);
  const std::string ns = o.namespace_name.empty() ? cfg->namespace_ : o.namespace_name;
  auto list = client.list({rightsizings(), o.all_namespaces ? "" : ns, "", ""});
  if (!list) return list.error();
  std::vector<RightsizingObject> out;
  for (const auto& item : list->items) out.push_back(project_rightsizing(item));
  return out;
}

policies::Result<std::vector<RightsizingObject>> from_file(const ReportOptions& o) {
  auto text = read_file(o.from_file);
  if (!text) return policies::make_error(text.error());
  auto items = rightsizings_from_text(*text);
  if (!items) return policies::make_error(o.from_file + ": " + items.error());
  if (o.namespace_name.empty()) return items;
  std::vector<RightsizingObject> kept;
  for (auto& r : *items) {
    if (r.namespace_name == o.namespace_name) kept.push_back(std::move(r));
  }
  return kept;
}

std::string render(const FinOpsReport& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::Markdown:
      return render_finops_markdown(report);
    case ReportFormat::Json:
      return render_finops_json(report).dump(2) + "\n";
    case ReportFormat::Html:
      return render_finops_html(report);
    case ReportFormat::Text:
      break;
  }
  return render_finops_text(report);
}

policies::Result<bool> write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) return policies::make_error(path + ": cannot write");
  return true;
}

}  // namespace

policies::Result<std::vector<RightsizingObject>> rightsizings_from_text(std::string_view text) {
  auto docs = yaml_to_json(text);
  if (!docs) return policies::make_error(docs.error());
  std::vector<RightsizingObject> out;
  const auto add = [&out](const nlohmann::json& o) -> policies::Result<bool> {
    const auto kind = o.is_object() ? o.value("kind", std::string()) : std::string();
    if (kind != "Rightsizing")
      return policies::make_error("an object of kind \"" + kind + "\", not a Rightsizing");
    out.push_back(project_rightsizing(o));
    return true;
  };
  for (const auto& doc : *docs) {
    if (doc.is_null()) continue;
    const bool list = doc.is_object() && doc.contains("items") && doc["items"].is_array();
    for (const auto& item : list ? doc["items"] : nlohmann::json::array({doc})) {
      if (auto added = add(item); !added) return policies::make_error(added.error());
    }
  }
  return out;
}

int run_report_command(std::span<const std::string_view> args, std::ostream& out,
                       std::ostream& err) {
  const auto parsed = parse_report_options(args, current_command_env());
  if (const auto* stop = std::get_if<ParseStop>(&parsed)) {
    (stop->exit_code == 0 ? out : err) << stop->text;
    return stop->exit_code;
  }
  const auto& o = std::get<ReportOptions>(parsed);
  setup_logging(o.log);
  std::vector<RightsizingObject> items;
  if (o.from_file.empty()) {
    auto listed = from_cluster(o);
    if (!listed) {
      err << "rightsizer report: " << listed.error().describe() << '\n';
      return 1;
    }
    items = std::move(*listed);
  } else {
    auto read = from_file(o);
    if (!read) {
      err << "rightsizer report: " << read.error() << '\n';
      return 1;
    }
    items = std::move(*read);
  }
  FinOpsOptions fo;
  fo.all_namespaces = o.all_namespaces || (!o.from_file.empty() && o.namespace_name.empty());
  fo.trades_per_second_micro = o.trades_per_second_micro;
  const auto text = render(build_finops_report(items, fo), o.format);
  if (o.output_file.empty()) {
    out << text;
    return 0;
  }
  if (auto written = write_file(o.output_file, text); !written) {
    err << "rightsizer report: " << written.error() << '\n';
    return 1;
  }
  return 0;
}

}  // namespace controller
