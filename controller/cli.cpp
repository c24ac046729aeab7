#include "controller/cli.h"

#include <iostream>
#include <string>

#include "controller/analyze_command.h"
#include "controller/recommend_command.h"
#include "controller/report_command.h"
#include "controller/run_command.h"
#include "controller/validate_command.h"
#include "controller/version_command.h"

namespace controller {
namespace {

constexpr Command kCommands[] = {
    {"analyze", "run a policy's SLO checks now against a workload (canary vs baseline)",
     run_analyze},
    {"run", "the operator: watch annotated workloads, learn their usage, recommend",
     run_run_command},
    {"recommend", "print current vs recommended resources and savings once; changes nothing",
     run_recommend_command},
    {"report", "the FinOps report: cost before and after, utilisation, savings, rollbacks",
     run_report_command},
    {"validate", "check RightsizePolicy files (-f FILE...) as the operator will", run_validate},
    {"version", "print the version", run_version_command},
};

void print_usage(std::ostream& os) {
  os << "rightsizer sizes Kubernetes workloads' CPU and memory requests to their real\n"
        "usage, one safe step at a time.\n"
        "\n"
        "Usage: rightsizer <command> [flags]\n"
        "\n"
        "Commands:\n";
  for (const Command& c : kCommands) {
    os << "  " << c.name << std::string(12 - c.name.size(), ' ') << c.summary << '\n';
  }
  os << "\nRun 'rightsizer <command> --help' for a command's flags.\n";
}

}  // namespace

std::span<const Command> commands() {
  return kCommands;
}

int run_cli(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    print_usage(err);
    return 2;
  }
  if (args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    print_usage(out);
    return 0;
  }
  const std::string_view name = args[0] == "--version" ? "version" : args[0];
  for (const Command& c : kCommands) {
    if (c.name == name) return c.run(args.subspan(1), out, err);
  }
  std::string names;
  for (const Command& c : kCommands) names += (names.empty() ? "" : ", ") + std::string(c.name);
  err << "rightsizer: unknown command \"" << args[0] << "\" (commands: " << names
      << "; see 'rightsizer --help')\n";
  return 2;
}

int run_cli(std::span<const std::string_view> args) {
  return run_cli(args, std::cout, std::cerr);
}

}  // namespace controller
