#!/usr/bin/env bash
# `npm test`: install what is missing, build, type-check the tests, then run unit, integration (real etcd) and e2e
# (real kubectl) tests with vitest. Exits non-zero on any failure; vitest's summary closes the output.
#   npm test                         # everything
#   npm test -- test/unit            # a folder or file (anything vitest run accepts)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install --no-audit --no-fund
node scripts/ensure-deps.mjs
# The real Kubernetes components, built once with Go and cached (~/.cache/kube-apiserver-ts): kube-controller-manager,
# kube-scheduler and kwok for test/controllers; e2e.test (kube's e2e suite) for test/conformance; kube-apiserver and
# etcd 3.6 (the peer) and vegeta for test/bench.
bash compose/kube/build.sh all
npm run build --silent
node --input-type=module -e "import('./dist/bench/runner/vegeta.js').then((m) => m.ensureVegeta())" </dev/null
# The tests are outside the build's tsconfig: type-check them (and what they import) on their own.
npx tsc -p tsconfig.test.json
if [ $# -eq 0 ]; then
  # compose/ for real first and on its own (it builds images, which would starve the other tests of
  # the CPU); chaos on its own too (~1 min, 9 processes of its own: kill -9 under load, with bounds on
  # failed requests); the controllers too; then everything else; then the benchmark's smoke run. Any failing fails the run.
  compose=0
  npx vitest run --reporter=default test/compose || compose=$?
  chaos=0
  npx vitest run --reporter=default test/chaos || chaos=$?
  # the real controller manager, scheduler and kwok against an HA control plane (~2 min, 10 processes): on its own
  controllers=0
  npx vitest run --reporter=default test/controllers || controllers=$?
  # Kubernetes' own conformance specs CI holds us to (conformance/expected-passing.txt in the watch, CRD, namespace,
  # garbage collector, quota, discovery and field validation areas: 41 specs, ~4 min, the default topology plus e2e.test): on its own
  conformance=0
  npx vitest run --reporter=default test/conformance || conformance=$?
  main=0
  npx vitest run --reporter=default test/unit test/integration test/e2e test/differential || main=$?
  # The benchmark's smoke run on its own, last (~2 min: three targets, the peer among them, at full load;
  # the suite right after it saw start-ups slowed past their 30 s bound).
  bench=0
  npx vitest run --reporter=default test/bench || bench=$?
  if [ "$compose" -ne 0 ]; then echo "test/compose failed (exit $compose); see above" >&2; fi
  if [ "$chaos" -ne 0 ]; then echo "test/chaos failed (exit $chaos); see above" >&2; fi
  if [ "$controllers" -ne 0 ]; then echo "test/controllers failed (exit $controllers); see above" >&2; fi
  if [ "$conformance" -ne 0 ]; then echo "test/conformance failed (exit $conformance); see above" >&2; fi
  if [ "$bench" -ne 0 ]; then echo "test/bench failed (exit $bench); see above" >&2; fi
  for code in "$main" "$compose" "$chaos" "$controllers" "$conformance" "$bench"; do [ "$code" -eq 0 ] || exit "$code"; done
  exit 0
fi
exec npx vitest run --reporter=default "$@"
