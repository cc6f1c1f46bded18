#!/usr/bin/env bash
# `npm run compose:down [-- --volumes]`: stops and removes every container and network of the compose
# control plane (the controllers profile's too). --volumes also drops the volumes: etcd's data, the
# PKI and the audit logs; the kubeconfig compose:up wrote goes with them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

volumes=()
for a in "$@"; do
  case "$a" in
    --volumes|-v) volumes=(--volumes) ;;
    *) echo "usage: npm run compose:down [-- --volumes]" >&2; exit 2 ;;
  esac
done

docker compose -f "$root/compose/docker-compose.yml" --profile controllers down --remove-orphans --timeout 5 "${volumes[@]}"
if [ ${#volumes[@]} -gt 0 ]; then rm -f "${KTS_KUBECONFIG:-$root/compose/.cluster/kubeconfig}"; fi
