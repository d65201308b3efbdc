#!/usr/bin/env bash
# Build the sim cluster's binaries from the Go module proxy into a cache outside the repo.
#
# Why a build and not a download: the project's machines and CI reach only package registries
# (PyPI, the Go module proxy, Debian), so kube-apiserver & co. must be compiled from Go modules.
# Idempotent: every binary is skipped when it already exists and reports the pinned version,
# so a warm run takes about a second.
#
# Env: K8S_TUTOR_CACHE (default ~/.cache/k8s-tutor), K8S_VERSION, ETCD_VERSION, KWOK_VERSION.
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-v1.36.1}
ETCD_VERSION=${ETCD_VERSION:-v3.6.10}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}
CACHE=${K8S_TUTOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-tutor}
BIN="$CACHE/bin"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf '[sim-build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

build_kubernetes() {
  local out="$BIN/k8s-$K8S_VERSION" minor staging work kmod gd commit date ldf m
  if [ -x "$out/kubectl" ] && "$out/kube-apiserver" --version 2>/dev/null | grep -qx "Kubernetes $K8S_VERSION"; then
    log "kubernetes $K8S_VERSION already built in $out"; return 0
  fi
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  staging="v0.${K8S_VERSION#v1.}"
  work="$CACHE/src/k8sbin-$K8S_VERSION"
  rm -rf "$work"; mkdir -p "$work" "$out"; cd "$work"
  printf 'module k8stutor.local/k8sbin\n\ngo 1.26.0\n' > go.mod
  log "reading k8s.io/kubernetes@$K8S_VERSION go.mod from the module proxy"
  kmod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
  # k8s.io/kubernetes replaces each staging module with ./staging/src/...; a consumer must pin the published v0.x.y instead.
  for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$kmod"); do
    go mod edit -replace="$m=$m@$staging"
  done
  gd=$(sed -n 's/^godebug \(.*\)$/\1/p' "$kmod" | head -1)
  if [ -n "$gd" ]; then go mod edit -godebug="$gd"; fi
  log "resolving dependencies (go get)"
  go get "k8s.io/kubernetes@$K8S_VERSION"
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" "k8s.io/kubernetes/cmd/kube-controller-manager@$K8S_VERSION" \
    "k8s.io/kubernetes/cmd/kube-scheduler@$K8S_VERSION" "k8s.io/kubernetes/cmd/kubectl@$K8S_VERSION"
  commit=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | python3 -c 'import json,sys; print((json.load(sys.stdin).get("Origin") or {}).get("Hash","unknown"))')
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  ldf="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldf+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ldf+=" -X $p.gitCommit=$commit -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  log "compiling kube-apiserver, kube-controller-manager, kube-scheduler, kubectl"
  go build -p 2 -trimpath -ldflags "$ldf" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
  "$out/kube-apiserver" --version
}

build_etcd() {
  local out="$BIN/etcd-$ETCD_VERSION" work
  if [ -x "$out/etcd" ] && "$out/etcd" --version 2>/dev/null | grep -q "etcd Version: ${ETCD_VERSION#v}"; then
    log "etcd $ETCD_VERSION already built"; return 0
  fi
  work="$CACHE/src/etcdbin-$ETCD_VERSION"
  rm -rf "$work"; mkdir -p "$work" "$out"; cd "$work"
  # etcd gets its own wrapper module so minimum version selection cannot move k8s's etcd client libraries.
  printf 'module k8stutor.local/etcdbin\n\ngo 1.26.0\n' > go.mod
  go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  log "compiling etcd"
  go build -trimpath -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION" -o "$out/etcd" go.etcd.io/etcd/server/v3
  "$out/etcd" --version
}

build_kwok() {
  local out="$BIN/kwok-$KWOK_VERSION"
  if [ -x "$out/kwok" ] && [ -x "$out/kwokctl" ]; then log "kwok $KWOK_VERSION already built"; return 0; fi
  mkdir -p "$out"
  log "compiling kwok and kwokctl"
  GOBIN="$out" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION"
  # kwok >= 0.8 has no built-in stages; keep the module's stage manifests next to the binary.
  go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" >/dev/null
  rm -rf "$out/stage"
  cp -r "$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage" "$out/stage"
  chmod -R u+w "$out/stage"
}

mkdir -p "$BIN"
start=$(date +%s)
what=${1:-all}
case "$what" in
  all) build_etcd; build_kwok; build_kubernetes ;;
  kubernetes) build_kubernetes ;;
  etcd) build_etcd ;;
  kwok) build_kwok ;;
  *) echo "usage: $0 [all|kubernetes|etcd|kwok]" >&2; exit 2 ;;
esac
log "done in $(( $(date +%s) - start ))s; binaries under $BIN"
