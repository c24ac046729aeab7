#include "controller/recommend_command.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "controller/api_resources.h"
#include "controller/cluster_informers.h"
#include "controller/logging.h"
#include "controller/recommend_options.h"
#include "controller/recommend_report.h"
#include "controller/rightsizing_builder.h"
#include "controller/usage_sampler.h"
#include "k8s/config.h"
#include "k8s/https_transport.h"

namespace controller {
namespace {

struct Connection {
  k8s::ClusterConfig cfg;
  k8s::SystemClock clock;
  k8s::SystemRandom random;
  std::unique_ptr<k8s::ApiClient> client;
};

k8s::Result<std::unique_ptr<Connection>> connect(const ClusterAccess& access) {
  auto cfg = access.in_cluster() ? k8s::load_in_cluster_config()
                                 : k8s::load_kubeconfig(access.kubeconfig, access.context);
  if (!cfg) return cfg.error();
  auto transport = k8s::make_https_transport(*cfg);
  if (!transport) return transport.error();
  auto c = std::make_unique<Connection>();
  c->cfg = *cfg;
  auto tokens = std::make_shared<k8s::TokenProvider>(c->cfg, c->clock);
  c->client = std::make_unique<k8s::ApiClient>(*transport, tokens, c->clock, c->random);
  return c;
}

bool in_scope(const RecommendOptions& o, const std::string& scope_ns, std::string_view ns) {
  return o.all_namespaces || ns == scope_ns;
}

void sort_rows(std::vector<RecommendRow>& rows) {
  std::ranges::stable_sort(rows, [](const RecommendRow& a, const RecommendRow& b) {
    return std::tie(a.namespace_name, a.workload) < std::tie(b.namespace_name, b.workload);
  });
}

k8s::Result<RecommendReport> from_rightsizings(k8s::ApiClient& client, const RecommendOptions& o,
                                               const std::string& scope_ns) {
  auto list = client.list({rightsizings(), o.all_namespaces ? "" : scope_ns, "", ""});
  if (!list) return list.error();
  RecommendReport report;
  report.all_namespaces = o.all_namespaces;
  for (const auto& item : list->items) {
    auto rows = rows_of(project_rightsizing(item));
    report.rows.insert(report.rows.end(), rows.begin(), rows.end());
  }
  sort_rows(report.rows);
  return report;
}

// The rows of one annotated workload, sized from the usage sampled here.
std::vector<RecommendRow> sampled_rows(const Workload& w, const InformerClusterView& view,
                                       const UsageStore& usage, policies::Timestamp now) {
  auto pods = view.pods_of(w);
  auto hpas = view.hpas_in(w.ref.namespace_name);
  auto stored = view.policy(w.ref.namespace_name, *w.policy);
  std::optional<PolicyObject> policy;
  if (stored) {
    policy = *stored;
    policy->parsed.spec.history.min_observation = std::chrono::seconds(0);
  }
  RightsizingInput in;
  in.workload = &w;
  in.pods = pods;
  in.hpas = hpas;
  for (const auto& c : w.containers) {
    if (auto u = usage.usage(UsageKey{w.ref, c.name})) in.usage.emplace(c.name, std::move(*u));
  }
  in.policy = policy ? &*policy : nullptr;
  in.health = usage.health(w.ref.namespace_name);
  in.now = now;
  RightsizingObject rsz;
  rsz.namespace_name = w.ref.namespace_name;
  rsz.name = w.ref.rightsizing_name();
  rsz.target = w.ref;
  rsz.status = build_rightsizing_status(in).status;
  return rows_of(rsz);
}

k8s::Result<RecommendReport> by_sampling(Connection& c, const RecommendOptions& o,
                                         const std::string& scope_ns, std::ostream& err) {
  ClusterInformers informers(*c.client, cluster_projectors());
  InformerClusterView view(informers.stores());
  informers.start();
  const auto synced_by = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!informers.synced() && std::chrono::steady_clock::now() < synced_by) {
    c.clock.sleep_for(std::chrono::milliseconds(100));
  }
  if (!informers.synced()) {
    k8s::Error e;
    e.kind = k8s::ErrorKind::Timeout;
    e.message = "caches did not sync in 60 s";
    return e;
  }
  UsageStore usage;
  MetricsServerUsageSource source(*c.client);
  UsageSampler sampler(view, source, usage, c.clock);
  const auto end = c.clock.now() + o.sample;
  err << "sampling metrics-server for " << o.sample.count() / 1000 << " s...\n";
  int samples = 0;
  for (;;) {
    auto pass = sampler.sample_once({});
    samples += pass.samples;
    for (const auto& ns : pass.failed_namespaces) {
      err << "metrics of namespace " << ns << ": " << usage.health(ns).last_error << '\n';
    }
    const auto now = c.clock.now();
    if (now >= end) break;
    c.clock.sleep_for(std::min<std::chrono::nanoseconds>(o.metrics_interval, end - now));
  }
  err << samples << " container sample(s) taken\n";
  informers.stop();
  RecommendReport report;
  report.all_namespaces = o.all_namespaces;
  report.note = "Sampled metrics-server for " + std::to_string(o.sample.count() / 1000) +
                " s here; the policies' minObservation is ignored: a short sample is not a "
                "week of history.";
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  for (const auto& w : view.workloads()) {
    if (!w->policy || w->deleting || !in_scope(o, scope_ns, w->ref.namespace_name)) continue;
    auto rows = sampled_rows(*w, view, usage, now);
    report.rows.insert(report.rows.end(), rows.begin(), rows.end());
  }
  sort_rows(report.rows);
  return report;
}

}  // namespace

int run_recommend_command(std::span<const std::string_view> args, std::ostream& out,
                          std::ostream& err) {
  const auto parsed = parse_recommend_options(args, current_command_env());
  if (const auto* stop = std::get_if<ParseStop>(&parsed)) {
    (stop->exit_code == 0 ? out : err) << stop->text;
    return stop->exit_code;
  }
  const auto& o = std::get<RecommendOptions>(parsed);
  setup_logging(o.log);
  auto c = connect(o.cluster);
  if (!c) {
    err << "rightsizer recommend: " << c.error().describe() << '\n';
    return 1;
  }
  const std::string scope_ns = o.namespace_name.empty() ? (*c)->cfg.namespace_ : o.namespace_name;
  auto report = o.sample.count() == 0 ? from_rightsizings(*(*c)->client, o, scope_ns)
                                      : by_sampling(**c, o, scope_ns, err);
  if (!report) {
    err << "rightsizer recommend: " << report.error().describe() << '\n';
    return 1;
  }
  if (o.output == OutputFormat::Json) {
    out << render_json(*report).dump(2) << '\n';
  } else {
    out << render_table(*report);
  }
  return 0;
}

}  // namespace controller
