#pragma once
// Option types shared by the subcommands' parsers (`run`, `recommend`, ...):
// plain data, filled and validated by the parsers in *_options.cpp.
#include <cstdint>
#include <string>
#include <variant>

namespace controller {

enum class LogLevel { Trace, Debug, Info, Warn, Error };
enum class LogFormat { Json, Text };

struct LogOptions {
  LogLevel level = LogLevel::Info;
  LogFormat format = LogFormat::Json;
};

// Where the cluster is: a kubeconfig file (and optionally one of its
// contexts), or the in-cluster service account when `kubeconfig` is empty.
struct ClusterAccess {
  std::string kubeconfig;
  std::string context;
  [[nodiscard]] bool in_cluster() const { return kubeconfig.empty(); }
};

// What a parser may know about the process it runs in, passed in so that
// tests decide it.
struct CommandEnv {
  bool stdout_is_terminal = false;  // chooses the default log format
  std::string kubeconfig_env;       // $KUBECONFIG, used when --kubeconfig is absent
};

// The running process's: isatty(stdout) and $KUBECONFIG.
CommandEnv current_command_env();

// Parsing ended without options to run with: `--help` (exit 0, text for
// stdout) or a bad flag or config (exit 2, one line for stderr).
struct ParseStop {
  int exit_code = 2;
  std::string text;
};

template <class Options>
using Parsed = std::variant<Options, ParseStop>;

// A listen address "HOST:PORT", ":PORT" (all interfaces) or "[IPv6]:PORT".
struct BindAddress {
  std::string host;  // empty: all interfaces
  std::uint16_t port = 0;
};

}  // namespace controller
