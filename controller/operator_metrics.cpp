#include "controller/operator_metrics.h"

namespace controller {

OperatorMetrics::OperatorMetrics(MetricsRegistry& r)
    : reconciles(r.counter("rightsizer_reconciles_total",
                           "Reconciles by result (success, requeue, conflict, error).",
                           {"result"})),
      reconcile_seconds(
          r.histogram("rightsizer_reconcile_duration_seconds", "Time per reconcile.",
                      {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      workqueue_depth(r.gauge("rightsizer_workqueue_depth", "Keys ready to be reconciled.")),
      api_requests(r.counter("rightsizer_api_requests_total",
                             "Requests sent to the API server by verb and HTTP status "
                             "(\"error\": no answer).",
                             {"verb", "code"})),
      watch_restarts(r.counter("rightsizer_watch_restarts_total",
                               "Relists after a watch lost its position, by resource.",
                               {"resource"})),
      usage_samples(r.counter("rightsizer_usage_samples_total",
                              "Container usage samples learnt from metrics-server.")),
      metrics_list_failures(r.counter("rightsizer_metrics_list_failures_total",
                                      "Namespace PodMetrics lists that failed.")),
      histogram_memory(
          r.gauge("rightsizer_histogram_memory_bytes", "Bytes held by usage histograms.")),
      monthly_savings(r.gauge("rightsizer_monthly_savings_cents",
                              "Monthly savings of the recommendations, by policy.",
                              {"namespace", "policy"})),
      leader(r.gauge("rightsizer_leader", "1 while this process holds the leader lease.")),
      canaries(r.counter("rightsizer_canaries_total", "Canaries by result.", {"result"})),
      slo_checks(r.counter("rightsizer_slo_checks_total", "SLO checks by result.", {"result"})) {
  // Present (at zero) from the start, so that dashboards see the series.
  for (const char* result : {"success", "error", "requeue", "conflict"}) reconciles.with({result});
  workqueue_depth.with();
  usage_samples.with();
  metrics_list_failures.with();
  histogram_memory.with();
  leader.with();
  for (const char* result : {"started", "promoted", "rolled_back", "aborted"})
    canaries.with({result});
  for (const char* result : {"pass", "fail", "skip", "error"}) slo_checks.with({result});
}

}  // namespace controller
