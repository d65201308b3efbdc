#!/usr/bin/env bash
# Build the sim cluster's binaries from the Go module proxy into a cache outside the repo.
#
# Why a build and not a download: the project's machines and CI reach only package registries
# (PyPI, the Go module proxy, Debian), so kube-apiserver & co. must be compiled from Go modules.
# What gets built is pinned by the small wrapper modules committed next to this script:
#   kind/sim/k8s/   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (k8s.io/kubernetes v1.36.1
#                   plus a replace for each staging module, which `go install pkg@version` cannot do)
#   kind/sim/etcd/  etcd server (its own module, so minimum version selection cannot move k8s's etcd client)
#   kind/sim/kwok/  kwok (simulates kubelets and the pod lifecycle)
#   kind/sim/metrics-server/  metrics-server (scrapes kwok's simulated kubelet metrics: kubectl top, HPAs)
# Each go.sum pins every dependency; the build runs with -mod=readonly, so it is reproducible.
#
# Idempotent: a component is skipped when its binaries exist and report the pinned version,
# so a warm run takes about a second.
#
# Usage: build.sh [all|kubernetes|etcd|kwok|metrics-server]  build (default: all)
#        build.sh pin [kubernetes|etcd|kwok|all]  regenerate the committed go.mod/go.sum for the versions
#                                                 below (after bumping one), then build
# Env: K8S_TUTOR_CACHE (default ~/.cache/k8s-tutor).
set -euo pipefail

K8S_VERSION=v1.36.1
ETCD_VERSION=v3.6.10
KWOK_VERSION=v0.8.0
METRICS_SERVER_VERSION=v0.8.0
CACHE=${K8S_TUTOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-tutor}
BIN="$CACHE/bin"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf '[sim-build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# prepare_module <dir under kind/sim> <version> <pin?> <generator function> <module> <what to pin>
# Copies the committed wrapper module into a scratch dir in the cache (the source tree may be read-only)
# and cds there; with pin=1 it regenerates the module there first and copies the result back into the repo.
# Stops (exit 2) when the module does not require <module> at <version>, the version this script builds.
prepare_module() {
  local name=$1 version=$2 pin=$3 gen=$4 module=$5 what=$6 work
  work="$CACHE/src/${name}bin-$version"
  rm -rf "$work"; mkdir -p "$work"
  if [ "$pin" = 1 ] || [ ! -f "$HERE/$name/go.sum" ]; then
    log "generating the $name wrapper module"
    (cd "$work" && "$gen")
    cp "$work/go.mod" "$work/go.sum" "$HERE/$name/"
    log "pinned: $HERE/$name/go.mod and go.sum (commit them)"
  else
    cp "$HERE/$name/go.mod" "$HERE/$name/go.sum" "$work/"
  fi
  cd "$work"
  grep -q "$module $version" go.mod || { log "kind/sim/$name/go.mod does not pin $version: run '$0 pin $what'"; exit 2; }
}

gen_kubernetes() {
  local staging kmod gd m
  staging="v0.${K8S_VERSION#v1.}"
  printf 'module k8stutor.local/k8sbin\n\ngo 1.26.0\n' > go.mod
  kmod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
  # k8s.io/kubernetes replaces each staging module with ./staging/src/...; a consumer must pin the published v0.x.y instead.
  for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$kmod"); do
    go mod edit -replace="$m=$m@$staging"
  done
  gd=$(sed -n 's/^godebug \(.*\)$/\1/p' "$kmod" | head -1)
  if [ -n "$gd" ]; then go mod edit -godebug="$gd"; fi
  go get "k8s.io/kubernetes@$K8S_VERSION"
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" "k8s.io/kubernetes/cmd/kube-controller-manager@$K8S_VERSION" \
    "k8s.io/kubernetes/cmd/kube-scheduler@$K8S_VERSION" "k8s.io/kubernetes/cmd/kubectl@$K8S_VERSION"
}

gen_etcd() {
  printf 'module k8stutor.local/etcdbin\n\ngo 1.26.0\n' > go.mod
  go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
}

gen_metrics_server() {
  printf 'module k8stutor.local/metricsserverbin\n\ngo 1.26.0\n' > go.mod
  go get -tool "sigs.k8s.io/metrics-server/cmd/metrics-server@$METRICS_SERVER_VERSION"
}

gen_kwok() {
  printf 'module k8stutor.local/kwokbin\n\ngo 1.26.0\n' > go.mod
  go get -tool "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
}

