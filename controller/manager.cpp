#include "controller/manager.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace controller {
namespace {

double seconds(std::chrono::nanoseconds d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

Manager::Manager(ManagerParts parts, ManagerOptions options, WorkQueue& queue,
                 MetricsRegistry& registry, OperatorMetrics& metrics, k8s::Clock& clock)
    : parts_(std::move(parts)),
      options_(std::move(options)),
      queue_(queue),
      registry_(registry),
      metrics_(metrics),
      clock_(clock) {}

Manager::~Manager() {
  stop_leading(/*lost=*/true);
  if (health_server_) health_server_->stop();
  if (metrics_server_) metrics_server_->stop();
}

bool Manager::ready() const {
  return synced_.load();
}

bool Manager::start_servers() {
  if (options_.health_probes) {
    auto s = HttpServer::start(*options_.health_probes, probe_routes([this] { return ready(); }));
    if (!s) {
      spdlog::error("health probes: {}", s.error());
      return false;
    }
    health_server_ = std::move(s).value();
    health_port_ = health_server_->port();
  }
  if (options_.metrics) {
    auto s = HttpServer::start(*options_.metrics, metrics_routes(registry_));
    if (!s) {
      spdlog::error("metrics: {}", s.error());
      return false;
    }
    metrics_server_ = std::move(s).value();
    metrics_port_ = metrics_server_->port();
  }
  return true;
}

bool Manager::wait_for_sync(std::stop_token stop) {
  while (!parts_.caches_synced()) {
    refresh_metrics();
    if (!clock_.sleep_for(std::chrono::milliseconds(100), stop) || stop.stop_requested()) {
      return false;
    }
  }
  synced_ = true;
  spdlog::info("caches synced; ready");
  return true;
}

int Manager::run(std::stop_token stop) {
  std::stop_callback on_stop(stop, [this] { wake_.request_stop(); });
  if (!start_servers()) return 1;
  parts_.start_caches();
  std::jthread election;
  if (wait_for_sync(wake_.get_token())) {
    if (parts_.elect) {
      election = std::jthread([this](std::stop_token s) {
        parts_.elect(s, {.on_started_leading = [this] { start_leading(); },
                         .on_stopped_leading = [this] { stop_leading(!releasing_.load()); },
                         .on_new_leader =
                             [](const std::string& id) { spdlog::info("the leader is {}", id); }});
      });
    } else {
      start_leading();
    }
    while (!wake_.stop_requested()) {
      refresh_metrics();
      if (leading_) check_lease();
      clock_.sleep_for(options_.tick, wake_.get_token());
    }
  }
  if (lease_expired_) stop_leading(/*lost=*/true);
  if (lost_) {
    spdlog::error("lost the leader lease; exiting");
    parts_.stop_caches();
    return 1;
  }
  spdlog::info("stopping: finishing the reconciles in flight");
  stopping_ = true;
  drain_and_flush();  // the elector still renews the lease meanwhile
  if (election.joinable()) {
    releasing_ = true;        // from here on, the elector stopping is no loss
    election.request_stop();  // nothing left to stop: the elector releases the lease
    election.join();
    if (!lost_) spdlog::info("lease released");
  }
  stop_leading(/*lost=*/false);
  parts_.stop_caches();
  refresh_metrics();
  spdlog::info("stopped");
  return lost_ ? 1 : 0;
}

void Manager::start_leading() {
  std::lock_guard lock(session_mu_);
  if (lost_ || stopping_ || leading_) return;
  spdlog::info("leading: starting {} worker(s)", options_.workers);
  leading_ = true;
  taking_keys_ = true;
  metrics_.leader.with().set(1);
  if (parts_.restore) parts_.restore();  // before the sampler's first pass
  const auto token = leadership_.get_token();
  for (int i = 0; i < options_.workers; ++i) {
    session_threads_.emplace_back([this, token] { work(token); });
  }
  session_threads_.emplace_back([this](std::stop_token s) { queue_.run_timer(s); });
  if (parts_.sample) {
    session_threads_.emplace_back([this](std::stop_token s) { parts_.sample(s); });
  }
}

void Manager::stop_leading(bool lost) {
  std::lock_guard lock(session_mu_);
  if (lost && leading_) {
    lost_ = true;
    leadership_.request_stop();  // cancels the calls in flight
    wake_.request_stop();
  }
  if (!leading_) return;
  taking_keys_ = false;
  queue_.shutdown();  // wakes the workers waiting for a key
  for (auto& t : session_threads_) t.request_stop();
  session_threads_.clear();  // joins: the reconciles in flight have returned
  leading_ = false;
  metrics_.leader.with().set(0);
}

void Manager::drain_and_flush() {
  if (!leading_) return;
  const auto deadline = clock_.now() + options_.graceful_timeout;
  drain(deadline);
  if (lost_ || lease_expired_) return;  // the lease no longer covers writes
  spdlog::info("drained: the reconciles in flight and the sampler have stopped");
  if (parts_.flush_learning) {
    parts_.flush_learning(k8s::CallContext{leadership_.get_token(), deadline});
    spdlog::info("flushed the learning");
  }
  if (lost_ || lease_expired_) return;
  if (parts_.flush_events) {
    parts_.flush_events(options_.events_flush_budget);
    spdlog::info("flushed the events");
  }
}

void Manager::drain(k8s::Clock::Monotonic deadline) {
  std::vector<std::jthread> threads;
  {
    std::lock_guard lock(session_mu_);
    taking_keys_ = false;
    queue_.shutdown();  // wakes the workers waiting for a key
    for (auto& t : session_threads_) t.request_stop();
    threads = std::move(session_threads_);
    session_threads_.clear();
  }
  // Joined on a thread of its own, so that this one keeps checking the
  // lease and the deadline; a loss meanwhile cancels as usual.
  std::stop_source drained;
  std::jthread joiner([&] {
    threads.clear();
    drained.request_stop();
  });
  bool cancelled = false;
  while (!drained.stop_requested()) {
    if (!check_lease()) stop_leading(/*lost=*/true);
    if (!cancelled && clock_.now() >= deadline) {
      spdlog::warn("graceful timeout: cancelling the calls in flight");
      leadership_.request_stop();
      cancelled = true;
    }
    clock_.sleep_for(options_.tick, drained.get_token());
  }
}

void Manager::work(std::stop_token leadership) {
  while (auto key = queue_.get()) {
    if (!taking_keys_ || leadership.stop_requested() || !check_lease()) {
      queue_.done(*key);
      return;
    }
    process(*key, k8s::CallContext{leadership, std::nullopt});
    queue_.done(*key);
  }
}

void Manager::process(const std::string& key, const k8s::CallContext& ctx) {
  const auto started = clock_.now();
  ReconcileOutcome out = parts_.reconcile(key, ctx);
  metrics_.reconcile_seconds.with().observe(seconds(clock_.now() - started));
  if (out.error) {
    // A write the server refused because the cached object it was built on
    // is stale (409): the next reconcile decides again from the fresher
    // cache, as controller-runtime's Requeue. Expected under load, not a
    // fault: counted apart, so that an alert on errors does not fire on it;
    // unless it keeps coming back (a cache that does not catch up, a canary
    // whose deletion never ends), which is a fault.
    const bool conflict = out.error->kind == k8s::ErrorKind::Conflict &&
                          queue_.num_requeues(key) < options_.conflicts_before_error;
    metrics_.reconciles.with({conflict ? "conflict" : "error"}).inc();
    if (conflict) {
      spdlog::debug("reconcile {}: {}; requeued", key, out.error->describe());
    } else {
      spdlog::warn("reconcile {}: {}", key, out.error->describe());
    }
    if (!ctx.stop.stop_requested()) queue_.add_rate_limited(key);
    return;
  }
  queue_.forget(key);
  if (out.requeue_after) {
    metrics_.reconciles.with({"requeue"}).inc();
    queue_.add_after(key, *out.requeue_after);
  } else {
    metrics_.reconciles.with({"success"}).inc();
  }
}

bool Manager::check_lease() {
  if (!parts_.still_leading || parts_.still_leading()) return true;
  if (!lease_expired_.exchange(true)) spdlog::error("the leader lease is no longer held");
  wake_.request_stop();
  return false;
}

void Manager::refresh_metrics() {
  metrics_.workqueue_depth.with().set(static_cast<double>(queue_.len()));
  if (parts_.refresh_metrics) parts_.refresh_metrics();
}

}  // namespace controller
