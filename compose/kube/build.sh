#!/usr/bin/env bash
# Builds and caches the real Kubernetes components this project runs beside or against itself:
# kube-apiserver (the benchmark and differential peer), kube-controller-manager and kube-scheduler
# (the control plane's optional controllers) at a pinned release from the k8s.io/kubernetes module,
# kwok (simulated nodes) from sigs.k8s.io/kwok, and a current etcd 3.6 from go.etcd.io/etcd/server/v3.
#   bash compose/kube/build.sh                       # kube-apiserver and etcd (the peer)
#   bash compose/kube/build.sh controllers           # kube-controller-manager, kube-scheduler, kwok
#   bash compose/kube/build.sh e2e.test              # Kubernetes' e2e suite as a test binary (conformance/)
#   bash compose/kube/build.sh sample-apiserver      # k8s.io/sample-apiserver, the aggregation tests' extension server
#   bash compose/kube/build.sh all                   # all of them (npm test)
#   bash compose/kube/build.sh kube-scheduler etcd   # any of: kube-apiserver kube-controller-manager
#                                                    #   kube-scheduler kwok etcd e2e.test (skips what is built)
# Env: PEER_CACHE (default ~/.cache/kube-apiserver-ts/peer), KUBE_VERSION (v1.35.0), KWOK_VERSION (v0.7.0),
#      ETCD_VERSION (v3.6.x; default: the newest v3.6 the module proxy lists), PEER_NICE (10).
# Binaries: $PEER_CACHE/<kube version>/<component> (and e2e.test), $PEER_CACHE/kwok-<version>/kwok, $PEER_CACHE/etcd-<version>/etcd.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.35.0}"
PEER_CACHE="${PEER_CACHE:-$HOME/.cache/kube-apiserver-ts/peer}"
PEER_NICE="${PEER_NICE:-10}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"   # build with the installed Go, never fetch another
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

log() { printf '[kube-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Writes $PEER_CACHE/$KUBE_VERSION/src/go.mod: one Go module for every kube component (and e2e.test),
# so they share dependency versions and Go's build cache.
kube_module() {
  local dir="$PEER_CACHE/$KUBE_VERSION"
  mkdir -p "$dir/src"
  # kube's own go.mod: its require block has every dependency's version; its staging replaces
  # point at ./staging/..., which only exist in the kubernetes repo, so pin them to v0.<minor>.<patch>.
  local modjson gomod staging
  modjson="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION")"
  gomod="$(printf '%s' "$modjson" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')"
  staging="v0.${KUBE_VERSION#v1.}"
  {
    echo "module kube-apiserver-ts/peer"
    echo
    sed -n '/^go /p; /^godebug /p' "$gomod"
    echo
    # every require of kube's go.mod (so the build uses exactly kube's dependency versions)
    awk '/^require \(/{r=1; next} r && /^\)/{r=0; next} r{print "require " $1 " " $2}' "$gomod" \
      | grep -v ' v0\.0\.0$' || true
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    grep -E '^\s+k8s\.io/[^ ]+ => \./staging/' "$gomod" \
      | awk -v v="$staging" '{print "replace " $1 " => " $1 " " v}'
    # kube's other replaces (none at v1.35.0, kept in case a release adds some)
    grep -E '^\s+[^ ]+ => [^.][^ ]* v' "$gomod" | awk '{print "replace " $0}' || true
  } > "$dir/src/go.mod"
}

# -ldflags that stamp the release into component-base/version, as kube's own build does.
kube_ldflags() {
  local major minor
  major="$(echo "$KUBE_VERSION" | sed 's/^v\([0-9]*\)\..*/\1/')"
  minor="$(echo "$KUBE_VERSION" | sed 's/^v[0-9]*\.\([0-9]*\)\..*/\1/')"
  local ld="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION"
  ld="$ld -X k8s.io/component-base/version.gitMajor=$major -X k8s.io/component-base/version.gitMinor=$minor"
  ld="$ld -X k8s.io/component-base/version.gitTreeState=clean"
  ld="$ld -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
  printf '%s' "$ld"
}

build_kube() {
  local cmd="$1"
  local dir="$PEER_CACHE/$KUBE_VERSION"
  local bin="$dir/$cmd"
  if [ -x "$bin" ]; then log "$cmd $KUBE_VERSION already built: $bin"; return 0; fi
  kube_module
  log "building $cmd $KUBE_VERSION in $dir/src"
  local t0=$SECONDS
  ( cd "$dir/src" && nice -n "$PEER_NICE" go build -mod=mod -trimpath -ldflags "$(kube_ldflags)" \
      -o "$bin.tmp" "k8s.io/kubernetes/cmd/$cmd" )
  mv "$bin.tmp" "$bin"
  log "$cmd built in $((SECONDS - t0)) s: $bin"
  "$bin" --version >&2
}

