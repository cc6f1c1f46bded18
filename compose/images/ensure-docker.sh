#!/usr/bin/env bash
# A Docker engine and Compose v2 on this machine, as root: Debian's docker.io (dockerd 20.10), and
# the Compose v2 plugin unpacked from Debian trixie's docker-compose package (bookworm's is v1, which
# rejects a top-level `name:`) without touching the system's apt sources. Starts dockerd when it
# is not running and prints `started <pid>` (the caller stops it), or `running` when it was already.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
log() { echo "ensure-docker: $*" >&2; }

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get install -y -q --no-install-recommends "${need[@]}" </dev/null >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${need[@]}" </dev/null >/dev/null; }
fi

plugin_dir=/usr/local/lib/docker/cli-plugins
if ! docker compose version >/dev/null 2>&1; then
  log "unpacking Compose v2 from Debian trixie's docker-compose package"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
  echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' >"$work/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
  apt-get -q "${apt_opts[@]}" update >/dev/null
  (cd "$work" && apt-get -q "${apt_opts[@]}" download docker-compose >/dev/null)
  dpkg-deb -x "$work"/docker-compose_*.deb "$work/x"
  mkdir -p "$plugin_dir"
  install -m 0755 "$work/x/usr/libexec/docker/cli-plugins/docker-compose" "$plugin_dir/docker-compose"
  docker compose version >&2
fi

if docker info >/dev/null 2>&1; then
  echo running
  exit 0
fi
log "starting dockerd"
dockerd --pidfile /var/run/kube-apiserver-ts-dockerd.pid >/var/log/kube-apiserver-ts-dockerd.log 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    echo "started $pid"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
log "dockerd did not come up:"
tail -20 /var/log/kube-apiserver-ts-dockerd.log >&2
exit 1
