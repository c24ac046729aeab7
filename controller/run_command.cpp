#include "controller/run_command.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <map>
#include <mutex>
#include <ostream>
#include <set>
#include <thread>

#include "controller/cluster_informers.h"
#include "controller/counting_transport.h"
#include "controller/logging.h"
#include "controller/manager.h"
#include "controller/process_memory.h"
#include "controller/reconciler.h"
#include "controller/rollout_driver.h"
#include "controller/run_options.h"
#include "controller/usage_sampler.h"
#include "k8s/config.h"
#include "k8s/event_recorder.h"
#include "k8s/https_transport.h"
#include "k8s/leader_election.h"

namespace controller {
namespace {

// Blocks SIGTERM and SIGINT in every thread started after it (call first),
// and turns them into a stop request, read by a thread of its own.
class SignalStop {
 public:
  SignalStop() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::jthread([this](std::stop_token done) {
      const timespec poll{0, 200'000'000};
      while (!done.stop_requested()) {
        int sig = sigtimedwait(&set_, nullptr, &poll);
        if (sig == SIGTERM || sig == SIGINT) {
          spdlog::info("received {}; shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
          stop_.request_stop();
        }
      }
    });
  }
  [[nodiscard]] std::stop_token token() const { return stop_.get_token(); }

 private:
  sigset_t set_{};
  std::stop_source stop_;
  std::jthread thread_;  // last
};

std::optional<HttpServerOptions> listen_on(const std::optional<BindAddress>& address) {
  if (!address) return std::nullopt;
  HttpServerOptions o;
  o.host = address->host;
  o.port = address->port;
  return o;
}

std::string identity() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "rightsizer") + "_" + std::to_string(getpid());
}

k8s::Result<k8s::ClusterConfig> cluster_config(const ClusterAccess& access) {
  if (access.in_cluster()) return k8s::load_in_cluster_config();
  return k8s::load_kubeconfig(access.kubeconfig, access.context);
}

// Everything the operator runs with, in construction order (destroyed in
// reverse: threads that use a member stop before it goes).
struct Operator {
  Operator(const RunOptions& opts, const k8s::ClusterConfig& cfg,
           std::shared_ptr<k8s::Transport> transport)
      : metrics(registry),
        tokens(std::make_shared<k8s::TokenProvider>(cfg, clock)),
        client(std::make_shared<CountingTransport>(std::move(transport), metrics.api_requests),
               tokens, clock, random),
        queue(clock),
        informers(client, cluster_projectors()),
        view(informers.stores()),
        source(client),
        sampler(view, source, usage, clock),
        recorder(client, {.component = "rightsizer", .instance = identity()}),
        rollout(view, client, prometheus_factory(), actuators(client), event_sink(), clock,
                rollout_metrics(metrics)),
        reconciler(view, usage, client, event_sink(), clock, reconciler_options(opts)) {
    reconciler.enable_auto_mode(rollout);
    informers.connect(view, [this](const std::string& key) { queue.add(key); });
  }

  static Actuators actuators(k8s::ApiClient& client) {
    return {make_deployment_actuator(client), make_stateful_set_actuator(client)};
  }
  // One client per policy address and timeout (the driver keeps them).
  static PrometheusFactory prometheus_factory() {
    return [](const policies::PrometheusEndpoint& endpoint)
               -> PromResult<std::shared_ptr<PrometheusQuerier>> {
      PrometheusOptions o;
      o.address = endpoint.address;
      o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(endpoint.timeout);
      auto made = make_prometheus_client(o);
      if (!made) return made.error();
      return std::shared_ptr<PrometheusQuerier>(std::move(made.value()));
    };
  }
  static RolloutMetrics rollout_metrics(OperatorMetrics& m) {
    return {[&m](std::string_view result) { m.canaries.with({std::string(result)}).inc(); },
            [&m](std::string_view result) { m.slo_checks.with({std::string(result)}).inc(); }};
  }

