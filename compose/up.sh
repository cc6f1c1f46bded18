#!/usr/bin/env bash
# `npm run compose:up [-- --controllers]`: the compose control plane in one command. Checks Docker and
# Compose v2 (starting dockerd when none runs), builds the images (the local base images first when no
# registry answers: KTS_IMAGES=local|upstream decides instead), brings everything up with
# `docker compose up --wait`, and copies the admin kubeconfig the pki service made (kubernetes-admin,
# system:masters, the cluster CA, https://127.0.0.1:${KTS_PORT:-6443}) to compose/.cluster/kubeconfig
# (KTS_KUBECONFIG elsewhere). COMPOSE_PROJECT_NAME, KTS_PORT and KTS_SANS pass through to compose.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "compose:up: $*" >&2; }

controllers=false
for a in "$@"; do
  case "$a" in
    --controllers) controllers=true ;;   # the controllers profile: kube-controller-manager, kube-scheduler, kwok
    *) echo "usage: npm run compose:up [-- --controllers]" >&2; exit 2 ;;
  esac
done

bash "$root/compose/images/ensure-docker.sh" >/dev/null

# Docker Hub's API answers 401 to anyone who reaches it; anything else (no route, no DNS, a timeout) is no registry.
registry_answers() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 https://registry-1.docker.io/v2/ 2>/dev/null)" = 401 ]
}
images=${KTS_IMAGES:-}
if [ -z "$images" ]; then
  if registry_answers; then images=upstream; else images=local; fi
fi

args=(-f "$root/compose/docker-compose.yml")
if [ "$images" = local ]; then
  log "no image registry: local base images (compose/images/build-local-bases.sh)"
  if [ "$controllers" = true ]; then bash "$root/compose/images/build-local-bases.sh" --controllers >&2
  else bash "$root/compose/images/build-local-bases.sh" >&2; fi
  args+=(--env-file "$root/compose/images/local.env")
fi
[ "$controllers" = true ] && args+=(--profile controllers)

docker compose "${args[@]}" up --build --detach --wait --wait-timeout "${KTS_WAIT_TIMEOUT:-300}"

out=${KTS_KUBECONFIG:-$root/compose/.cluster/kubeconfig}
mkdir -p "$(dirname "$out")"
pki=$(docker compose "${args[@]}" ps --all --quiet pki)
docker cp "$pki:/etc/kubernetes/kubeconfig" "$out.tmp"
chmod 600 "$out.tmp"
mv "$out.tmp" "$out"
log "ready; kubectl --kubeconfig $out get namespaces"
