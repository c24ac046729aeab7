#pragma once
// The process's log lines (spdlog's default logger, on stderr): one JSON
// object per line when the format is JSON (the default when stdout is not a
// terminal, as in a pod), readable lines otherwise. Every message passes
// through k8s::redact, so a bearer token that slipped into a message is
// masked rather than logged.
#include <chrono>
#include <string>
#include <string_view>

#include "controller/command_options.h"

namespace controller {

// Installs the format and level on the default logger.
void setup_logging(const LogOptions& options);

// One line as setup_logging's logger writes it (with the newline).
// `level` is "trace", "debug", "info", "warn" or "error".
std::string format_log_line(LogFormat format, std::chrono::system_clock::time_point at,
                            std::string_view level, std::string_view message);

}  // namespace controller
