#!/usr/bin/env bash
# Builds and caches the peer: kube-apiserver at a pinned release from the k8s.io/kubernetes module,
# and a current etcd 3.6 from go.etcd.io/etcd/server/v3 (its etcdmain package).
#   bash bench/peer/build.sh            # both (skips what is already built)
#   bash bench/peer/build.sh apiserver  # or: etcd
# Env: PEER_CACHE (default ~/.cache/kube-apiserver-ts/peer), KUBE_VERSION (v1.35.0),
#      ETCD_VERSION (v3.6.x; default: the newest v3.6 the module proxy lists), PEER_NICE (10).
# Binaries: $PEER_CACHE/<kube version>/kube-apiserver, $PEER_CACHE/etcd-<version>/etcd.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.35.0}"
PEER_CACHE="${PEER_CACHE:-$HOME/.cache/kube-apiserver-ts/peer}"
PEER_NICE="${PEER_NICE:-10}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"   # build with the installed Go, never fetch another
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
what="${1:-all}"

log() { printf '[peer-build %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

build_apiserver() {
  local dir="$PEER_CACHE/$KUBE_VERSION"
  local bin="$dir/kube-apiserver"
  if [ -x "$bin" ]; then log "kube-apiserver $KUBE_VERSION already built: $bin"; return 0; fi
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
  local major minor
  major="$(echo "$KUBE_VERSION" | sed 's/^v\([0-9]*\)\..*/\1/')"
  minor="$(echo "$KUBE_VERSION" | sed 's/^v[0-9]*\.\([0-9]*\)\..*/\1/')"
  local ld="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION"
  ld="$ld -X k8s.io/component-base/version.gitMajor=$major -X k8s.io/component-base/version.gitMinor=$minor"
  ld="$ld -X k8s.io/component-base/version.gitTreeState=clean"
  ld="$ld -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
  log "building kube-apiserver $KUBE_VERSION in $dir/src (staging modules at $staging)"
  local t0=$SECONDS
  ( cd "$dir/src" && nice -n "$PEER_NICE" go build -mod=mod -trimpath -ldflags "$ld" \
      -o "$bin.tmp" k8s.io/kubernetes/cmd/kube-apiserver )
  mv "$bin.tmp" "$bin"
  log "kube-apiserver built in $((SECONDS - t0)) s: $bin"
  "$bin" --version >&2
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

case "$what" in
  apiserver) build_apiserver ;;
  etcd) build_etcd ;;
  all) build_apiserver; build_etcd ;;
  *) echo "usage: $0 [all|apiserver|etcd]" >&2; exit 2 ;;
esac
