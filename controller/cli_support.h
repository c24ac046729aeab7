#pragma once
// CLI11 glue shared by the subcommands' option parsers. Include only from
// .cpp files: CLI11 is a large header.
#include <CLI/CLI.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "controller/command_options.h"
#include "policies/result.h"

namespace controller::cli {

// Reads a YAML file of `long-flag-name: value` pairs for CLI11's --config.
// Values are scalars or lists of scalars; keys must name a flag of the
// command (a typo is an error, not silently ignored); at most 64 KiB.
class YamlConfig final : public CLI::Config {
 public:
  explicit YamlConfig(std::set<std::string> known_keys) : known_(std::move(known_keys)) {}
  std::string to_config(const CLI::App*, bool, bool, std::string) const override;
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;

 private:
  std::set<std::string> known_;
};

// The flags every cluster command has, as written.
struct CommonFlags {
  std::string kubeconfig;
  std::string context;
  std::string log_level = "info";
  std::string log_format;  // empty: chosen by whether stdout is a terminal
};

// Adds --config, --kubeconfig, --context, --log-level, --log-format.
void add_common_flags(CLI::App& app, CommonFlags& flags);

// Parses `args` (after the subcommand name) into the options bound to `app`,
// with values from the --config file where no flag was given. Returns a stop
// for --help or a bad flag/config; nullopt when the options are filled.
std::optional<ParseStop> parse_args(CLI::App& app, std::span<const std::string_view> args);

// Turns the common flags into options; an error names the flag.
policies::Result<ClusterAccess> resolve_cluster(const CommonFlags& flags, const CommandEnv& env);
policies::Result<LogOptions> resolve_log(const CommonFlags& flags, const CommandEnv& env);

// A Go-style duration flag ("30s", "1m") within [min, max].
policies::Result<std::chrono::milliseconds> duration_flag(std::string_view flag,
                                                          const std::string& text,
                                                          std::chrono::milliseconds min,
                                                          std::chrono::milliseconds max);

// "HOST:PORT", ":PORT" or "[IPv6]:PORT"; "0" disables the listener (nullopt).
policies::Result<std::optional<BindAddress>> bind_address_flag(std::string_view flag,
                                                               const std::string& text);

// A DNS-1123 label (namespaces) or subdomain (object names).
bool is_dns_label(std::string_view s);
bool is_dns_subdomain(std::string_view s);

// The one stderr line for an invalid option of `command`.
ParseStop usage_error(std::string_view command, const std::string& message);

}  // namespace controller::cli
