#include "policies/json_fields.h"

#include <cmath>
#include <limits>

#include "policies/quantity.h"

namespace policies::detail {
namespace {

std::optional<Quantity> optional_quantity(std::string_view text) {
  auto q = parse_quantity(text);
  if (!q) return std::nullopt;
  return *q;
}

}  // namespace

FieldReader::FieldReader(const nlohmann::json* object, std::string path, Problems& problems,
                         std::initializer_list<std::string_view> known_fields)
    : path_(std::move(path)), problems_(problems) {
  if (object == nullptr || object->is_null()) return;
  if (!object->is_object()) {
    problems_.push_back({path_, "must be an object"});
    return;
  }
  object_ = object;
  for (const auto& [key, value] : object->items()) {
    bool known = false;
    for (auto k : known_fields) known = known || k == key;
    if (!known) problems_.push_back({path_of(key), "unknown field"});
  }
}

std::string FieldReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const nlohmann::json* FieldReader::get(std::string_view key) const {
  if (object_ == nullptr) return nullptr;
  const auto it = object_->find(key);
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

void FieldReader::report(std::string_view key, std::string message) {
  problems_.push_back({path_of(key), std::move(message)});
}

void FieldReader::number(std::string_view key, double& out) {
  const nlohmann::json* v = get(key);
  if (v == nullptr) return;
  if (!v->is_number()) return report(key, "must be a number");
  out = v->get<double>();
}

void FieldReader::optional_number(std::string_view key, std::optional<double>& out) {
  const nlohmann::json* v = get(key);
  if (v == nullptr) return;
  if (!v->is_number()) return report(key, "must be a number");
  out = v->get<double>();
}

void FieldReader::integer(std::string_view key, std::int32_t& out) {
  const nlohmann::json* v = get(key);
  if (v == nullptr) return;
  if (!v->is_number_integer()) return report(key, "must be an integer");
  if (v->is_number_unsigned()
          ? v->get<std::uint64_t>() > std::numeric_limits<std::int32_t>::max()
          : (v->get<std::int64_t>() > std::numeric_limits<std::int32_t>::max() ||
             v->get<std::int64_t>() < std::numeric_limits<std::int32_t>::min()))
    return report(key, "must fit in a 32-bit integer");
  out = static_cast<std::int32_t>(v->get<std::int64_t>());
}

void FieldReader::boolean(std::string_view key, bool& out) {
  const nlohmann::json* v = get(key);
  if (v == nullptr) return;
  if (!v->is_boolean()) return report(key, "must be true or false");
  out = v->get<bool>();
}

bool FieldReader::string_value(std::string_view key, std::string& out) {
  const nlohmann::json* v = get(key);
  if (v == nullptr) return false;
  if (!v->is_string()) {
    report(key, "must be a string");
    return false;
  }
  out = v->get<std::string>();
  return true;
}

void FieldReader::string(std::string_view key, std::string& out) {
  string_value(key, out);
}

void FieldReader::duration(std::string_view key, Duration& out) {
  std::string text;
  if (!string_value(key, text)) return;
  if (text.size() > kMaxDurationLength)
    return report(key, "must be at most " + std::to_string(kMaxDurationLength) + " characters");
  auto d = parse_duration(text);
  if (!d) return report(key, "invalid duration \"" + text + "\": " + d.error());
  out = *d;
}

bool FieldReader::quantity_text(std::string_view key, std::string& out) {
  const nlohmann::json* v = get(key);
  if (v == nullptr) return false;
  if (v->is_number_integer()) {
    out = v->dump();
    return true;
  }
  if (!v->is_string()) {
    report(key, "must be a quantity (a string like \"500m\" or \"2Gi\", or an integer)");
    return false;
  }
  out = v->get<std::string>();
  return true;
}

void FieldReader::cpu(std::string_view key, std::int64_t& millicores,
                      std::optional<Quantity>* exact) {
  std::string text;
  if (!quantity_text(key, text)) return;
  auto m = parse_millis(text);
  if (!m) return report(key, "invalid quantity \"" + text + "\": " + m.error());
  millicores = *m;
  if (exact) *exact = optional_quantity(text);
}

void FieldReader::memory(std::string_view key, std::int64_t& bytes,
                         std::optional<Quantity>* exact) {
  std::string text;
  if (!quantity_text(key, text)) return;
  auto b = parse_units(text);
  if (!b) return report(key, "invalid quantity \"" + text + "\": " + b.error());
  bytes = *b;
  if (exact) *exact = optional_quantity(text);
}

void FieldReader::price(std::string_view key, Price& out) {
  std::string text;
  if (!string_value(key, text)) return;
  auto p = parse_price(text);
  if (!p) return report(key, "invalid price \"" + text + "\": " + p.error());
  out = *p;
}

}  // namespace policies::detail
