#pragma once
// Framing and decoding of a watch stream: newline-delimited JSON events that
// arrive split at arbitrary byte boundaries.
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "k8s/field_mask.h"
#include "k8s/result.h"

namespace k8s {

enum class WatchEventType { Added, Modified, Deleted, Bookmark, Error };

struct WatchEvent {
  WatchEventType type = WatchEventType::Added;
  nlohmann::json object;  // projected by the decoder's FieldMask; a Status for Error
};

// Decodes one line {"type":...,"object":{...}} through `event_mask`
// (a FieldMask::for_watch_event()).
Result<WatchEvent> decode_watch_event(std::string_view line, const FieldMask& event_mask);

// Splits a byte stream into lines. Bytes of an unfinished line are kept until
// the rest arrives. Not thread-safe.
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line_bytes = 128u << 20) : max_line_(max_line_bytes) {}

  // Calls `on_line` for each complete line (without '\n'; empty lines are
  // skipped). A Decode error when a line grows past the maximum.
  Result<void> feed(std::string_view bytes, const std::function<void(std::string_view)>& on_line);
  [[nodiscard]] std::size_t buffered() const { return pending_.size(); }

 private:
  std::size_t max_line_;
  std::string pending_;
};

}  // namespace k8s
