#include "controller/version_command.h"

#include <ostream>

#include "controller/build_info.h"

namespace controller {

int run_version_command(std::span<const std::string_view> args, std::ostream& out,
                        std::ostream& err) {
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    out << "Usage: rightsizer version\n  Prints the version of this binary.\n";
    return 0;
  }
  if (!args.empty()) {
    err << "rightsizer version: takes no arguments (got \"" << args[0] << "\")\n";
    return 2;
  }
  out << "rightsizer " << kVersion << '\n';
  return 0;
}

}  // namespace controller
