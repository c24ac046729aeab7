#pragma once
// `rightsizer recommend`: one shot, changes nothing. For -n NS or -A, per
// workload container, current vs recommended requests and limits and the
// monthly savings — from the Rightsizings the operator keeps (one LIST), or
// with --sample D by sampling metrics-server itself for D, every
// --metrics-interval, and sizing with each workload's policy (its
// minObservation ignored, as the output's first line says).
#include <iosfwd>
#include <span>
#include <string_view>

namespace controller {

// `args` are the arguments after "recommend"; returns the exit code.
int run_recommend_command(std::span<const std::string_view> args, std::ostream& out,
                          std::ostream& err);

}  // namespace controller
