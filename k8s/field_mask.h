#pragma once
// A FieldMask decodes JSON text keeping only the listed paths, without
// building a DOM of the rest: skipped values are scanned, not parsed. This is
// the decode path of watches and lists, so an operator's pod cache holds only
// the fields it needs. Immutable after construction; thread-safe to use.
#include <initializer_list>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "k8s/result.h"

namespace k8s {

class FieldMask {
 public:
  // Keeps everything (a full parse).
  FieldMask();
  // Paths such as "metadata.name" or "spec.containers[].resources"; a path
  // keeps its whole subtree; through arrays, the rest applies to each element.
  FieldMask(std::initializer_list<std::string_view> paths);
  explicit FieldMask(const std::vector<std::string>& paths);

  [[nodiscard]] bool keeps_everything() const { return root_->keep_all; }
  // This mask plus `more` paths (unchanged when it keeps everything).
  [[nodiscard]] FieldMask with(const std::vector<std::string>& more) const;
  // Decodes `text`, a JSON value; a Decode error when it is malformed.
  [[nodiscard]] Result<nlohmann::json> decode(std::string_view text) const;

  // The mask of a watch line {"type":..., "object": <this mask>}.
  [[nodiscard]] FieldMask for_watch_event() const;
  // The mask of a list body {metadata:{resourceVersion,continue}, items:[<this mask>]}.
  [[nodiscard]] FieldMask for_list() const;

  struct Node {
    bool keep_all = false;
    std::map<std::string, Node, std::less<>> children;
  };

 private:
  explicit FieldMask(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
  std::vector<std::string> paths_;
};

}  // namespace k8s
