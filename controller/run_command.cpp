#include "controller/run_command.h"

#include <ostream>

#include "controller/run_options.h"

namespace controller {

int run_run_command(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  const auto parsed = parse_run_options(args, current_command_env());
  if (const auto* stop = std::get_if<ParseStop>(&parsed)) {
    (stop->exit_code == 0 ? out : err) << stop->text;
    return stop->exit_code;
  }
  err << "rightsizer run: options are valid, but the operator is not implemented yet\n";
  return 1;
}

}  // namespace controller
