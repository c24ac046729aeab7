# Pinned versions of everything the local cluster runs. One place to change.
# shellcheck shell=bash
KUBERNETES_VERSION=v1.36.3
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
METRICS_SERVER_VERSION=v0.8.0
