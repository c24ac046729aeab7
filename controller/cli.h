#pragma once
// The `rightsizer` command line: a table of subcommands, each parsing its
// own flags in its own file. Adding a subcommand is one entry in the table
// in cli.cpp.
#include <iosfwd>
#include <span>
#include <string_view>

namespace controller {

// A subcommand: `args` are the arguments after its name; returns the exit
// code (0 ok, 1 failed, 2 usage error).
using CommandFn = int (*)(std::span<const std::string_view> args, std::ostream& out,
                          std::ostream& err);

struct Command {
  std::string_view name;
  std::string_view summary;  // one line for `rightsizer --help`
  CommandFn run;
};

// Every subcommand, in the order `rightsizer --help` lists them.
std::span<const Command> commands();

// Runs the command named by args[0] (argv without the program name) and
// returns the process exit code.
int run_cli(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);
int run_cli(std::span<const std::string_view> args);  // stdout and stderr

}  // namespace controller
