#include "controller/cli_support.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <vector>

#include "controller/yaml_json.h"
#include "policies/duration.h"

namespace controller::cli {
namespace {

constexpr std::size_t kMaxConfigBytes = 64 * 1024;

std::string scalar_text(const nlohmann::json& v, const std::string& key) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean() || v.is_number()) return v.dump();
  throw CLI::ConfigError("key \"" + key + "\" must be a single value or a list of values");
}

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

std::string YamlConfig::to_config(const CLI::App*, bool, bool, std::string) const {
  return {};  // writing a config file is not offered
}

std::vector<CLI::ConfigItem> YamlConfig::from_config(std::istream& input) const {
  std::string text;
  text.resize(kMaxConfigBytes + 1);
  input.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(input.gcount()));
  if (text.size() > kMaxConfigBytes)
    throw CLI::ConfigError("larger than " + std::to_string(kMaxConfigBytes / 1024) + " KiB");
  auto docs = yaml_to_json(text);
  if (!docs) throw CLI::ConfigError(one_line(docs.error()));
  if (docs->size() > 1) throw CLI::ConfigError("must hold one YAML document, not several");
  std::vector<CLI::ConfigItem> items;
  if (docs->empty() || docs->front().is_null()) return items;
  const nlohmann::json& doc = docs->front();
  if (!doc.is_object()) throw CLI::ConfigError("must be a mapping of flag names to values");
  for (const auto& [key, value] : doc.items()) {
    if (!known_.contains(key)) throw CLI::ConfigError("unknown key \"" + key + "\"");
    CLI::ConfigItem item;
    item.name = key;
    if (value.is_array()) {
      for (const auto& v : value) item.inputs.push_back(scalar_text(v, key));
    } else {
      item.inputs.push_back(scalar_text(value, key));
    }
    items.push_back(std::move(item));
  }
  return items;
}

void add_common_flags(CLI::App& app, CommonFlags& flags) {
  app.set_config("--config", "", "YAML file of flag values, keyed by long flag name")
      ->type_name("FILE");
  app.add_option("--kubeconfig", flags.kubeconfig,
                 "kubeconfig file; default $KUBECONFIG, else the in-cluster service account")
      ->type_name("FILE");
  app.add_option("--context", flags.context,
                 "kubeconfig context to use (default: the file's current-context)")
      ->type_name("NAME");
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn or error")
      ->type_name("LEVEL")
      ->capture_default_str();
  app.add_option("--log-format", flags.log_format,
                 "json or text (default: text on a terminal, json otherwise)")
      ->type_name("FORMAT");
}

std::optional<ParseStop> parse_args(CLI::App& app, std::span<const std::string_view> args) {
  std::set<std::string> keys;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt == app.get_help_ptr() || opt == app.get_config_ptr()) continue;
    for (const std::string& name : opt->get_lnames()) keys.insert(name);
  }
  app.config_formatter(std::make_shared<YamlConfig>(std::move(keys)));
  app.allow_config_extras(CLI::config_extras_mode::error);
  // CLI11 takes the arguments in reverse order.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::string help = app.help();
    if (!help.ends_with('\n')) help += '\n';  // CLI11 ends the footer without one
    return ParseStop{0, std::move(help)};
  } catch (const CLI::ConfigError& e) {
    const CLI::Option* config = app.get_config_ptr();
    const std::string file = config && !config->results().empty() ? config->results().front() : "";
    return usage_error(app.get_name(), file + ": " + one_line(e.what()));
  } catch (const CLI::ParseError& e) {
    return usage_error(app.get_name(), one_line(e.what()));
  }
  return std::nullopt;
}

policies::Result<ClusterAccess> resolve_cluster(const CommonFlags& flags, const CommandEnv& env) {
  ClusterAccess access{flags.kubeconfig.empty() ? env.kubeconfig_env : flags.kubeconfig,
                       flags.context};
  if (access.in_cluster() && !access.context.empty())
    return policies::make_error("--context needs a kubeconfig (--kubeconfig or $KUBECONFIG)");
  return access;
}

policies::Result<LogOptions> resolve_log(const CommonFlags& flags, const CommandEnv& env) {
  LogOptions log;
  static constexpr std::pair<std::string_view, LogLevel> kLevels[] = {{"trace", LogLevel::Trace},
                                                                      {"debug", LogLevel::Debug},
                                                                      {"info", LogLevel::Info},
                                                                      {"warn", LogLevel::Warn},
                                                                      {"error", LogLevel::Error}};
  const auto level = std::find_if(std::begin(kLevels), std::end(kLevels),
                                  [&](const auto& l) { return l.first == flags.log_level; });
  if (level == std::end(kLevels))
    return policies::make_error("--log-level \"" + flags.log_level +
                                "\": must be trace, debug, info, warn or error");
  log.level = level->second;
  if (flags.log_format.empty()) {
    log.format = env.stdout_is_terminal ? LogFormat::Text : LogFormat::Json;
  } else if (flags.log_format == "json") {
    log.format = LogFormat::Json;
  } else if (flags.log_format == "text") {
    log.format = LogFormat::Text;
  } else {
    return policies::make_error("--log-format \"" + flags.log_format + "\": must be json or text");
  }
  return log;
}

policies::Result<std::chrono::milliseconds> duration_flag(std::string_view flag,
                                                          const std::string& text,
                                                          std::chrono::milliseconds min,
                                                          std::chrono::milliseconds max) {
  const std::string prefix = std::string(flag) + " \"" + text + "\": ";
  auto d = policies::parse_duration(text);
  if (!d) return policies::make_error(prefix + "not a duration (write e.g. 30s, 5m, 1h)");
  if (*d < min || *d > max)
    return policies::make_error(prefix + "must be between " + policies::format_duration(min) +
                                " and " + policies::format_duration(max));
  return *d;
}

policies::Result<std::optional<BindAddress>> bind_address_flag(std::string_view flag,
                                                               const std::string& text) {
  if (text == "0") return std::optional<BindAddress>{};
  const auto bad = [&](const std::string& why) {
    return policies::make_error(std::string(flag) + " \"" + text + "\": " + why);
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return bad("must be HOST:PORT, :PORT or 0 (off)");
  std::string host = text.substr(0, colon);
  if (host.starts_with('[')) {
    if (!host.ends_with(']') || host.size() < 3) return bad("unbalanced [ ] around the IPv6 host");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return bad("write an IPv6 host in brackets, e.g. [::1]:8080");
  }
  if (host.find_first_of(" \t/[]") != std::string::npos) return bad("invalid host");
  const std::string port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535)
    return bad("port must be a number from 0 to 65535");
  return std::optional<BindAddress>{BindAddress{host, static_cast<std::uint16_t>(port)}};
}

bool is_dns_label(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || c == '-'; });
}

bool is_dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    const std::string_view part =
        s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!is_dns_label(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

ParseStop usage_error(std::string_view command, const std::string& message) {
  return ParseStop{
      2, std::string(command) + ": " + message + " (see '" + std::string(command) + " --help')\n"};
}

}  // namespace controller::cli
