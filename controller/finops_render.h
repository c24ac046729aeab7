#pragma once
// The FinOps report (finops_report.h) rendered for people and scripts: an
// aligned text table with a summary, Markdown, JSON, and a self-contained
// HTML page (inline CSS and SVG charts, no scripts, no external resources;
// the totals carry element ids — total-current, total-target, total-savings,
// total-savings-annual, total-realized, total-realized-annual — holding the
// same text as the JSON's totals). Pure functions of the report.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "controller/finops_report.h"

namespace controller {

std::string render_finops_text(const FinOpsReport& report);
std::string render_finops_markdown(const FinOpsReport& report);
// {currency, tradesPerSecond?, totals: {workloads, rollbacks, monthly:
// {current, running, target, savings, realized}, annual: {...}, cpu:
// {requestBefore, requestAfter, utilizationBefore, utilizationAfter}, memory:
// {...}, costPerTrade?: {current, target}}, workloads: [...], notes: [...]}
nlohmann::json render_finops_json(const FinOpsReport& report);
std::string render_finops_html(const FinOpsReport& report);

// Shared formatting (integer arithmetic only).
// Tenths of a percent: 74 → "7.4 %"; nullopt → "-".
std::string format_percent(std::optional<std::int64_t> permille);
// Micro-units with four decimals, rounded half up: 98'993 → "0.0990".
std::string format_micro_units(std::int64_t micro);
// Millicores as cores: 16000 → "16", 1184 → "1.184".
std::string format_cores(std::int64_t millicores);
// Bytes as GiB with one decimal, rounded half up: 15684Mi → "15.3".
std::string format_gib(std::int64_t bytes);
// Trades per second in millionths: 1099 → "0.001099".
std::string format_rate(std::int64_t micro);
// "&<>\"'" escaped for HTML text and attribute values.
std::string html_escape(const std::string& text);

}  // namespace controller
