#pragma once
// Reading and writing status JSON as the apiserver treats a structural
// schema: unknown fields are dropped (pruned), null is the same as absent,
// a wrong type, a bad enum value or a missing required field is an error
// (the apiserver would have refused the write). Internal to policies/:
// include only from .cpp files. Not thread-safe; one reader per object.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policies/status_conditions.h"

namespace policies::detail {

class StatusReader {
 public:
  // `error` receives the first problem ("status.containers[0].name: ...").
  StatusReader(const nlohmann::json& object, std::string path, std::string& error);

  [[nodiscard]] bool failed() const { return !error_.empty(); }
  // Present and not null.
  [[nodiscard]] const nlohmann::json* get(std::string_view key);
  void fail(std::string_view key, const std::string& why);

  void string(std::string_view key, std::optional<std::string>& out);
  void required_string(std::string_view key, std::string& out);
  void integer(std::string_view key, std::optional<std::int64_t>& out);
  void integer(std::string_view key, std::optional<std::int32_t>& out);
  void time(std::string_view key, std::optional<Timestamp>& out);
  void required_time(std::string_view key, Timestamp& out);
  void strings(std::string_view key, std::vector<std::string>& out);

  template <class E>
  void enumeration(std::string_view key, std::optional<E>& out,
                   std::span<const std::pair<std::string_view, E>> names) {
    std::optional<std::string> text;
    string(key, text);
    if (!text) return;
    for (const auto& [name, value] : names)
      if (name == *text) {
        out = value;
        return;
      }
    fail(key, "unsupported value \"" + *text + "\"");
  }

  // Calls read(StatusReader&) for an object field when present; `out` is a
  // std::optional or a HeapOptional.
  template <class Optional, class F>
  void object(std::string_view key, Optional& out, F&& read) {
    const nlohmann::json* v = get(key);
    if (!v || failed()) return;
    if (!v->is_object()) return fail(key, "must be an object");
    StatusReader inner(*v, path_of(key), error_);
    typename Optional::value_type value{};
    read(inner, value);
    out = std::move(value);
  }

  // Calls read(StatusReader&, T&) for each object of a list field.
  template <class T, class F>
  void list(std::string_view key, std::vector<T>& out, F&& read) {
    const nlohmann::json* v = get(key);
    if (!v || failed()) return;
    if (!v->is_array()) return fail(key, "must be a list");
    for (std::size_t i = 0; i < v->size() && !failed(); ++i) {
      const std::string item_path = path_of(key) + "[" + std::to_string(i) + "]";
      if (!(*v)[i].is_object()) {
        error_ = item_path + ": must be an object";
        return;
      }
      StatusReader inner((*v)[i], item_path, error_);
      T value{};
      read(inner, value);
      out.push_back(std::move(value));
    }
  }

 private:
  [[nodiscard]] std::string path_of(std::string_view key) const;

  const nlohmann::json& object_;
  std::string path_;
  std::string& error_;
};

// Writers: absent optionals and empty lists are omitted (Go's omitempty).
template <class T>
void put(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
void put(nlohmann::json& j, const char* key, const std::optional<Timestamp>& v);
void put(nlohmann::json& j, const char* key, const std::vector<std::string>& v);

void read_conditions(StatusReader& r, std::vector<Condition>& out);
void put_conditions(nlohmann::json& j, const std::vector<Condition>& conditions);

}  // namespace policies::detail
