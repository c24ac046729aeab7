#include "sample_pod.h"

#include <string>

namespace bench {

using nlohmann::json;

json container(int c, int pod) {
  json env = json::array();
  for (int e = 0; e < 32; ++e) {
    env.push_back({{"name", "TRADING_SETTING_" + std::to_string(e)},
                   {"value", "value-" + std::to_string(e * pod)}});
  }
  return {
      {"name", "engine-" + std::to_string(c)},
      {"image", "registry.example.com/trading/engine:v1.42." + std::to_string(c)},
      {"args", {"--config=/etc/engine/config.yaml", "--log-level=info", "--port=8080"}},
      {"env", env},
      {"ports", {{{"name", "http"}, {"containerPort", 8080}, {"protocol", "TCP"}}}},
      {"resources",
       {{"requests", {{"cpu", "2"}, {"memory", "4Gi"}}},
        {"limits", {{"cpu", "4"}, {"memory", "4Gi"}}}}},
      {"volumeMounts",
       {{{"name", "config"}, {"mountPath", "/etc/engine"}, {"readOnly", true}},
        {{"name", "kube-api-access-x7k2p"},
         {"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"}}}},
      {"livenessProbe",
       {{"httpGet", {{"path", "/healthz"}, {"port", 8080}}}, {"periodSeconds", 10}}},
      {"readinessProbe", {{"httpGet", {{"path", "/ready"}, {"port", 8080}}}, {"periodSeconds", 5}}},
      {"terminationMessagePath", "/dev/termination-log"},
      {"imagePullPolicy", "IfNotPresent"}};
}

json managed_fields() {
  json fields = json::object();
  for (int i = 0; i < 90; ++i) {
    fields["f:field" + std::to_string(i)] = json::object({{".", json::object()}});
  }
  return json::array({{{"manager", "kube-controller-manager"},
                       {"operation", "Update"},
                       {"apiVersion", "v1"},
                       {"time", "2026-11-27T10:00:00Z"},
                       {"fieldsType", "FieldsV1"},
                       {"fieldsV1", {{"f:spec", fields}}}},
                      {{"manager", "kubelet"},
                       {"operation", "Update"},
                       {"apiVersion", "v1"},
                       {"time", "2026-11-27T10:00:05Z"},
                       {"fieldsType", "FieldsV1"},
                       {"fieldsV1", {{"f:status", fields}}},
                       {"subresource", "status"}}});
}

}  // namespace bench
