#include "policies/status_json.h"

#include <limits>

namespace policies::detail {

StatusReader::StatusReader(const nlohmann::json& object, std::string path, std::string& error)
    : object_(object), path_(std::move(path)), error_(error) {}

std::string StatusReader::path_of(std::string_view key) const {
  return path_ + "." + std::string(key);
}

const nlohmann::json* StatusReader::get(std::string_view key) {
  const auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

void StatusReader::fail(std::string_view key, const std::string& why) {
  if (error_.empty()) error_ = path_of(key) + ": " + why;
}

void StatusReader::string(std::string_view key, std::optional<std::string>& out) {
  const nlohmann::json* v = get(key);
  if (!v) return;
  if (!v->is_string()) return fail(key, "must be a string");
  out = v->get<std::string>();
}

void StatusReader::required_string(std::string_view key, std::string& out) {
  std::optional<std::string> v;
  string(key, v);
  if (!v) return fail(key, "is required");
  out = std::move(*v);
}

void StatusReader::integer(std::string_view key, std::optional<std::int64_t>& out) {
  const nlohmann::json* v = get(key);
  if (!v) return;
  if (!v->is_number_integer()) return fail(key, "must be an integer");
  if (v->is_number_unsigned() &&
      v->get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
    return fail(key, "is out of range");
  out = v->get<std::int64_t>();
}

void StatusReader::integer(std::string_view key, std::optional<std::int32_t>& out) {
  std::optional<std::int64_t> wide;
  integer(key, wide);
  if (!wide) return;
  if (*wide < std::numeric_limits<std::int32_t>::min() ||
      *wide > std::numeric_limits<std::int32_t>::max())
    return fail(key, "is out of range");
  out = static_cast<std::int32_t>(*wide);
}

void StatusReader::time(std::string_view key, std::optional<Timestamp>& out) {
  std::optional<std::string> text;
  string(key, text);
  if (!text) return;
  auto t = parse_timestamp(*text);
  if (!t) return fail(key, t.error());
  out = *t;
}

void StatusReader::required_time(std::string_view key, Timestamp& out) {
  std::optional<Timestamp> t;
  time(key, t);
  if (!t) return fail(key, "is required");
  out = *t;
}

void StatusReader::strings(std::string_view key, std::vector<std::string>& out) {
  const nlohmann::json* v = get(key);
  if (!v) return;
  if (!v->is_array()) return fail(key, "must be a list");
  for (const auto& item : *v) {
    if (!item.is_string()) return fail(key, "must be a list of strings");
    out.push_back(item.get<std::string>());
  }
}

void put(nlohmann::json& j, const char* key, const std::optional<Timestamp>& v) {
  if (v) j[key] = format_timestamp(*v);
}

void put(nlohmann::json& j, const char* key, const std::vector<std::string>& v) {
  if (!v.empty()) j[key] = v;
}

namespace {
constexpr std::pair<std::string_view, ConditionStatus> kConditionStatus[] = {
    {"True", ConditionStatus::True},
    {"False", ConditionStatus::False},
    {"Unknown", ConditionStatus::Unknown}};
}  // namespace

void read_conditions(StatusReader& r, std::vector<Condition>& out) {
  r.list("conditions", out, [](StatusReader& c, Condition& cond) {
    c.required_string("type", cond.type);
    std::optional<ConditionStatus> status;
    c.enumeration("status", status,
                  std::span<const std::pair<std::string_view, ConditionStatus>>(kConditionStatus));
    if (!status) return c.fail("status", "is required");
    cond.status = *status;
    c.integer("observedGeneration", cond.observed_generation);
    c.required_time("lastTransitionTime", cond.last_transition_time);
    c.required_string("reason", cond.reason);
    c.required_string("message", cond.message);
  });
}

void put_conditions(nlohmann::json& j, const std::vector<Condition>& conditions) {
  if (conditions.empty()) return;
  nlohmann::json list = nlohmann::json::array();
  for (const Condition& c : conditions) {
    nlohmann::json o;
    o["type"] = c.type;
    o["status"] = std::string(kConditionStatus[static_cast<int>(c.status)].first);
    put(o, "observedGeneration", c.observed_generation);
    o["lastTransitionTime"] = format_timestamp(c.last_transition_time);
    o["reason"] = c.reason;
    o["message"] = c.message;
    list.push_back(std::move(o));
  }
  j["conditions"] = std::move(list);
}

}  // namespace policies::detail