build_kubernetes() {
  local pin=${1:-0} out="$BIN/k8s-$K8S_VERSION" minor commit date ldf p
  if [ "$pin" = 0 ] && [ -x "$out/kubectl" ] && [ -x "$out/kube-scheduler" ] && [ -x "$out/kube-controller-manager" ] \
     && "$out/kube-apiserver" --version 2>/dev/null | grep -qx "Kubernetes $K8S_VERSION"; then
    log "kubernetes $K8S_VERSION already built in $out"; return 0
  fi
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  prepare_module k8s "$K8S_VERSION" "$pin" gen_kubernetes k8s.io/kubernetes kubernetes
  log "downloading modules (Go module proxy)"
  go mod download
  # Stamp the version the way kubernetes' hack/lib/version.sh does, so /version and kubectl report v1.36.1.
  commit=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | python3 -c 'import json,sys; print((json.load(sys.stdin).get("Origin") or {}).get("Hash","unknown"))' || echo unknown)
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  ldf="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldf+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ldf+=" -X $p.gitCommit=$commit -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  mkdir -p "$out"
  log "compiling kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (several minutes on a cold cache)"
  go build -mod=readonly -p 2 -trimpath -ldflags "$ldf" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
  "$out/kube-apiserver" --version
}

build_etcd() {
  local pin=${1:-0} out="$BIN/etcd-$ETCD_VERSION"
  if [ "$pin" = 0 ] && [ -x "$out/etcd" ] && "$out/etcd" --version 2>/dev/null | grep -q "etcd Version: ${ETCD_VERSION#v}"; then
    log "etcd $ETCD_VERSION already built"; return 0
  fi
  prepare_module etcd "$ETCD_VERSION" "$pin" gen_etcd go.etcd.io/etcd/server/v3 etcd
  mkdir -p "$out"
  log "compiling etcd"
  go build -mod=readonly -trimpath -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION" \
    -o "$out/etcd" go.etcd.io/etcd/server/v3
  "$out/etcd" --version
}

build_kwok() {
  local pin=${1:-0} out="$BIN/kwok-$KWOK_VERSION"
  if [ "$pin" = 0 ] && [ -x "$out/kwok" ] && [ -f "$out/stage/pod/fast/pod-ready.yaml" ] \
     && "$out/kwok" --version 2>/dev/null | grep -q "kwok version $KWOK_VERSION"; then
    log "kwok $KWOK_VERSION already built"; return 0
  fi
  prepare_module kwok "$KWOK_VERSION" "$pin" gen_kwok sigs.k8s.io/kwok kwok
  mkdir -p "$out"
  log "compiling kwok"
  go build -mod=readonly -trimpath -ldflags "-s -w" -o "$out/kwok" sigs.k8s.io/kwok/cmd/kwok
  # kwok >= 0.8 has no built-in stages; keep the module's stage manifests next to the binary.
  rm -rf "$out/stage"
  cp -r "$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage" "$out/stage"
  chmod -R u+w "$out/stage"
  "$out/kwok" --version
}

build_metrics_server() {
  local pin=${1:-0} out="$BIN/metrics-server-$METRICS_SERVER_VERSION" mod
  if [ "$pin" = 0 ] && [ -x "$out/metrics-server" ] \
     && "$out/metrics-server" --version 2>/dev/null | grep -q "$METRICS_SERVER_VERSION"; then
    log "metrics-server $METRICS_SERVER_VERSION already built"; return 0
  fi
  prepare_module metrics-server "$METRICS_SERVER_VERSION" "$pin" gen_metrics_server sigs.k8s.io/metrics-server metrics-server
  mkdir -p "$out"
  log "compiling metrics-server (upstream publishes no binary, only an image)"
  mod=k8s.io/client-go/pkg/version
  go build -mod=readonly -trimpath -o "$out/metrics-server" \
    -ldflags "-s -w -X $mod.gitVersion=$METRICS_SERVER_VERSION -X $mod.gitTreeState=clean" \
    sigs.k8s.io/metrics-server/cmd/metrics-server
  "$out/metrics-server" --version
}

command -v go >/dev/null || { log "Go >= 1.26 is needed to build the sim binaries (https://go.dev/dl/); not found on PATH"; exit 2; }
mkdir -p "$BIN"
start=$(date +%s)
pin=0
what=${1:-all}
if [ "$what" = pin ]; then pin=1; what=${2:-all}; fi
case "$what" in
  all) build_etcd "$pin"; build_kwok "$pin"; build_kubernetes "$pin"; build_metrics_server "$pin" ;;
  kubernetes) build_kubernetes "$pin" ;;
  etcd) build_etcd "$pin" ;;
  kwok) build_kwok "$pin" ;;
  metrics-server) build_metrics_server "$pin" ;;
  *) echo "usage: $0 [pin] [all|kubernetes|etcd|kwok|metrics-server]" >&2; exit 2 ;;
esac
log "done in $(( $(date +%s) - start ))s; binaries under $BIN"
