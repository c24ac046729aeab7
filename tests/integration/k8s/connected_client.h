#pragma once
// An ApiClient over the real HTTPS transport, for tests against the local
// cluster, plus small helpers shared by the k8s integration tests.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "k8s/api_client.h"
#include "k8s/clock.h"
#include "k8s/config.h"
#include "k8s/https_transport.h"
#include "support/cluster.h"

namespace k8s::itest_support {

struct ConnectedClient {
  SystemClock clock;
  SystemRandom random;
  std::shared_ptr<Transport> transport;
  std::shared_ptr<TokenProvider> tokens;
  std::unique_ptr<ApiClient> api;
};

inline std::unique_ptr<ConnectedClient> connect(const ClusterConfig& cfg, ClientOptions opts = {},
                                                std::shared_ptr<Transport> wrap = nullptr,
                                                const TransportOptions& topts = {}) {
  auto c = std::make_unique<ConnectedClient>();
  auto transport = make_https_transport(cfg, topts);
  if (!transport) {
    ADD_FAILURE() << transport.error().describe();
    return nullptr;
  }
  c->transport = wrap ? wrap : *transport;
  c->tokens = std::make_shared<TokenProvider>(cfg, c->clock);
  c->api = std::make_unique<ApiClient>(c->transport, c->tokens, c->clock, c->random, opts);
  return c;
}

inline ClusterConfig admin_config() {
  auto cfg = load_kubeconfig(itest::ClusterEnv::get().kubeconfig);
  if (!cfg) ADD_FAILURE() << cfg.error().describe();
  return cfg ? *cfg : ClusterConfig{};
}

inline std::unique_ptr<ConnectedClient> admin_client(ClientOptions opts = {}) {
  return connect(admin_config(), opts);
}

inline nlohmann::json config_map(const std::string& ns, const std::string& name,
                                 const nlohmann::json& data = nlohmann::json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"data", data}};
}

inline ObjectRef cm_ref(const std::string& ns, const std::string& name = "") {
  return {resources::configmaps(), ns, name, ""};
}

}  // namespace k8s::itest_support
