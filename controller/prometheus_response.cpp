// Parsing of /api/v1/query answers: pure functions over (status, body).
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "controller/prometheus_client.h"

namespace controller {
namespace {

using json = nlohmann::json;

// Prometheus answers are flat; anything nested deeper is not an answer and
// must not cost stack or memory to reject.
constexpr int kMaxDepth = 16;
constexpr std::size_t kMaxMessage = 512;

PromError error(PromErrorKind kind, std::string message, int http_status = 0) {
  if (message.size() > kMaxMessage) message = message.substr(0, kMaxMessage) + "...";
  return PromError{kind, std::move(message), http_status, {}};
}

// Parses with a depth bound; a discarded or broken document is null.
json parse_bounded(std::string_view body, bool& too_deep) {
  too_deep = false;
  json::parser_callback_t cb = [&too_deep](int depth, json::parse_event_t, json&) {
    if (depth > kMaxDepth) too_deep = true;
    return !too_deep;
  };
  return json::parse(body.begin(), body.end(), cb, false);
}

// Sample values are strings: "1.5", "NaN", "+Inf", "-Inf", "1e-3".
std::optional<double> parse_value(const json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "+Inf" || s == "Inf") return std::numeric_limits<double>::infinity();
  if (s == "-Inf") return -std::numeric_limits<double>::infinity();
  double out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

// [<unix time>, "<value>"]
std::optional<double> parse_point(const json& point) {
  if (!point.is_array() || point.size() != 2 || !point[0].is_number()) return std::nullopt;
  return parse_value(point[1]);
}

PromResult<QueryResult> parse_data(const json& data) {
  if (!data.is_object() || !data.contains("resultType") || !data["resultType"].is_string())
    return error(PromErrorKind::BadResponse, "answer has no data.resultType");
  const auto& type = data["resultType"].get_ref<const std::string&>();
  const json* result = data.contains("result") ? &data["result"] : nullptr;
  QueryResult out;
  if (type == "scalar") {
    auto v = result ? parse_point(*result) : std::nullopt;
    if (!v) return error(PromErrorKind::BadResponse, "scalar result is not [time, \"value\"]");
    out.type = ResultType::Scalar;
    out.samples.push_back(Sample{{}, *v});
    return out;
  }
  if (type != "vector")
    return error(PromErrorKind::UnexpectedResultType,
                 "result type \"" + type + "\": a check must return a scalar or an instant vector");
  if (result == nullptr || !result->is_array())
    return error(PromErrorKind::BadResponse, "vector result is not a list");
  for (const auto& series : *result) {
    const json* metric =
        series.is_object() && series.contains("metric") ? &series["metric"] : nullptr;
    auto v = series.is_object() && series.contains("value") ? parse_point(series["value"])
                                                            : std::nullopt;
    if (metric == nullptr || !metric->is_object() || !v)
      return error(PromErrorKind::BadResponse, "vector series is not {metric, value}");
    Sample s{{}, *v};
    for (const auto& [k, lv] : metric->items())
      s.labels.emplace_back(k, lv.is_string() ? lv.get<std::string>() : lv.dump());
    out.samples.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> strings_of(const json& answer, const char* key) {
  std::vector<std::string> out;
  if (!answer.contains(key) || !answer[key].is_array()) return out;
  for (const auto& w : answer[key])
    if (w.is_string()) out.push_back(w.get<std::string>());
  return out;
}

PromError http_error(int http_status, std::string_view body) {
  const auto kind =
      http_status >= 500 ? PromErrorKind::HttpServerError : PromErrorKind::HttpClientError;
  std::string snippet(body.substr(0, 200));
  for (char& c : snippet)
    if (c == '\n' || c == '\r') c = ' ';
  return error(kind,
               "HTTP " + std::to_string(http_status) + (snippet.empty() ? "" : ": ") + snippet,
               http_status);
}

}  // namespace

PromResult<QueryResult> parse_query_response(int http_status, std::string_view body) {
  bool too_deep = false;
  const json answer = parse_bounded(body, too_deep);
  const bool is_answer =
      !too_deep && answer.is_object() && answer.contains("status") && answer["status"].is_string();
  const bool ok_status = http_status >= 200 && http_status < 300;
  if (!is_answer) {
    if (!ok_status) return http_error(http_status, body);
    return error(PromErrorKind::BadResponse,
                 too_deep ? "answer is nested too deeply" : "answer is not a JSON API response",
                 http_status);
  }
  if (answer["status"] == "error") {
    // The fields are only trusted when they are strings: value() throws on another type.
    const auto text_of = [&answer](const char* key, const char* fallback) {
      return answer.contains(key) && answer[key].is_string() ? answer[key].get<std::string>()
                                                             : std::string(fallback);
    };
    PromError e = error(PromErrorKind::QueryError, text_of("error", "unknown error"), http_status);
    e.error_type = text_of("errorType", "");
    return e;
  }
  if (!ok_status) return http_error(http_status, body);
  if (answer["status"] != "success")
    return error(PromErrorKind::BadResponse, "answer status is neither success nor error",
                 http_status);
  auto out = parse_data(answer.contains("data") ? answer["data"] : json());
  if (!out) return out;
  QueryResult r = out.value();
  r.warnings = strings_of(answer, "warnings");
  r.infos = strings_of(answer, "infos");
  return r;
}

PromResult<std::optional<double>> single_value(const QueryResult& result) {
  if (result.samples.empty()) return std::optional<double>();
  if (result.samples.size() > 1)
    return error(PromErrorKind::SeveralSeries,
                 std::to_string(result.samples.size()) + " series where one was expected");
  return std::optional<double>(result.samples.front().value);
}

std::string_view to_string(PromErrorKind kind) {
  switch (kind) {
    case PromErrorKind::ConnectionRefused:
      return "ConnectionRefused";
    case PromErrorKind::Unreachable:
      return "Unreachable";
    case PromErrorKind::Timeout:
      return "Timeout";
    case PromErrorKind::ResponseTooLarge:
      return "ResponseTooLarge";
    case PromErrorKind::HttpClientError:
      return "HttpClientError";
    case PromErrorKind::HttpServerError:
      return "HttpServerError";
    case PromErrorKind::QueryError:
      return "QueryError";
    case PromErrorKind::BadResponse:
      return "BadResponse";
    case PromErrorKind::UnexpectedResultType:
      return "UnexpectedResultType";
    case PromErrorKind::SeveralSeries:
      return "SeveralSeries";
    case PromErrorKind::Config:
      return "Config";
  }
  return "Unknown";
}

std::string PromError::describe() const {
  std::string out(to_string(kind));
  out += ": ";
  if (!error_type.empty()) out += error_type + ": ";
  out += message;
  return out;
}

}  // namespace controller
