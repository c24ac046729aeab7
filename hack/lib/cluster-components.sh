# Start and readiness of each component of hack/cluster.
# shellcheck shell=bash

k8s_bin() { echo "$(tool_bin_dir kubernetes)/$1"; }
kubectl_admin() { "$(k8s_bin kubectl)" --kubeconfig="$CLUSTER_DIR/admin.kubeconfig" "$@"; }
curl_admin() {
  local c=$CLUSTER_DIR/certs
  curl -sf --max-time 5 --cacert "$c/ca.crt" --cert "$c/admin.crt" --key "$c/admin.key" "$@"
}
# The component's own serving certificate is self-signed: only liveness is
# asked of it here.
curl_local() { curl -skf --max-time 5 "$@"; }

start_etcd() {
  local url=http://127.0.0.1:$ETCD_PORT peer=http://127.0.0.1:$ETCD_PEER_PORT
  # --unsafe-no-fsync: a throwaway test store on a shared disk; durability
  # across power loss is not what these tests check.
  start etcd "$(tool_bin_dir etcd)/etcd" --name=node0 --data-dir="$CLUSTER_DIR/etcd" \
    --listen-client-urls="$url" --advertise-client-urls="$url" \
    --listen-peer-urls="$peer" --initial-advertise-peer-urls="$peer" \
    --initial-cluster="node0=$peer" --unsafe-no-fsync --log-level=warn
  wait_for etcd "client endpoint" curl -sf --max-time 2 "$url/health"
}

start_apiserver() {
  local c=$CLUSTER_DIR/certs
  start kube-apiserver "$(k8s_bin kube-apiserver)" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
    --endpoint-reconciler-type=none --service-cluster-ip-range=10.0.0.0/24 \
    --tls-cert-file="$c/apiserver.crt" --tls-private-key-file="$c/apiserver.key" \
    --client-ca-file="$c/ca.crt" --authorization-mode=Node,RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$c/sa.pub" --service-account-signing-key-file="$c/sa.key" \
    --requestheader-client-ca-file="$c/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$c/front-proxy-client.crt" \
    --proxy-client-key-file="$c/front-proxy-client.key" \
    --profiling=false --v=1
  wait_for kube-apiserver "/readyz" curl_admin "https://127.0.0.1:$APISERVER_PORT/readyz"
}

start_controller_manager() {
  local c=$CLUSTER_DIR/certs kc=$CLUSTER_DIR/controller-manager.kubeconfig
  start kube-controller-manager "$(k8s_bin kube-controller-manager)" \
    --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false \
    --root-ca-file="$c/ca.crt" --service-account-private-key-file="$c/sa.key" \
    --use-service-account-credentials=true \
    --service-cluster-ip-range=10.0.0.0/24 --cluster-name=rightsizer-local \
    --authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics \
    --profiling=false --v=1
  wait_for kube-controller-manager "/healthz" curl_local "https://127.0.0.1:$KCM_PORT/healthz"
}

start_scheduler() {
  local kc=$CLUSTER_DIR/scheduler.kubeconfig
  start kube-scheduler "$(k8s_bin kube-scheduler)" \
    --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --leader-elect=false \
    --authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics \
    --profiling=false --v=1
  wait_for kube-scheduler "/healthz" curl_local "https://127.0.0.1:$SCHEDULER_PORT/healthz"
}