# Kubernetes' end-to-end suite (the conformance specs among it) as one test binary: conformance/ runs it.
build_e2e() {
  local dir="$PEER_CACHE/$KUBE_VERSION"
  local bin="$dir/e2e.test"
  if [ -x "$bin" ]; then log "e2e.test $KUBE_VERSION already built: $bin"; return 0; fi
  kube_module
  log "building e2e.test $KUBE_VERSION in $dir/src (long: the whole e2e suite)"
  local t0=$SECONDS
  ( cd "$dir/src" && nice -n "$PEER_NICE" go test -c -mod=mod -trimpath -ldflags "$(kube_ldflags)" \
      -o "$bin.tmp" k8s.io/kubernetes/test/e2e )
  mv "$bin.tmp" "$bin"
  log "e2e.test built in $((SECONDS - t0)) s: $bin"
}

# k8s.io/sample-apiserver (the wardle.example.com Flunders) at kube's staging version: a real extension
# API server for the aggregation layer's tests, built in the kube module so it shares its build cache.
build_sample_apiserver() {
  local dir="$PEER_CACHE/$KUBE_VERSION"
  local bin="$dir/sample-apiserver"
  if [ -x "$bin" ]; then log "sample-apiserver $KUBE_VERSION already built: $bin"; return 0; fi
  kube_module
  echo "require k8s.io/sample-apiserver v0.${KUBE_VERSION#v1.}" >> "$dir/src/go.mod"
  log "building sample-apiserver v0.${KUBE_VERSION#v1.} in $dir/src"
  local t0=$SECONDS
  ( cd "$dir/src" && nice -n "$PEER_NICE" go build -mod=mod -trimpath -ldflags "$(kube_ldflags)" \
      -o "$bin.tmp" k8s.io/sample-apiserver )
  mv "$bin.tmp" "$bin"
  log "sample-apiserver built in $((SECONDS - t0)) s: $bin"
}

build_etcd() {
  local ver="${ETCD_VERSION:-}"
  if [ -z "$ver" ]; then
    ver="$(go list -m -versions go.etcd.io/etcd/server/v3 | tr ' ' '\n' | grep -E '^v3\.6\.[0-9]+$' \
      | sort -t. -k3 -n | tail -1)"
  fi
  local dir="$PEER_CACHE/etcd-$ver"
  local bin="$dir/etcd"
  if [ -x "$bin" ]; then log "etcd $ver already built: $bin"; return 0; fi
  mkdir -p "$dir/src"
  # the etcd command is the root module's main.go, which only calls etcdmain.Main
  cat > "$dir/src/go.mod" <<EOF
module kube-apiserver-ts/peer-etcd

go 1.24

require go.etcd.io/etcd/server/v3 $ver
EOF
  cat > "$dir/src/main.go" <<'EOF'
// etcd's own main: run the server package's etcdmain.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
  log "building etcd $ver in $dir/src"
  local t0=$SECONDS
  ( cd "$dir/src" && go mod tidy >&2 && nice -n "$PEER_NICE" go build -trimpath -ldflags "-s -w" -o "$bin.tmp" . )
  mv "$bin.tmp" "$bin"
  log "etcd built in $((SECONDS - t0)) s: $bin"
  "$bin" --version >&2
}

build_kwok() {
  local ver="${KWOK_VERSION:-v0.7.0}"
  local dir="$PEER_CACHE/kwok-$ver"
  local bin="$dir/kwok"
  if [ -x "$bin" ]; then log "kwok $ver already built: $bin"; return 0; fi
  mkdir -p "$dir"
  log "building kwok $ver"
  local t0=$SECONDS
  GOBIN="$dir/bin.tmp" nice -n "$PEER_NICE" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$ver"
  mv "$dir/bin.tmp/kwok" "$bin" && rmdir "$dir/bin.tmp"
  log "kwok built in $((SECONDS - t0)) s: $bin"
}

[ $# -gt 0 ] || set -- kube-apiserver etcd
for what in "$@"; do
  case "$what" in
    kube-apiserver|apiserver) build_kube kube-apiserver ;;
    kube-controller-manager|kube-scheduler) build_kube "$what" ;;
    kwok) build_kwok ;;
    etcd) build_etcd ;;
    controllers) build_kube kube-controller-manager; build_kube kube-scheduler; build_kwok ;;
    e2e.test|e2e) build_e2e ;;
    sample-apiserver) build_sample_apiserver ;;
    all) build_kube kube-apiserver; build_etcd; build_kube kube-controller-manager; build_kube kube-scheduler; build_kwok; build_e2e; build_sample_apiserver ;;
    *) echo "usage: $0 [all|controllers|kube-apiserver|kube-controller-manager|kube-scheduler|kwok|etcd|e2e.test|sample-apiserver]..." >&2; exit 2 ;;
  esac
done
