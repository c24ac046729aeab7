#pragma once
// Reading YAML that a user hands us (kubeconfigs, manifests, policies) with
// bounds, so that a hostile or mistaken file fails fast with a clear error
// instead of exhausting memory or time: the text's size, the nesting depth,
// and the size of the document once aliases are expanded ("billion laughs":
// 554 bytes of nested aliases expand to 10^9 nodes). yaml-cpp itself shares
// aliased nodes, so parsing is cheap; it is walking them that explodes. The
// bounds are checked on a first pass over parser events, before yaml-cpp
// builds any node (so a huge flat document is refused without building it).
//
// Errors are thrown as YamlLimitExceeded, a YAML::ParserException, as
// YAML::Load reports syntax errors, so a caller catching those needs no change.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string_view>
#include <vector>

namespace k8s {

// A bound was exceeded (a YAML::ParserException, so callers that catch those
// report it too; catch this first to say "refused" rather than "syntax error").
class YamlLimitExceeded : public YAML::ParserException {
 public:
  using YAML::ParserException::ParserException;
};

struct YamlLimits {
  // The text. yaml-cpp scans a whole flow collection before its first event,
  // so this is what bounds the time of a flat `[1,1,…]` (about 1 s at 2 MiB).
  std::size_t max_bytes = std::size_t{2} << 20;
  int max_depth = 100;  // nested mappings and sequences
  // Nodes after expanding aliases: a policy is ~100, a large kubeconfig a few
  // thousand.
  std::size_t max_nodes = 100'000;
  std::size_t max_scalar_bytes = std::size_t{64} << 20;  // scalar text after expanding aliases
};

// Every document of the stream (empty documents are null nodes).
std::vector<YAML::Node> load_all_yaml_bounded(std::string_view text, const YamlLimits& limits = {});
// The first document, as YAML::Load.
YAML::Node load_yaml_bounded(std::string_view text, const YamlLimits& limits = {});

}  // namespace k8s