start_kwok() {
  local c=$CLUSTER_DIR/certs cfg f configs=()
  cfg="$(tool_bin_dir kwok)/../config"
  for f in "$cfg"/*.yaml; do configs+=("--config=$f"); done
  [ ${#configs[@]} -gt 0 ] || die "kwok stages missing in $cfg: run hack/install-deps"
  start kwok "$(tool_bin_dir kwok)/kwok" --kubeconfig="$CLUSTER_DIR/kwok.kubeconfig" \
    "${configs[@]}" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-ip=127.0.0.1 --node-port="$KWOK_PORT" --server-address="127.0.0.1:$KWOK_PORT" \
    --tls-cert-file="$c/kwok-serving.crt" --tls-private-key-file="$c/kwok-serving.key" \
    --node-lease-duration-seconds=40 --cidr=10.244.0.1/16
  wait_for kwok "/healthz" curl_local "https://127.0.0.1:$KWOK_PORT/healthz"
}

node_manifest() {
  local name=$1
  cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
    metrics.k8s.io/resource-metrics-path: /metrics/nodes/$name/metrics/resource
  labels:
    kubernetes.io/hostname: $name
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  capacity: {cpu: "16", memory: 64Gi, pods: "110"}
  allocatable: {cpu: "16", memory: 64Gi, pods: "110"}
EOF
}

create_nodes() {
  local i
  log "creating $NODE_COUNT kwok nodes (16 CPU / 64 GiB each)"
  for i in $(seq 0 $((NODE_COUNT - 1))); do
    echo "---"
    node_manifest "kwok-node-$i"
  done | kubectl_admin apply -f - >/dev/null
  wait_for kwok "nodes" kubectl_admin wait --for=condition=Ready node --all --timeout=5s
  # Pods need a default ServiceAccount, made by the controller manager.
  wait_for kube-controller-manager "default ServiceAccount" kubectl_admin get serviceaccount default
}

start_metrics_server() {
  local kc=$CLUSTER_DIR/metrics-server.kubeconfig
  # Resolution 10 s (the least metrics-server allows) keeps tests short; the
  # kubelet timeout must stay below 90 % of it.
  start metrics-server "$(tool_bin_dir metrics-server)/metrics-server" \
    --kubeconfig="$kc" --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --bind-address=127.0.0.1 --secure-port="$METRICS_SERVER_PORT" \
    --cert-dir="$CLUSTER_DIR/metrics-server" \
    --kubelet-insecure-tls --kubelet-use-node-status-port \
    --kubelet-preferred-address-types=InternalIP,Hostname \
    --metric-resolution=10s --kubelet-request-timeout=5s
  wait_for metrics-server "/readyz" curl_local "https://127.0.0.1:$METRICS_SERVER_PORT/livez"
  kubectl_admin apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata: {name: metrics-server, namespace: kube-system}
spec:
  type: ExternalName
  externalName: 127.0.0.1
  ports: [{name: https, port: $METRICS_SERVER_PORT, protocol: TCP}]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: {name: metrics-server, namespace: kube-system, port: $METRICS_SERVER_PORT}
  insecureSkipTLSVerify: true
  groupPriorityMinimum: 100
  versionPriority: 100
EOF
}

metrics_api_available() {
  [ "$(kubectl_admin get apiservice v1beta1.metrics.k8s.io \
    -o jsonpath='{.status.conditions[?(@.type=="Available")].status}')" = True ]
}

wait_metrics_api() {
  wait_for metrics-server "APIService v1beta1.metrics.k8s.io Available" metrics_api_available
}

start_prometheus() {
  local dir=$CLUSTER_DIR/prometheus
  cat >"$dir/prometheus.yml" <<EOF
# Tests register scrape targets by dropping file_sd JSON files into targets/.
global: {scrape_interval: 2s, evaluation_interval: 2s}
scrape_configs:
- job_name: prometheus
  static_configs: [{targets: ['127.0.0.1:$PROMETHEUS_PORT']}]
- job_name: targets
  file_sd_configs:
  - files: ['$dir/targets/*.json', '$dir/targets/*.yaml']
    refresh_interval: 2s
EOF
  start prometheus prometheus --config.file="$dir/prometheus.yml" \
    --storage.tsdb.path="$dir/data" --storage.tsdb.retention.time=1d \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle \
    --log.level=warn
  wait_for prometheus "/-/ready" curl -sf --max-time 2 "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"
}
