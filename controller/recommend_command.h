#pragma once
// `rightsizer recommend`: one-shot recommendations. For now it parses and
// validates its options and stops there (exit 1): the report is not built yet.
#include <iosfwd>
#include <span>
#include <string_view>

namespace controller {

// `args` are the arguments after "recommend"; returns the exit code.
int run_recommend_command(std::span<const std::string_view> args, std::ostream& out,
                          std::ostream& err);

}  // namespace controller