  EventSink event_sink() {
    return [this](const k8s::InvolvedObject& o, k8s::EventType t, const std::string& reason,
                  const std::string& message) { (void)recorder.record(o, t, reason, message); };
  }
  static ReconcilerOptions reconciler_options(const RunOptions& opts) {
    ReconcilerOptions r;
    r.resync = std::max<std::chrono::nanoseconds>(opts.metrics_interval, std::chrono::seconds(5));
    return r;
  }
  // New samples or a failing namespace: the workloads concerned are
  // reconciled now rather than at their next resync.
  void after_pass(const SamplingPass& pass) {
    // The pass decoded each namespace's metrics list: its pages go back.
    release_free_heap();
    metrics.usage_samples.with().inc(pass.samples);
    metrics.metrics_list_failures.with().inc(static_cast<double>(pass.failed_namespaces.size()));
    for (const auto& ref : pass.sampled) queue.add(ref.key());
    for (const auto& ns : pass.failed_namespaces) {
      for (const auto& w : view.workloads_in(ns)) {
        if (w->policy) queue.add(w->ref.key());
      }
    }
  }
  void refresh_metrics() {
    if (!released_after_sync && informers.synced()) {
      // The initial lists were decoded, each on its informer's thread.
      released_after_sync = true;
      release_free_heap();
      const auto heap = heap_stats();
      spdlog::info("heap after the initial lists: {} KiB in use, {} KiB free, {} KiB of arenas",
                   heap.in_use >> 10, heap.free >> 10, heap.arenas >> 10);
    }
    metrics.histogram_memory.with().set(static_cast<double>(usage.memory_bytes()));
    for (const auto& [resource, relists] : informers.relists()) {
      auto& counter = metrics.watch_restarts.with({resource});
      if (relists > counter.value()) counter.inc(relists - counter.value());
    }
    refresh_savings(metrics.monthly_savings, view);
  }

  MetricsRegistry registry;
  OperatorMetrics metrics;
  k8s::SystemClock clock;
  k8s::SystemRandom random;
  std::shared_ptr<k8s::TokenProvider> tokens;
  k8s::ApiClient client;
  WorkQueue queue;
  ClusterInformers informers;
  InformerClusterView view;
  UsageStore usage;
  MetricsServerUsageSource source;
  UsageSampler sampler;
  k8s::EventRecorder recorder;
  RolloutDriver rollout;  // before the reconciler, which drives Auto mode through it
  Reconciler reconciler;
  bool released_after_sync = false;  // refresh_metrics() runs on one thread
};

ManagerParts parts_of(Operator& op, const RunOptions& opts,
                      std::optional<k8s::LeaderElectionConfig> election) {
  ManagerParts p;
  p.start_caches = [&op] { op.informers.start(); };
  p.stop_caches = [&op] { op.informers.stop(); };
  p.caches_synced = [&op] { return op.informers.synced(); };
  p.reconcile = [&op](const std::string& key, const k8s::CallContext& ctx) {
    return op.reconciler.reconcile(key, ctx);
  };
  p.sample = [&op, interval = opts.metrics_interval](std::stop_token stop) {
    op.sampler.run(stop, interval, [&op](const SamplingPass& pass) { op.after_pass(pass); });
  };
  p.refresh_metrics = [&op] { op.refresh_metrics(); };
  // Events go out while the lease is still held (never after its release);
  // after a loss the recorder is destroyed with its queue undelivered.
  p.restore = [&op] { op.reconciler.restore_all(); };
  p.flush_learning = [&op](const k8s::CallContext& ctx) {
    if (auto out = op.reconciler.flush_learning(ctx); out.error) {
      spdlog::warn("flushing the learning: {}", out.error->describe());
    }
  };
  p.flush_events = [&op](std::chrono::milliseconds budget) { (void)op.recorder.flush(budget); };
  if (election) {
    // The elector lives inside elect(); still_leading() may ask it from
    // other threads until it is gone.
    struct Current {
      std::mutex mu;
      std::shared_ptr<k8s::LeaderElector> elector;
    };
    auto current = std::make_shared<Current>();
    p.elect = [&op, cfg = *election, current](std::stop_token stop,
                                              k8s::LeaderCallbacks callbacks) {
      auto created = k8s::LeaderElector::create(op.client, cfg, std::move(callbacks));
      if (!created) {
        spdlog::error("leader election: {}", created.error().describe());
        return;
      }
      std::shared_ptr<k8s::LeaderElector> elector = std::move(*created);
      {
        std::lock_guard lock(current->mu);
        current->elector = elector;
      }
      elector->run(stop);
      std::lock_guard lock(current->mu);
      current->elector.reset();
    };
    p.still_leading = [current] {
      std::lock_guard lock(current->mu);
      return current->elector && current->elector->is_leader();
    };
  }
  return p;
}

