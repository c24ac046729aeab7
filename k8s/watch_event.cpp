#include "k8s/watch_event.h"

#include <cstring>

namespace k8s {
namespace {

Result<WatchEventType> parse_type(const nlohmann::json& type) {
  if (!type.is_string()) return make_error(ErrorKind::Decode, "watch event without a type");
  const auto& t = type.get_ref<const std::string&>();
  if (t == "ADDED") return WatchEventType::Added;
  if (t == "MODIFIED") return WatchEventType::Modified;
  if (t == "DELETED") return WatchEventType::Deleted;
  if (t == "BOOKMARK") return WatchEventType::Bookmark;
  if (t == "ERROR") return WatchEventType::Error;
  return make_error(ErrorKind::Decode, "watch event of unknown type '" + t + "'");
}

}  // namespace

Result<WatchEvent> decode_watch_event(std::string_view line, const FieldMask& event_mask) {
  auto doc = event_mask.decode(line);
  if (!doc) return make_error(ErrorKind::Decode, "watch event: " + doc.error().message);
  if (!doc->is_object()) return make_error(ErrorKind::Decode, "watch event is not a JSON object");
  auto type_it = doc->find("type");
  auto type = parse_type(type_it == doc->end() ? nlohmann::json() : *type_it);
  if (!type) return type.error();
  auto obj = doc->find("object");
  if (obj == doc->end() || !obj->is_object())
    return make_error(ErrorKind::Decode, "watch event without an object");
  return WatchEvent{*type, std::move(*obj)};
}

Result<void> LineSplitter::feed(std::string_view bytes,
                                const std::function<void(std::string_view)>& on_line) {
  while (!bytes.empty()) {
    auto* nl = static_cast<const char*>(std::memchr(bytes.data(), '\n', bytes.size()));
    if (!nl) {
      if (pending_.size() + bytes.size() > max_line_) {
        pending_.clear();
        return make_error(ErrorKind::Decode,
                          "watch event longer than " + std::to_string(max_line_) + " bytes");
      }
      pending_.append(bytes);
      return {};
    }
    std::string_view head = bytes.substr(0, size_t(nl - bytes.data()));
    bytes.remove_prefix(head.size() + 1);
    if (pending_.empty()) {
      if (!head.empty()) on_line(head);  // the common case: no copy
      continue;
    }
    pending_.append(head);
    std::string line = std::move(pending_);
    pending_.clear();
    on_line(line);
  }
  return {};
}

}  // namespace k8s
