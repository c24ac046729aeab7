// Reading a kubeconfig file with yaml-cpp. Every yaml-cpp exception is caught
// here and turned into a Config error that names file, field and expectation.
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>
#include <filesystem>

#include "k8s/bounded_yaml.h"
#include "k8s/config.h"

namespace k8s {
namespace {

struct Location {
  std::string file;
  std::string base_dir;
};

Error config_error(const Location& at, const std::string& field, const std::string& what) {
  return make_error(ErrorKind::Config, "kubeconfig " + at.file + ": " + field + ": " + what);
}

std::string resolve(const Location& at, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_absolute() || at.base_dir.empty()) return path;
  return (std::filesystem::path(at.base_dir) / p).string();
}

// A scalar string field; "" when absent. yaml-cpp throws on non-scalars.
Result<std::string> scalar(const Location& at, const YAML::Node& node, const char* key,
                           const std::string& field) {
  YAML::Node v = node[key];
  if (!v || v.IsNull()) return std::string{};
  if (!v.IsScalar()) return config_error(at, field + "." + key, "expected a string");
  return v.as<std::string>();
}

// Finds the entry `name` in a named list such as clusters or users.
Result<YAML::Node> named_entry(const Location& at, const YAML::Node& root, const char* list,
                               const char* inner, const std::string& name) {
  YAML::Node entries = root[list];
  if (entries && !entries.IsSequence()) return config_error(at, list, "expected a list");
  for (const auto& e : entries) {
    if (e["name"] && e["name"].IsScalar() && e["name"].as<std::string>() == name) {
      YAML::Node body = e[inner];
      if (!body || !body.IsMap()) {
        return config_error(at, std::string(list) + "[name=" + name + "]." + inner,
                            "expected a map");
      }
      return body;
    }
  }
  return config_error(at, list, "no entry named '" + name + "'");
}

// Reads `<key>-data` (base64) or `<key>` (a file path relative to the kubeconfig).
Result<std::string> pem_field(const Location& at, const YAML::Node& node, const std::string& field,
                              const std::string& key) {
  auto data = scalar(at, node, (key + "-data").c_str(), field);
  if (!data) return data.error();
  if (!data->empty()) {
    auto decoded = base64_decode(*data);
    if (!decoded)
      return config_error(at, field + "." + key + "-data", "expected base64-encoded PEM");
    return *decoded;
  }
  auto file = scalar(at, node, key.c_str(), field);
  if (!file) return file.error();
  if (file->empty()) return std::string{};
  auto contents = read_file(resolve(at, *file), field + "." + key);
  if (!contents) return config_error(at, field + "." + key, contents.error().message);
  return contents;
}

Result<void> read_cluster(const Location& at, const YAML::Node& cluster, const std::string& field,
                          ClusterConfig& cfg) {
  auto server = scalar(at, cluster, "server", field);
  if (!server) return server.error();
  if (server->empty())
    return config_error(at, field + ".server", "missing (expected https://host[:port])");
  if (auto ok = parse_server_url(*server, "kubeconfig " + at.file + ": " + field + ".server", cfg);
      !ok) {
    return ok.error();
  }
  auto sni = scalar(at, cluster, "tls-server-name", field);
  if (!sni) return sni.error();
  cfg.tls_server_name = *sni;
  auto ca = pem_field(at, cluster, field, "certificate-authority");
  if (!ca) return ca.error();
  cfg.ca_pem = *ca;
  if (YAML::Node insecure = cluster["insecure-skip-tls-verify"]; insecure) {
    bool value = false;
    if (!insecure.IsScalar() || !YAML::convert<bool>::decode(insecure, value)) {
      return config_error(at, field + ".insecure-skip-tls-verify", "expected true or false");
    }
    cfg.insecure_skip_tls_verify = value;
  }
  if (cfg.insecure_skip_tls_verify && !cfg.ca_pem.empty()) {
    return config_error(at, field,
                        "insecure-skip-tls-verify cannot be combined with a certificate authority");
  }
  return {};
}

Result<void> read_user(const Location& at, const YAML::Node& user, const std::string& field,
                       ClusterConfig& cfg) {
  for (const char* unsupported : {"exec", "auth-provider", "username"}) {
    if (user[unsupported]) {
      return config_error(at, field + "." + unsupported,
                          "not supported (use a client certificate or a token)");
    }
  }
  auto cert = pem_field(at, user, field, "client-certificate");
  if (!cert) return cert.error();
  auto key = pem_field(at, user, field, "client-key");
  if (!key) return key.error();
  if (cert->empty() != key->empty()) {
    return config_error(at, field, "client-certificate and client-key must be given together");
  }
  cfg.client_cert_pem = Secret(*cert);
  cfg.client_key_pem = Secret(*key);
  auto token = scalar(at, user, "token", field);
  if (!token) return token.error();
  cfg.token = Secret(*token);
  auto token_file = scalar(at, user, "tokenFile", field);
  if (!token_file) return token_file.error();
  if (!token_file->empty()) cfg.token_file = resolve(at, *token_file);
  return {};
}

Result<ClusterConfig> parse_document(const Location& at, const YAML::Node& root,
                                     const std::string& ctx_override) {
  if (!root.IsMap())
    return config_error(at, "(document)", "expected a map (apiVersion: v1, kind: Config)");
  auto current = scalar(at, root, "current-context", "(document)");
  if (!current) return current.error();
  std::string context_name = ctx_override.empty() ? *current : ctx_override;
  if (context_name.empty())
    return config_error(at, "current-context", "missing and no context was given");
  auto ctx = named_entry(at, root, "contexts", "context", context_name);
  if (!ctx) return ctx.error();
  std::string ctx_field = "contexts[name=" + context_name + "].context";
  auto cluster_name = scalar(at, *ctx, "cluster", ctx_field);
  if (!cluster_name) return cluster_name.error();
  if (cluster_name->empty()) return config_error(at, ctx_field + ".cluster", "missing");
  auto user_name = scalar(at, *ctx, "user", ctx_field);
  if (!user_name) return user_name.error();
  auto ns = scalar(at, *ctx, "namespace", ctx_field);
  if (!ns) return ns.error();

  ClusterConfig cfg;
  cfg.source = "kubeconfig " + at.file + " context " + context_name;
  if (!ns->empty()) cfg.namespace_ = *ns;
  auto cluster = named_entry(at, root, "clusters", "cluster", *cluster_name);
  if (!cluster) return cluster.error();
  if (auto ok = read_cluster(at, *cluster, "clusters[name=" + *cluster_name + "].cluster", cfg);
      !ok) {
    return ok.error();
  }
  if (!user_name->empty()) {
    auto user = named_entry(at, root, "users", "user", *user_name);
    if (!user) return user.error();
    if (auto ok = read_user(at, *user, "users[name=" + *user_name + "].user", cfg); !ok)
      return ok.error();
  }
  if (cfg.insecure_skip_tls_verify) {
    spdlog::warn(
        "INSECURE: {} sets insecure-skip-tls-verify; the API server's certificate is NOT verified "
        "and any machine in the path can read and change this traffic",
        cfg.source);
  }
  return cfg;
}

}  // namespace

Result<ClusterConfig> parse_kubeconfig(const std::string& text, const std::string& source_name,
                                       const std::string& base_dir,
                                       const std::string& context_override) {
  Location at{source_name, base_dir};
  try {
    return parse_document(at, load_yaml_bounded(text), context_override);
  } catch (const YAML::Exception& e) {
    return config_error(at, "(line " + std::to_string(e.mark.line + 1) + ")",
                        "not valid YAML: " + e.msg);
  }
}

Result<ClusterConfig> load_kubeconfig(const std::string& path,
                                      const std::string& context_override) {
  auto text = read_file(path, "kubeconfig");
  if (!text) return text.error();
  auto dir = std::filesystem::path(path).parent_path().string();
  return parse_kubeconfig(*text, path, dir, context_override);
}

}  // namespace k8s
