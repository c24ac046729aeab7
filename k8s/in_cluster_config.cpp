// Configuration of a pod talking to its own cluster: the service host/port
// from the environment and the mounted service-account files.
#include <cstdlib>

#include "k8s/config.h"

namespace k8s {

Result<ClusterConfig> load_in_cluster_config(const InClusterSources& sources) {
  auto getenv =
      sources.getenv ? sources.getenv : [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  auto host = getenv("KUBERNETES_SERVICE_HOST");
  auto port = getenv("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty()) {
    return make_error(ErrorKind::Config,
                      "in-cluster: environment KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
                      "must both be set (not running in a pod?)");
  }
  ClusterConfig cfg;
  cfg.source = "in-cluster";
  bool ipv6 = host->find(':') != std::string::npos;
  std::string url = "https://" + (ipv6 ? "[" + *host + "]" : *host) + ":" + *port;
  if (auto ok = parse_server_url(url, "in-cluster: KUBERNETES_SERVICE_HOST/PORT", cfg); !ok)
    return ok.error();
  const std::string& dir = sources.service_account_dir;
  auto ca = read_file(dir + "/ca.crt", "in-cluster: service-account CA");
  if (!ca) return ca.error();
  cfg.ca_pem = *ca;
  cfg.token_file = dir + "/token";
  auto token = read_file(cfg.token_file, "in-cluster: service-account token");
  if (!token) return token.error();
  if (auto ns = read_file(dir + "/namespace", "in-cluster: namespace"); ns && !ns->empty()) {
    cfg.namespace_ = *ns;
  }
  return cfg;
}

}  // namespace k8s
