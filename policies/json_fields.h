#pragma once
// Reads typed fields from a JSON object, recording a Problem (with the field
// path) for each wrong type, bad value or unknown field. Internal to
// policies/: include only from .cpp files (it pulls in nlohmann/json.hpp).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "policies/duration.h"
#include "policies/money.h"
#include "policies/problem.h"
#include "policies/quantity.h"

namespace policies::detail {

class FieldReader {
 public:
  // `object` may be null or absent (all fields take their defaults).
  FieldReader(const nlohmann::json* object, std::string path, Problems& problems,
              std::initializer_list<std::string_view> known_fields);

  std::string path_of(std::string_view key) const;
  // The field's value, or nullptr if absent or JSON null.
  const nlohmann::json* get(std::string_view key) const;

  void number(std::string_view key, double& out);
  void integer(std::string_view key, std::int32_t& out);
  void boolean(std::string_view key, bool& out);
  void string(std::string_view key, std::string& out);
  void duration(std::string_view key, Duration& out);
  // Millicores / bytes rounded up, as the operator reads them; `exact`, when
  // given, receives the exact quantity (nullopt if it has more significant
  // digits than a Quantity holds) so that min and max compare as the CRD does.
  void cpu(std::string_view key, std::int64_t& millicores,
           std::optional<Quantity>* exact = nullptr);
  void memory(std::string_view key, std::int64_t& bytes, std::optional<Quantity>* exact = nullptr);
  void price(std::string_view key, Price& out);
  void optional_number(std::string_view key, std::optional<double>& out);

  template <class E>
  void enumeration(std::string_view key, E& out,
                   std::span<const std::pair<std::string_view, E>> names) {
    std::string text;
    if (!string_value(key, text)) return;
    for (const auto& [name, value] : names) {
      if (name == text) {
        out = value;
        return;
      }
    }
    std::string allowed;
    for (const auto& [name, value] : names)
      allowed += (allowed.empty() ? "" : ", ") + std::string(name);
    report(key, "unsupported value \"" + text + "\": must be one of " + allowed);
  }

  void report(std::string_view key, std::string message);

 private:
  bool string_value(std::string_view key, std::string& out);
  // Quantity text from a string or an integer (int-or-string).
  bool quantity_text(std::string_view key, std::string& out);

  const nlohmann::json* object_ = nullptr;
  std::string path_;
  Problems& problems_;
};

// Elements of an array field: calls fn(element, path) for each; reports a
// non-array value.
template <class Fn>
void for_each_element(const FieldReader& reader, std::string_view key, Problems& problems, Fn fn) {
  const nlohmann::json* array = reader.get(key);
  if (array == nullptr) return;
  if (!array->is_array()) {
    problems.push_back({reader.path_of(key), "must be a list"});
    return;
  }
  for (std::size_t i = 0; i < array->size(); ++i)
    fn((*array)[i], reader.path_of(key) + "[" + std::to_string(i) + "]");
}

}  // namespace policies::detail
