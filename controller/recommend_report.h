#pragma once
// What `rightsizer recommend` prints: per workload container, the current
// and recommended requests and limits, and the workload's monthly savings;
// as a table for people or as JSON for scripts. Pure: built from
// Rightsizings (or from a local sampling run) and rendered to text.
#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include "controller/cluster_objects.h"

namespace controller {

struct RecommendRow {
  std::string namespace_name;
  std::string workload;  // "Deployment/web"
  std::string container;
  std::string phase;  // "Observing", "Recommended", ... ("" when unknown)
  policies::StatusResources current, recommended;
  std::optional<std::string> monthly_savings;  // the workload's, "285.95"
  std::optional<std::string> currency;
};

struct RecommendReport {
  std::string note;  // a line printed above the table (empty: none)
  bool all_namespaces = false;
  std::vector<RecommendRow> rows;
};

// One row per container of the Rightsizing's status (one row without a
// container when it has none yet), sorted as given.
std::vector<RecommendRow> rows_of(const RightsizingObject& rightsizing);

// Columns: [NAMESPACE] WORKLOAD CONTAINER PHASE CPU-REQUEST CPU-LIMIT
// MEMORY-REQUEST MEMORY-LIMIT SAVINGS/MONTH; a cell is "current→recommended",
// "current" when nothing is recommended, "-" when neither is known.
std::string render_table(const RecommendReport& report);
// {"note": ..., "items": [{namespace, workload, container, phase, current:
// {requests, limits}, recommended: {...}, monthlySavings, currency}]}
nlohmann::json render_json(const RecommendReport& report);

}  // namespace controller
