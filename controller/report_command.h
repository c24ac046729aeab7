#pragma once
// `rightsizer report`: the FinOps report (finops_report.h) of the
// Rightsizings in -n NS or -A (one LIST), or of a file of them
// (--from-file, `kubectl get rsz -o json|yaml`), as text, Markdown, JSON or
// a self-contained HTML page, to stdout or --output FILE. Changes nothing.
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "controller/cluster_objects.h"
#include "policies/result.h"

namespace controller {

// `args` are the arguments after "report"; returns the exit code.
int run_report_command(std::span<const std::string_view> args, std::ostream& out,
                       std::ostream& err);

// The Rightsizings in `text` (JSON or YAML): a List's items, or one object
// per document; an object of another kind is an error.
policies::Result<std::vector<RightsizingObject>> rightsizings_from_text(std::string_view text);

}  // namespace controller
