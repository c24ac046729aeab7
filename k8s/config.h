#pragma once
// How to reach and authenticate to an API server: from a kubeconfig file or
// from the in-cluster service account. Errors name the file, the field and
// what was expected.
#include <functional>
#include <optional>
#include <string>

#include "k8s/result.h"
#include "k8s/secret.h"

namespace k8s {

struct ClusterConfig {
  std::string server;           // "https://host:port" as configured
  std::string host;             // parsed from server, without IPv6 brackets
  std::string port;             // "443" when not given
  std::string tls_server_name;  // overrides host for SNI and verification
  std::string ca_pem;           // empty: the system trust store
  Secret client_cert_pem;
  Secret client_key_pem;
  Secret token;            // a static bearer token
  std::string token_file;  // re-read periodically when set
  bool insecure_skip_tls_verify = false;
  std::string namespace_ = "default";
  std::string source;  // "kubeconfig <path> context <ctx>" or "in-cluster"
};

// Loads `path` and selects `context_override` or else current-context.
Result<ClusterConfig> load_kubeconfig(const std::string& path,
                                      const std::string& context_override = {});

// Same, from text; relative file references resolve against `base_dir`.
Result<ClusterConfig> parse_kubeconfig(const std::string& text, const std::string& source_name,
                                       const std::string& base_dir,
                                       const std::string& context_override = {});

// Where in-cluster configuration comes from; replaceable for tests.
struct InClusterSources {
  std::function<std::optional<std::string>(const std::string&)> getenv;  // default: ::getenv
  std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

Result<ClusterConfig> load_in_cluster_config(const InClusterSources& sources = {});

// Splits "https://host:port" into host and port; an error names `field`.
Result<void> parse_server_url(const std::string& url, const std::string& field, ClusterConfig& out);

// Reads a whole file; the error names `what` (e.g. "certificate-authority").
Result<std::string> read_file(const std::string& path, const std::string& what);

// RFC 4648 base64 (with or without padding); nullopt when not base64.
std::optional<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

}  // namespace k8s
