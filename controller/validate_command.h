#pragma once
// `rightsizer validate -f FILE...`: checks RightsizePolicy files (YAML or
// JSON, several documents per file, `kind: List` too) with the operator's own
// validator, for users' CI. Prints every problem as
//   FILE: document N (NAME): FIELD.PATH: message
// and returns 0 if all policies are valid, 1 if any problem was found (or a
// file could not be read or parsed), 2 on a usage error.
#include <iosfwd>
#include <span>
#include <string_view>

namespace controller {

// `args` are the arguments after "validate".
int run_validate(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace controller
