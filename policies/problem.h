#pragma once
// A validation problem: the field path (as the apiserver spells it,
// e.g. "spec.cpu.min" or "spec.slos.checks[1].name") and what is wrong.
#include <string>
#include <vector>

namespace policies {

struct Problem {
  std::string path;
  std::string message;
  friend bool operator==(const Problem&, const Problem&) = default;
};

using Problems = std::vector<Problem>;

// "path: message"
std::string to_string(const Problem& p);

}  // namespace policies
