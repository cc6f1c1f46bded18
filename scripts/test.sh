#!/usr/bin/env bash
# `npm test`: install what is missing, build, then run unit, integration (real etcd) and e2e
# (real kubectl) tests. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install --no-audit --no-fund
npm run build --silent
exec npx vitest run "$@"