std::optional<k8s::LeaderElectionConfig> election_config(const RunOptions& opts,
                                                         const k8s::ClusterConfig& cfg) {
  if (!opts.leader_elect) return std::nullopt;
  k8s::LeaderElectionConfig e;
  e.lease_namespace =
      opts.leader_election_namespace.empty() ? cfg.namespace_ : opts.leader_election_namespace;
  e.lease_name = opts.leader_election_id;
  e.identity = identity();
  e.lease_duration = opts.lease_duration;
  e.renew_deadline = opts.renew_deadline;
  e.retry_period = opts.retry_period;
  return e;
}

// glibc's arena for all threads: the threads wait on the network far more
// than they contend for the allocator, and each arena of its own kept the
// free pages of its thread's largest list (README, figures).
constexpr int kMallocArenas = 1;

int run_operator(const RunOptions& opts, std::ostream& err) {
  limit_malloc_arenas(kMallocArenas);  // before any thread starts
  SignalStop signals;                  // before any other thread starts
  auto cfg = cluster_config(opts.cluster);
  if (!cfg) {
    err << "rightsizer run: " << cfg.error().describe() << '\n';
    return 1;
  }
  auto transport = k8s::make_https_transport(*cfg);
  if (!transport) {
    err << "rightsizer run: " << transport.error().describe() << '\n';
    return 1;
  }
  auto election = election_config(opts, *cfg);
  if (election) {
    if (auto valid = k8s::validate(*election); !valid) {
      err << "rightsizer run: leader election: " << valid.error().describe() << '\n';
      return 2;
    }
  }
  spdlog::info("starting: {}, {} worker(s), metrics every {} ms, leader election {}", cfg->source,
               opts.workers, opts.metrics_interval.count(),
               election ? election->lease_namespace + "/" + election->lease_name : "off");
  auto op = std::make_unique<Operator>(opts, *cfg, std::move(*transport));
  ManagerOptions mo;
  mo.workers = opts.workers;
  mo.health_probes = listen_on(opts.health_probe_bind_address);
  mo.metrics = listen_on(opts.metrics_bind_address);
  Manager manager(parts_of(*op, opts, election), mo, op->queue, op->registry, op->metrics,
                  op->clock);
  return manager.run(signals.token());
}

}  // namespace

void refresh_savings(GaugeFamily& savings, const ClusterView& view) {
  std::set<LabelValues> present;
  for (const auto& p : view.policies()) {
    const auto& cost = p->status.monthly_cost;
    auto cents = cost && cost->savings ? parse_cents(*cost->savings) : std::nullopt;
    if (!cents) continue;
    LabelValues labels{p->namespace_name, p->name};
    savings.with(labels).set(static_cast<double>(*cents));
    present.insert(std::move(labels));
  }
  savings.retain(present);
}

std::optional<long long> parse_cents(std::string_view text) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  auto dot = text.find('.');
  auto whole = text.substr(0, dot);
  auto frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 15 || frac.size() > 2 ||
      (dot != std::string_view::npos && frac.empty())) {
    return std::nullopt;
  }
  long long cents = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    cents = cents * 10 + (c - '0');
  }
  for (std::size_t i = 0; i < 2; ++i) {
    char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') return std::nullopt;
    cents = cents * 10 + (c - '0');
  }
  return negative ? -cents : cents;
}

int run_run_command(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  const auto parsed = parse_run_options(args, current_command_env());
  if (const auto* stop = std::get_if<ParseStop>(&parsed)) {
    (stop->exit_code == 0 ? out : err) << stop->text;
    return stop->exit_code;
  }
  const auto& opts = std::get<RunOptions>(parsed);
  setup_logging(opts.log);
  return run_operator(opts, err);
}

}  // namespace controller
