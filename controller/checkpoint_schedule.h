#pragma once
// When a workload's learning alone (usage figures and checkpoints that only
// grew) is written again. Every workload's status is written at about the
// same moment after a start (or a takeover), so one interval for all would
// make every checkpoint due at the same sampling pass: 1,000 workloads, 1,000
// PUTs in a burst, every interval. A per-workload share of `jitter`, taken
// from a hash of its key (stable across processes and builds, so a new
// leader keeps the same spread), moves each one to its own moment.
#include <chrono>
#include <string_view>

namespace controller {

// `interval` plus a share of `jitter` in [0, jitter), the same for one key
// every time.
std::chrono::nanoseconds checkpoint_delay(std::string_view key, std::chrono::nanoseconds interval,
                                          std::chrono::nanoseconds jitter);

}  // namespace controller
