#include "controller/recommend_command.h"

#include <ostream>

#include "controller/recommend_options.h"

namespace controller {

int run_recommend_command(std::span<const std::string_view> args, std::ostream& out,
                          std::ostream& err) {
  const auto parsed = parse_recommend_options(args, current_command_env());
  if (const auto* stop = std::get_if<ParseStop>(&parsed)) {
    (stop->exit_code == 0 ? out : err) << stop->text;
    return stop->exit_code;
  }
  err << "rightsizer recommend: options are valid, but recommend is not implemented yet\n";
  return 1;
}

}  // namespace controller
