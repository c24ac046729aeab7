# Certificates and kubeconfigs for hack/cluster, all made with openssl.
# shellcheck shell=bash

# new_cert DIR NAME CA SUBJECT [SAN]: a key and a certificate signed by CA.
new_cert() {
  local dir=$1 name=$2 ca=$3 subj=$4 san=${5:-} ext
  ext=$(mktemp)
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$san" ]; then
      echo "extendedKeyUsage=serverAuth,clientAuth"
      echo "subjectAltName=$san"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } >"$ext"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -subj "$subj" \
    -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" \
    -CAcreateserial -days 365 -sha256 -extfile "$ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$ext" "$dir/$name.csr"
}

new_ca() {
  local dir=$1 name=$2 cn=$3
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -days 365 \
    -subj "/CN=$cn" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$dir/$name.crt" 2>/dev/null
}

generate_certs() {
  local d=$1
  log "generating certificates in $d"
  new_ca "$d" ca rightsizer-local-ca
  new_ca "$d" front-proxy-ca rightsizer-local-front-proxy-ca
  local san="DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
  san+=",DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.0.0.1"
  new_cert "$d" apiserver ca "/CN=kube-apiserver" "$san"
  new_cert "$d" admin ca "/O=system:masters/CN=admin"
  new_cert "$d" controller-manager ca "/CN=system:kube-controller-manager"
  new_cert "$d" scheduler ca "/CN=system:kube-scheduler"
  # kwok and metrics-server are test infrastructure, not the product: they
  # get cluster-admin rather than hand-made roles.
  new_cert "$d" kwok ca "/O=system:masters/CN=kwok"
  new_cert "$d" metrics-server ca "/O=system:masters/CN=metrics-server"
  new_cert "$d" kwok-serving ca "/CN=kwok" "DNS:localhost,IP:127.0.0.1"
  new_cert "$d" front-proxy-client front-proxy-ca "/CN=front-proxy-client"
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
  chmod 600 "$d"/*.key
}

# kubeconfig NAME USER: a kubeconfig authenticating with certs/USER.{crt,key}.
kubeconfig() {
  local name=$1 user=$2 c=$CLUSTER_DIR/certs
  cat >"$CLUSTER_DIR/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority: $c/ca.crt
users:
- name: $user
  user:
    client-certificate: $c/$user.crt
    client-key: $c/$user.key
contexts:
- name: local
  context: {cluster: local, user: $user}
current-context: local
EOF
  chmod 600 "$CLUSTER_DIR/$name.kubeconfig"
}

write_kubeconfigs() {
  kubeconfig admin admin
  kubeconfig controller-manager controller-manager
  kubeconfig scheduler scheduler
  kubeconfig kwok kwok
  kubeconfig metrics-server metrics-server
}
