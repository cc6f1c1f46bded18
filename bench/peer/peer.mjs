// Starts and stops the peer: the real kube-apiserver (built by bench/peer/build.sh) on its own
// etcd, data directory and free ports, serving TLS with a self-signed certificate, an admin bearer
// token in group system:masters, RBAC, and the service-account key flags kube requires.
//   node bench/peer/peer.mjs start [--dir D]   # detached; prints the state (url, token, pids) as JSON
//   node bench/peer/peer.mjs stop [--dir D]    # SIGTERM both (SIGKILL after 10 s), removes D
// Env: PEER_CACHE (as build.sh), KUBE_VERSION (v1.35.0), PEER_KUBE_APISERVER, PEER_ETCD (binaries).
// Default state directory: $PEER_CACHE/run. Library use: startPeer() from the recorder.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawRequest } from '../../test/differential/http.mjs';

export const KUBE_VERSION = process.env.KUBE_VERSION ?? 'v1.35.0';
export const PEER_CACHE = process.env.PEER_CACHE ?? path.join(os.homedir(), '.cache/kube-apiserver-ts/peer');
const TOKEN = 'differential-admin-token';

export function kubeApiserverPath() {
  return process.env.PEER_KUBE_APISERVER ?? path.join(PEER_CACHE, KUBE_VERSION, 'kube-apiserver');
}

/** The newest etcd build.sh made, else the system's (Debian 3.4): `etcd`. */
export function etcdPath() {
  if (process.env.PEER_ETCD) return process.env.PEER_ETCD;
  const built = existsSync(PEER_CACHE) ? readdirSync(PEER_CACHE).filter((d) => d.startsWith('etcd-v') && existsSync(path.join(PEER_CACHE, d, 'etcd'))).sort() : [];
  return built.length ? path.join(PEER_CACHE, built[built.length - 1], 'etcd') : 'etcd';
}

export function peerBinaries() {
  const apiserver = kubeApiserverPath();
  if (!existsSync(apiserver)) throw new Error(`no kube-apiserver at ${apiserver}: run bash bench/peer/build.sh`);
  return { apiserver, etcd: etcdPath() };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(check, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      if (e.fatal) throw e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopPid(pid) {
  if (!pid || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

function pki(dir) {
  const ssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'serving.key', '-out', 'serving.crt', '-days', '30',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  ssl('genrsa', '-out', 'sa.key', '2048');
  ssl('rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
  writeFileSync(path.join(dir, 'tokens.csv'), `${TOKEN},admin,admin-uid,"system:masters"\n`);
}

/**
 * Starts etcd and kube-apiserver in dir (a fresh temp dir by default). detached: the processes
 * outlive this one (the CLI); otherwise they are children that stop() ends.
 */
export async function startPeer({ dir, detached = false } = {}) {
  const { apiserver, etcd } = peerBinaries();
  dir ??= mkdtempSync(path.join(os.tmpdir(), 'kats-peer-'));
  mkdirSync(dir, { recursive: true });
  pki(dir);
  const [etcdPort, etcdPeerPort, port] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const log = (name) => openSync(path.join(dir, `${name}.log`), 'a');
  const opts = (name) => ({ cwd: dir, detached, stdio: ['ignore', log(name), log(name)] });
  const etcdProc = spawn(etcd, [
    '--name', 'peer', '--data-dir', path.join(dir, 'etcd'),
    '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
    '--listen-peer-urls', `http://127.0.0.1:${etcdPeerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeerPort}`,
    '--initial-cluster', `peer=http://127.0.0.1:${etcdPeerPort}`, '--log-level', 'warn',
  ], opts('etcd'));
  const state = { dir, url: `https://127.0.0.1:${port}`, host: '127.0.0.1', port, tls: true, token: TOKEN, etcd: etcdUrl, etcdBinary: etcd, apiserverBinary: apiserver, pids: { etcd: etcdProc.pid } };
  const stop = async () => {
    await stopPid(state.pids.apiserver);
    await stopPid(state.pids.etcd);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (etcdProc.exitCode !== null) throw Object.assign(new Error(`etcd exited: ${readFileSync(path.join(dir, 'etcd.log'), 'utf8')}`), { fatal: true });
      return (await fetch(`${etcdUrl}/health`)).ok;
    }, 'etcd', 30000);
    const api = spawn(apiserver, [
      `--etcd-servers=${etcdUrl}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
      `--cert-dir=${dir}`, `--tls-cert-file=${dir}/serving.crt`, `--tls-private-key-file=${dir}/serving.key`,
      `--token-auth-file=${dir}/tokens.csv`, '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${dir}/sa.pub`, `--service-account-signing-key-file=${dir}/sa.key`,
      '--service-cluster-ip-range=10.96.0.0/12', '--profiling=false', '--v=0',
      // kubeadm's setting, and ours: privileged containers are PodSecurity's to refuse, not validation's.
      '--allow-privileged=true',
    ], opts('kube-apiserver'));
    state.pids.apiserver = api.pid;
    const target = { host: state.host, port, tls: true };
    await waitFor(async () => {
      if (api.exitCode !== null) throw Object.assign(new Error(`kube-apiserver exited: ${readFileSync(path.join(dir, 'kube-apiserver.log'), 'utf8').slice(-3000)}`), { fatal: true });
      const r = await rawRequest(target, { method: 'GET', path: '/readyz', headers: { Authorization: `Bearer ${TOKEN}` }, timeoutMs: 2000 });
      return r.status === 200;
    }, 'kube-apiserver /readyz', 120000);
    const version = await rawRequest(target, { method: 'GET', path: '/version', headers: { Authorization: `Bearer ${TOKEN}` } });
    state.version = JSON.parse(version.body).gitVersion;
    const etcdVersion = await (await fetch(`${etcdUrl}/version`)).json();
    state.etcdVersion = etcdVersion.etcdserver;
    if (detached) {
      etcdProc.unref();
      api.unref();
    }
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state, null, 2));
    return { ...state, stop };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

export async function stopPeer(dir) {
  const file = path.join(dir, 'state.json');
  if (!existsSync(file)) throw new Error(`no peer state in ${dir}`);
  const state = JSON.parse(readFileSync(file, 'utf8'));
  await stopPid(state.pids.apiserver);
  await stopPid(state.pids.etcd);
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, ...rest] = process.argv.slice(2);
  const i = rest.indexOf('--dir');
  const dir = i >= 0 ? rest[i + 1] : path.join(PEER_CACHE, 'run');
  if (cmd === 'start') {
    if (existsSync(path.join(dir, 'state.json'))) {
      console.error(`a peer may still run from ${dir}: node bench/peer/peer.mjs stop --dir ${dir}`);
      process.exit(1);
    }
    const state = await startPeer({ dir, detached: true });
    delete state.stop;
    console.log(JSON.stringify(state, null, 2));
    process.exit(0);
  } else if (cmd === 'stop') {
    await stopPeer(dir);
    console.error(`stopped the peer in ${dir}`);
  } else {
    console.error('usage: node bench/peer/peer.mjs start|stop [--dir D]');
    process.exit(2);
  }
}
