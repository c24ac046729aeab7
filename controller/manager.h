#pragma once
// The operator's lifecycle (controller-runtime's manager): caches first, then
// /readyz; the workers and the usage sampler only while this process leads
// (or at once after sync without leader election); every call a worker makes
// carries the stop token of the current leadership, so losing the lease
// cancels what is in flight. A stop request (SIGTERM) stops taking keys and
// lets the reconciles in flight and the sampler finish while the elector
// still renews the lease (bounded by the graceful timeout, after which they
// are cancelled), then flushes the learning and the events, and only then
// stops the elector, which releases the lease; it returns 0. Losing the
// lease returns 1 at once, without flushing.
// What it drives is given as parts, so that unit tests run it without a
// cluster; run_command.cpp wires the real ones.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "controller/http_server.h"
#include "controller/operator_metrics.h"
#include "controller/reconciler.h"
#include "controller/work_queue.h"
#include "k8s/clock.h"
#include "k8s/leader_election.h"

namespace controller {

struct ManagerParts {
  // The informers: started once, stopped at the end.
  std::function<void()> start_caches;
  std::function<void()> stop_caches;
  std::function<bool()> caches_synced;
  // One key; the context's stop token fires when leadership is lost.
  std::function<ReconcileOutcome(const std::string& key, const k8s::CallContext& ctx)> reconcile;
  // The usage sampler's loop: runs until the token stops it. Optional.
  std::function<void(std::stop_token)> sample;
  // Campaigns and leads until the token stops it or the lease is lost,
  // calling the callbacks (k8s::LeaderElector::run). Unset: no election.
  std::function<void(std::stop_token, k8s::LeaderCallbacks)> elect;
  // Whether the lease is still held now (k8s::LeaderElector::is_leader: false
  // at the renew deadline even if the elector's thread is stuck). Checked
  // before each reconcile and every tick; false while leading counts as a
  // loss. Optional.
  std::function<bool()> still_leading;
  // Called about every second to refresh gauges of the parts. Optional.
  std::function<void()> refresh_metrics;
  // On becoming leader, before the sampler's first pass: restores learning
  // from the caches so that new samples merge under it. Optional.
  std::function<void()> restore;
  // On a clean stop, after the drain and before the lease is released:
  // writes the learning not yet persisted, within `ctx`. Optional.
  std::function<void(const k8s::CallContext& ctx)> flush_learning;
  // Then delivers the queued events within `budget` (real time). Optional.
  std::function<void(std::chrono::milliseconds budget)> flush_events;
};

struct ManagerOptions {
  int workers = 2;
  std::optional<HttpServerOptions> health_probes;  // /healthz, /readyz
  std::optional<HttpServerOptions> metrics;        // /metrics
  std::chrono::milliseconds tick{1000};            // metric refresh and stop checks
  // A clean stop: how long the drain and the learning flush may take before
  // the calls in flight are cancelled.
  std::chrono::nanoseconds graceful_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds events_flush_budget{2000};
  // A key refused with Conflict this many times in a row (about 5 s of
  // backoff at controller-runtime's default limiter) is no cache lag any
  // more: from then on its conflicts count, and are logged, as errors.
  int conflicts_before_error = 10;
};

class Manager {
 public:
  // `queue`, `registry`, `metrics` and `clock` must outlive the manager;
  // informer handlers add keys to `queue`.
  Manager(ManagerParts parts, ManagerOptions options, WorkQueue& queue, MetricsRegistry& registry,
          OperatorMetrics& metrics, k8s::Clock& clock);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Serves the endpoints, starts the caches, then works until `stop` (0) or
  // until the lease is lost (1). An endpoint that cannot bind: 1 at once.
  int run(std::stop_token stop);

  // The ports bound (0 until run() bound them), for tests on port 0.
  [[nodiscard]] std::uint16_t health_port() const { return health_port_.load(); }
  [[nodiscard]] std::uint16_t metrics_port() const { return metrics_port_.load(); }
  [[nodiscard]] bool ready() const;
  [[nodiscard]] bool leading() const { return leading_.load(); }

 private:
  bool start_servers();
  bool wait_for_sync(std::stop_token stop);
  void start_leading();
  // Graceful: no new keys, reconciles in flight finish. Lost: also cancels them.
  void stop_leading(bool lost);
  // A clean stop while leading, before the elector is stopped: drains the
  // session's threads (checking the lease, cancelling at the graceful
  // timeout), then flushes learning and events unless the lease was lost.
  void drain_and_flush();
  // Joins the session's threads; cancels their calls at `deadline`.
  void drain(k8s::Clock::Monotonic deadline);
  void work(std::stop_token leadership);
  void process(const std::string& key, const k8s::CallContext& ctx);
  void refresh_metrics();
  // False (and the run woken to stop as after a loss) when still_leading says no.
  bool check_lease();

  ManagerParts parts_;
  ManagerOptions options_;
  WorkQueue& queue_;
  MetricsRegistry& registry_;
  OperatorMetrics& metrics_;
  k8s::Clock& clock_;

  std::unique_ptr<HttpServer> health_server_, metrics_server_;
  std::atomic<std::uint16_t> health_port_{0}, metrics_port_{0};
  std::atomic<bool> synced_{false};
  std::atomic<bool> leading_{false};
  std::atomic<bool> taking_keys_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> releasing_{false};  // the elector is being stopped by us
  std::atomic<bool> lost_{false};
  std::atomic<bool> lease_expired_{false};  // still_leading() said no while leading
  std::stop_source wake_;                   // ends run()'s wait: a stop or a loss

  std::mutex session_mu_;  // start_leading / stop_leading
  std::stop_source leadership_;
  std::vector<std::jthread> session_threads_;  // workers, queue timer, sampler
};

}  // namespace controller
