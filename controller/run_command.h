#pragma once
// `rightsizer run`: the operator. Parses its options, then connects to the
// cluster and runs the Manager (manager.h) with the real parts: the informer
// caches, the Reconciler, the UsageSampler on metrics-server, the event
// recorder and, unless --leader-elect=false, a Lease elector. SIGTERM/SIGINT
// stop it gracefully (exit 0); a lost lease exits 1; a bad flag exits 2.
#include <iosfwd>
#include <optional>
#include <span>
#include <string_view>

#include "controller/metrics_registry.h"

namespace controller {

class ClusterView;

// `args` are the arguments after "run"; returns the exit code.
int run_run_command(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

// Money text of a status ("285.95", "-3.5", "12") in cents; nullopt when not
// a decimal amount with at most two decimals.
std::optional<long long> parse_cents(std::string_view text);

// rightsizer_monthly_savings_cents{namespace,policy} from the policies'
// status; a policy gone, or whose savings no longer parse, loses its series.
void refresh_savings(GaugeFamily& savings, const ClusterView& view);

}  // namespace controller
