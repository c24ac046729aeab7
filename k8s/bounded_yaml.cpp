#include "k8s/bounded_yaml.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace k8s {
namespace {

[[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) {
  throw YamlLimitExceeded(mark, message);
}

// Counts the stream's nodes as parser events, before yaml-cpp builds any
// node: a block sequence stops at max_nodes events, and no document over a
// bound is ever built (yaml-cpp scans a flow collection whole before its
// first event, so for `[1,1,…]` the byte limit bounds the time). An alias
// counts as the nodes and text of its anchor's subtree, so the count is the
// size of the document with aliases expanded.
class Budget : public YAML::EventHandler {
 public:
  explicit Budget(const YamlLimits& limits) : limits_(limits) {}

  void OnDocumentStart(const YAML::Mark&) override { anchors_.clear(); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor, 0); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return;  // yaml-cpp reports unknown aliases itself
    add(mark, it->second.nodes, it->second.scalar_bytes);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    leaf(mark, anchor, value.size());
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Size {
    std::size_t nodes = 0;
    std::size_t scalar_bytes = 0;
  };
  struct Open {
    YAML::anchor_t anchor;
    Size at_start;
  };

  void check_depth(const YAML::Mark& mark) const {
    if (open_.size() > static_cast<std::size_t>(limits_.max_depth))
      fail(mark, "YAML nested deeper than " + std::to_string(limits_.max_depth) + " levels");
  }
  // Adds nodes and text to the running totals; both stay within their
  // limits, so the sums never overflow.
  void add(const YAML::Mark& mark, std::size_t nodes, std::size_t scalar_bytes) {
    if (nodes > limits_.max_nodes - total_.nodes)
      fail(mark, "YAML expands to more than " + std::to_string(limits_.max_nodes) +
                     " nodes (aliases referring to aliases?)");
    if (scalar_bytes > limits_.max_scalar_bytes - total_.scalar_bytes)
      fail(mark, "YAML expands to more than " + std::to_string(limits_.max_scalar_bytes >> 20) +
                     " MiB of text (aliases of long strings?)");
    total_.nodes += nodes;
    total_.scalar_bytes += scalar_bytes;
  }
  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, std::size_t bytes) {
    check_depth(mark);
    add(mark, 1, bytes);
    if (anchor != YAML::NullAnchor) anchors_[anchor] = {1, bytes};
  }
  void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    check_depth(mark);
    add(mark, 1, 0);
    open_.push_back({anchor, {total_.nodes - 1, total_.scalar_bytes}});
  }
  void close() {
    if (open_.empty()) return;
    const Open o = open_.back();
    open_.pop_back();
    if (o.anchor != YAML::NullAnchor)
      anchors_[o.anchor] = {total_.nodes - o.at_start.nodes,
                            total_.scalar_bytes - o.at_start.scalar_bytes};
  }

  const YamlLimits& limits_;
  Size total_;
  std::vector<Open> open_;
  std::unordered_map<YAML::anchor_t, Size> anchors_;
};

}  // namespace

std::vector<YAML::Node> load_all_yaml_bounded(std::string_view text, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes)
    fail(YAML::Mark::null_mark(), "YAML text is " + std::to_string(text.size()) +
                                      " bytes, more than the " + std::to_string(limits.max_bytes) +
                                      " allowed");
  std::vector<YAML::Node> docs;
  try {
    // First pass: events only, no nodes; the bounds hold before any is built.
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    Budget budget(limits);
    while (parser.HandleNextDocument(budget)) {
    }
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    fail(e.mark, "YAML nested too deeply");  // yaml-cpp's own message is "bad file"
  }
  return docs;
}

YAML::Node load_yaml_bounded(std::string_view text, const YamlLimits& limits) {
  auto docs = load_all_yaml_bounded(text, limits);
  return docs.empty() ? YAML::Node() : docs.front();
}

}  // namespace k8s
