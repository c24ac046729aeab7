#pragma once
// The `rightsizer` command line: dispatches subcommands.
#include <span>
#include <string_view>

namespace controller {

// Runs the command named by args[0] (argv without the program name) and
// returns the process exit code. Writes to stdout/stderr.
int run_cli(std::span<const std::string_view> args);

}  // namespace controller
