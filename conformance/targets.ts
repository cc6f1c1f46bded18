// What the conformance specs run against, each with the real kube-controller-manager, kube-scheduler and
// kwok nodes beside it: this project's default topology started by the launcher (`--controllers`), the
// kube-apiserver v1.35.0 peer (bench/peer/peer.mjs) with the same three started here, or any server a
// kubeconfig names (already running, with whatever controllers it has).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { controllerSpecs, registerKwokNodes } from '../compose/local/controllers.js';
import { portFree, readyCheck, type Running, startProcess, stopProcess, waitReady } from '../compose/local/processes.js';
import type { ComponentSpec } from '../compose/local/topology.js';

export interface Target {
  /** The column in summary.md: kube-apiserver-ts, kube-apiserver or external. */
  name: string;
  kubeconfig: string;
  stop(): Promise<void>;
}

export interface TargetOptions {
  repoRoot: string;
  kwokNodes: number;
  /** Keep the cluster's directory (its logs) after the run; printed at the end. */
  keep: boolean;
}

/** A server that is already running. */
export function externalTarget(kubeconfig: string): Target {
  return { name: 'external', kubeconfig: path.resolve(kubeconfig), stop: async () => {} };
}

/** `count` consecutive free ports from a random start in 40000-49999 (the range this machine's runs share). */
async function freeRange(count: number, taken: number[] = []): Promise<number> {
  for (;;) {
    const first = 40000 + Math.floor(Math.random() * (10000 - count));
    let free = true;
    for (let p = first; p < first + count && free; p++) free = !taken.includes(p) && await portFree(p, '127.0.0.1');
    if (free) return first;
  }
}

/**
 * The default topology (3 etcd members, Redis, 3 API servers, the LB) with --controllers, detached, in a
 * cluster directory of its own; stopped with the launcher's stop.
 */
export async function oursTarget(opts: TargetOptions): Promise<Target> {
  const launcher = path.join(opts.repoRoot, 'dist/compose/launcher.js');
  const run = (args: string[]) => new Promise<{ code: number; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conformance-ours-'));
    // LB, 3 API servers, the 3 controllers, 3 front-proxy listeners; 3 etcd members' client and peer ports; Redis.
    const port = await freeRange(10);
    const etcdPort = await freeRange(6, range(port, 10));
    const redisPort = await freeRange(1, [...range(port, 10), ...range(etcdPort, 6)]);
    console.log(`starting kube-apiserver-ts with --controllers on port ${port} (cluster dir ${dir})`);
    const started = await run(['start', '--detach', '--controllers', `--kwok-nodes=${opts.kwokNodes}`, `--port=${port}`,
      `--etcd-port=${etcdPort}`, `--redis-port=${redisPort}`, `--cluster-dir=${dir}`]);
    const stop = async () => {
      if (existsSync(path.join(dir, 'state.json'))) await run(['stop', `--cluster-dir=${dir}`]);
      if (opts.keep) console.log(`kept the cluster's directory (logs/): ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    };
    if (started.code === 0) return { name: 'kube-apiserver-ts', kubeconfig: path.join(dir, 'kubeconfig'), stop };
    await stop();
    // A port taken between our check and the launcher's bind: pick others.
    if (attempt < 3 && /already in use/.test(started.output)) continue;
    throw new Error(`the launcher failed to start (exit ${started.code}):\n${started.output}`);
  }
}

const range = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i);

interface Peer { dir: string; url: string; token: string; version: string; stop(): Promise<void> }
interface PeerModule { startPeer(o: { detached: boolean }): Promise<Peer> }

/**
 * kube-apiserver v1.35.0 (bench/peer/peer.mjs: its own etcd, TLS with a self-signed certificate, an admin
 * token) with the same kube-controller-manager, kube-scheduler and kwok the launcher runs beside ours.
 */
export async function peerTarget(opts: TargetOptions): Promise<Target> {
  // peer.mjs is plain JavaScript outside the build; load it from the source tree.
  const peerModule = await import(pathToFileURL(path.join(opts.repoRoot, 'bench/peer/peer.mjs')).href) as PeerModule;
  const peer = await peerModule.startPeer({ detached: false });
  console.log(`started kube-apiserver ${peer.version} at ${peer.url} (dir ${peer.dir})`);
  const running: Running<ComponentSpec>[] = [];
  const logs = opts.keep ? mkdtempSync(path.join(os.tmpdir(), 'conformance-peer-logs-')) : peer.dir;
  const stop = async () => {
    for (const r of running.reverse()) await stopProcess(r.child, 10000);
    await peer.stop();
    if (opts.keep) console.log(`kept the peer's controller logs: ${logs}`);
  };
  try {
    // The controller manager signs with <dir>/pki (as the launcher's layout): the peer's service-account
    // key, and its self-signed serving certificate as the cluster CA.
    mkdirSync(path.join(peer.dir, 'pki'), { recursive: true });
    copyFileSync(path.join(peer.dir, 'sa.key'), path.join(peer.dir, 'pki', 'sa.key'));
    copyFileSync(path.join(peer.dir, 'serving.crt'), path.join(peer.dir, 'pki', 'ca.crt'));
    copyFileSync(path.join(peer.dir, 'serving.key'), path.join(peer.dir, 'pki', 'ca.key'));
    const kubeconfig = path.join(peer.dir, 'kubeconfig');
    writeFileSync(kubeconfig, tokenKubeconfig(peer.url, readFileSync(path.join(peer.dir, 'serving.crt')), peer.token));
    const first = await freeRange(3);
    for (const spec of controllerSpecs({ bindAddress: '127.0.0.1', clusterDir: peer.dir, tls: true }, { controllerManager: kubeconfig, scheduler: kubeconfig, kwok: kubeconfig }, range(first, 3))) {
      const r = startProcess(spec, { logFile: path.join(logs, `${spec.name}.log`) });
      running.push(r);
      await waitReady(r, readyCheck(spec.readyUrl), { timeoutMs: 60000, intervalMs: 200 });
    }
    await registerKwokNodes(peer.url, opts.kwokNodes, kubeconfig);
    return { name: 'kube-apiserver', kubeconfig, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A kubeconfig with a bearer token and the server's CA, as e2e.test and the controllers read it. */
function tokenKubeconfig(server: string, ca: Buffer, token: string): string {
  return [
    'apiVersion: v1', 'kind: Config', 'current-context: peer',
    'clusters:', '- name: peer', '  cluster:', `    server: ${server}`, `    certificate-authority-data: ${ca.toString('base64')}`,
    'contexts:', '- name: peer', '  context:', '    cluster: peer', '    user: admin',
    'users:', '- name: admin', '  user:', `    token: ${token}`, '',
  ].join('\n');
}
