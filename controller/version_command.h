#pragma once
// `rightsizer version`: prints the version.
#include <iosfwd>
#include <span>
#include <string_view>

namespace controller {

// `args` are the arguments after "version"; returns the exit code.
int run_version_command(std::span<const std::string_view> args, std::ostream& out,
                        std::ostream& err);

}  // namespace controller
