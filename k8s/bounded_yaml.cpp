#include "k8s/bounded_yaml.h"

#include <yaml-cpp/depthguard.h>

#include <string>

namespace k8s {
namespace {

[[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) {
  throw YamlLimitExceeded(mark, message);
}

// Walks the document as a reader would, aliases expanded, within the budget.
class Budget {
 public:
  explicit Budget(const YamlLimits& limits)
      : limits_(limits), nodes_(limits.max_nodes), scalar_bytes_(limits.max_scalar_bytes) {}

  void walk(const YAML::Node& node, int depth) {
    if (depth > limits_.max_depth)
      fail(node.Mark(), "YAML nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    if (nodes_ == 0)
      fail(node.Mark(), "YAML expands to more than " + std::to_string(limits_.max_nodes) +
                            " nodes (aliases referring to aliases?)");
    --nodes_;
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        if (node.Scalar().size() > scalar_bytes_)
          fail(node.Mark(), "YAML expands to more than " +
                                std::to_string(limits_.max_scalar_bytes >> 20) +
                                " MiB of text (aliases of long strings?)");
        scalar_bytes_ -= node.Scalar().size();
        return;
      case YAML::NodeType::Sequence:
        for (const auto& item : node) walk(item, depth + 1);
        return;
      case YAML::NodeType::Map:
        for (const auto& kv : node) {
          walk(kv.first, depth + 1);
          walk(kv.second, depth + 1);
        }
        return;
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return;
    }
  }

 private:
  const YamlLimits& limits_;
  std::size_t nodes_;
  std::size_t scalar_bytes_;
};

}  // namespace

std::vector<YAML::Node> load_all_yaml_bounded(std::string_view text, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes)
    fail(YAML::Mark::null_mark(), "YAML text is " + std::to_string(text.size()) +
                                      " bytes, more than the " + std::to_string(limits.max_bytes) +
                                      " allowed");
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    fail(e.mark, "YAML nested too deeply");  // yaml-cpp's own message is "bad file"
  }
  Budget budget(limits);
  for (const auto& doc : docs) budget.walk(doc, 0);
  return docs;
}

YAML::Node load_yaml_bounded(std::string_view text, const YamlLimits& limits) {
  auto docs = load_all_yaml_bounded(text, limits);
  return docs.empty() ? YAML::Node() : docs.front();
}

}  // namespace k8s
