#include "controller/cli.h"

#include <iostream>

#include "controller/analyze_command.h"
#include "controller/build_info.h"
#include "controller/validate_command.h"

namespace controller {
namespace {

constexpr std::string_view kUsage =
    "usage: rightsizer <command> [flags]\n"
    "\n"
    "commands:\n"
    "  analyze     run a policy's SLO checks now against a workload\n"
    "  validate    check RightsizePolicy files (-f FILE...)\n"
    "  version     print the version\n";

}  // namespace

int run_cli(std::span<const std::string_view> args) {
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "version") {
    std::cout << "rightsizer " << kVersion << '\n';
    return 0;
  }
  if (args[0] == "validate") return run_validate(args.subspan(1), std::cout, std::cerr);
  if (args[0] == "analyze") return run_analyze(args.subspan(1), std::cout, std::cerr);
  std::cerr << "rightsizer: unknown command \"" << args[0] << "\"\n\n" << kUsage;
  return 2;
}

}  // namespace controller
