#include "policies/problem.h"

namespace policies {

std::string to_string(const Problem& p) {
  return p.path + ": " + p.message;
}

}  // namespace policies
