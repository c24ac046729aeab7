#include "k8s/error.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "k8s/secret.h"

namespace k8s {
namespace {

ErrorKind kind_for(int code, std::string_view reason) {
  if (code == 409)
    return reason == "AlreadyExists" ? ErrorKind::AlreadyExists : ErrorKind::Conflict;
  switch (code) {
    case 400:
      return ErrorKind::BadRequest;
    case 401:
      return ErrorKind::Unauthorized;
    case 403:
      return ErrorKind::Forbidden;
    case 404:
      return ErrorKind::NotFound;
    case 408:
    case 504:
      return ErrorKind::Timeout;
    case 410:
      return ErrorKind::Gone;
    case 422:
      return ErrorKind::Invalid;
    case 429:
      return ErrorKind::TooManyRequests;
    default:
      break;
  }
  if (reason == "Expired" || reason == "Gone") return ErrorKind::Gone;
  if (reason == "Timeout") return ErrorKind::Timeout;
  return code >= 500 ? ErrorKind::ServerError : ErrorKind::BadRequest;
}

std::optional<std::chrono::seconds> parse_seconds(std::string_view text) {
  long long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < 0) return std::nullopt;
  return std::chrono::seconds(v);
}

std::string string_field(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

void read_details(const nlohmann::json& status, Error& err) {
  auto details = status.find("details");
  if (details == status.end() || !details->is_object()) return;
  if (auto ras = details->find("retryAfterSeconds");
      ras != details->end() && ras->is_number_integer()) {
    err.retry_after = std::chrono::seconds(ras->get<long long>());
  }
  auto causes = details->find("causes");
  if (causes == details->end() || !causes->is_array()) return;
  for (const auto& c : *causes) {
    if (!c.is_object()) continue;
    err.causes.push_back(
        {string_field(c, "field"), string_field(c, "reason"), string_field(c, "message")});
  }
}

}  // namespace

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::NotFound:
      return "NotFound";
    case ErrorKind::AlreadyExists:
      return "AlreadyExists";
    case ErrorKind::Conflict:
      return "Conflict";
    case ErrorKind::Gone:
      return "Gone";
    case ErrorKind::Forbidden:
      return "Forbidden";
    case ErrorKind::Unauthorized:
      return "Unauthorized";
    case ErrorKind::Invalid:
      return "Invalid";
    case ErrorKind::BadRequest:
      return "BadRequest";
    case ErrorKind::TooManyRequests:
      return "TooManyRequests";
    case ErrorKind::ServerError:
      return "ServerError";
    case ErrorKind::Transport:
      return "Transport";
    case ErrorKind::Timeout:
      return "Timeout";
    case ErrorKind::Decode:
      return "Decode";
    case ErrorKind::Config:
      return "Config";
    case ErrorKind::Cancelled:
      return "Cancelled";
  }
  return "Unknown";
}

bool Error::retryable() const {
  switch (kind) {
    case ErrorKind::TooManyRequests:
    case ErrorKind::ServerError:
    case ErrorKind::Transport:
    case ErrorKind::Timeout:
      return true;
    default:
      return false;
  }
}

std::string Error::describe() const {
  std::string out{to_string(kind)};
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  if (!message.empty()) out += ": " + message;
  for (const auto& c : causes) {
    out += "; " + c.field + ": " + (c.message.empty() ? c.reason : c.message);
  }
  return out;
}

Error make_error(ErrorKind kind, std::string message) {
  Error e;
  e.kind = kind;
  e.message = std::move(message);
  return e;
}

Error error_from_status_json(const nlohmann::json& status) {
  Error err;
  int code = 0;
  if (auto c = status.find("code"); c != status.end() && c->is_number_integer())
    code = c->get<int>();
  err.http_status = code;
  err.reason = string_field(status, "reason");
  err.message = string_field(status, "message");
  err.kind = kind_for(code, err.reason);
  read_details(status, err);
  return err;
}

Error error_from_response(int http_status, std::string_view body,
                          std::string_view retry_after_header) {
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  Error err;
  if (doc.is_object() && string_field(doc, "kind") == "Status") {
    err = error_from_status_json(doc);
  } else {
    // A proxy's error page may echo the request: keep credentials out.
    err.message =
        redact(body.size() > 200 ? std::string(body.substr(0, 200)) + "..." : std::string(body));
  }
  err.http_status = http_status;
  err.kind = kind_for(http_status, err.reason);
  if (auto header = parse_seconds(retry_after_header)) err.retry_after = header;
  return err;
}

}  // namespace k8s
