#!/usr/bin/env bash
# Regenerates go.mod/go.sum for the Kubernetes control-plane binaries at the
# version given (default: the one pinned in hack/versions.sh).
# k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them
# with local paths; a consumer must replace each with the matching v0.X.Y
# release. The list is taken from the upstream go.mod, not written by hand.
set -euo pipefail
cd "$(dirname "$0")"
source ../../versions.sh
ver=${1:-$KUBERNETES_VERSION}
staging_ver="v0.${ver#v1.}"
modfile=$(go mod download -json "k8s.io/kubernetes@${ver}" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
{
  echo "module rightsizer.io/hack/tools/kubernetes"
  echo
  echo "go $(sed -n 's/^go //p' "$modfile")"
  echo
  echo "require k8s.io/kubernetes ${ver}"
  echo
  echo "replace ("
  sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$staging_ver"'#p' "$modfile"
  echo ")"
} > go.mod
for t in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  go get -tool "k8s.io/kubernetes/cmd/$t@${ver}"
done
go mod tidy
