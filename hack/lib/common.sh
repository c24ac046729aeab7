# Shared helpers for hack/ scripts. Source it; do not execute.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../versions.sh
source "$ROOT/hack/versions.sh"

# Built tools live outside the repository, one folder per component version,
# so a fresh clone on a machine that already built them reuses them.
CACHE_ROOT=${RIGHTSIZER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rightsizer}

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m!!\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mxx\033[0m %s\n' "$*" >&2; exit 1; }

# Directory holding the binaries of one tool group at its pinned version.
tool_bin_dir() {
  case "$1" in
    kubernetes) echo "$CACHE_ROOT/kubernetes-$KUBERNETES_VERSION/bin" ;;
    etcd) echo "$CACHE_ROOT/etcd-$ETCD_VERSION/bin" ;;
    kwok) echo "$CACHE_ROOT/kwok-$KWOK_VERSION/bin" ;;
    metrics-server) echo "$CACHE_ROOT/metrics-server-$METRICS_SERVER_VERSION/bin" ;;
    *) die "unknown tool group $1" ;;
  esac
}

# PATH with every tool group's binaries first.
tools_path() {
  local p="" g
  for g in kubernetes etcd kwok metrics-server; do p="$p$(tool_bin_dir "$g"):"; done
  echo "${p}${PATH}"
}
