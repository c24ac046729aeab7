#pragma once
// The operator's metric families (DESIGN §8), registered once. Names are an
// interface: dashboards and the e2e tests read them.
#include "controller/metrics_registry.h"

namespace controller {

struct OperatorMetrics {
  explicit OperatorMetrics(MetricsRegistry& registry);

  CounterFamily& reconciles;             // rightsizer_reconciles_total{result}
  HistogramFamily& reconcile_seconds;    // rightsizer_reconcile_duration_seconds
  GaugeFamily& workqueue_depth;          // rightsizer_workqueue_depth
  CounterFamily& api_requests;           // rightsizer_api_requests_total{verb,code}
  CounterFamily& watch_restarts;         // rightsizer_watch_restarts_total{resource}
  CounterFamily& usage_samples;          // rightsizer_usage_samples_total
  CounterFamily& metrics_list_failures;  // rightsizer_metrics_list_failures_total
  GaugeFamily& histogram_memory;         // rightsizer_histogram_memory_bytes
  GaugeFamily& monthly_savings;          // rightsizer_monthly_savings_cents{namespace,policy}
  GaugeFamily& leader;                   // rightsizer_leader
  CounterFamily& canaries;               // rightsizer_canaries_total{result}
  CounterFamily& slo_checks;             // rightsizer_slo_checks_total{result}
};

}  // namespace controller
