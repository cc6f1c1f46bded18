// The HA topology for the chaos test: started by the real launcher (`start --detach`) on free ports in
// a temporary cluster dir, probed the way an operator would (/readyz, etcd /health, Redis PING,
// the fan-out metric, /lb/stats), and stopped whatever happened.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type LauncherResult, runLauncher } from '../support/launcher.js';
import { gone } from '../support/pids.js';
import { freePort, freeRange } from '../support/ports.js';


export interface Component { name: string; role: 'etcd' | 'redis' | 'apiserver' | 'lb'; pid: number; url: string }
interface StateFile { components: Component[]; supervisor: number; ready: boolean }
export class ChaosCluster {
  /** Every pid ever seen, so nothing outlives the test. */
  private readonly pids = new Set<number>();

  private constructor(readonly dir: string, readonly lbUrl: string, readonly started: LauncherResult) {}

  /** Starts 3 etcd members, Redis, `apiservers` instances and the LB; retries on a port taken meanwhile. */
  static async start(apiservers: number): Promise<ChaosCluster> {
    for (let attempt = 1; ; attempt++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-'));
      const port = await freeRange(apiservers + 1);
      const etcdPort = await freeRange(6);
      const redisPort = await freePort();
      const started = await runLauncher(['start', '--detach', `--port=${port}`, `--etcd-port=${etcdPort}`, '--etcd-members=3', `--redis-port=${redisPort}`,
        // Failover is measured with plain HTTP clients; TLS and identities have tests of their own (test/e2e/security).
        `--apiservers=${apiservers}`, `--cluster-dir=${dir}`, '--plain-http']);
      const cluster = new ChaosCluster(dir, `http://127.0.0.1:${port}`, started);
      if (existsSync(path.join(dir, 'state.json'))) cluster.remember();
      if (started.code === 0) return cluster;
      const why = `launcher start failed (exit ${started.code}); its stderr:\n${started.stderr}\nlauncher.log:\n${cluster.log('launcher')}`;
      await cluster.stop();
      // A port free when picked may have been taken since by another test's process: new ports, twice at most.
      if (attempt === 3 || !/already in use|cannot listen|before it was ready/.test(started.stderr)) throw new Error(why);
      console.warn(why);
    }
  }

  state(): StateFile {
    return JSON.parse(readFileSync(path.join(this.dir, 'state.json'), 'utf8')) as StateFile;
  }

  component(name: string): Component {
    const c = this.state().components.find((x) => x.name === name);
    if (!c) throw new Error(`no component ${name} in state.json`);
    return c;
  }

  byRole(role: Component['role']): Component[] {
    return this.state().components.filter((c) => c.role === role);
  }

  /** Records the pids in state.json now (a restarted component has a new one). */
  remember(): void {
    try {
      const s = this.state();
      for (const pid of [s.supervisor, ...s.components.map((c) => c.pid)]) if (pid) this.pids.add(pid);
    } catch {
      // state.json being rewritten: the next call catches up.
    }
  }

  kill(c: Component): void {
    this.pids.add(c.pid);
    process.kill(c.pid, 'SIGKILL');
  }

  log(name: string): string {
    try {
      return readFileSync(path.join(this.dir, 'logs', `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  /** `launcher stop`, then SIGKILL for anything left, then the directory goes. */
  async stop(): Promise<void> {
    this.remember();
    if (existsSync(path.join(this.dir, 'state.json'))) await runLauncher(['stop', `--cluster-dir=${this.dir}`]);
    for (const pid of this.pids) {
      if (!gone(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function fetchText(url: string, timeoutMs = 2000): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, text: await res.text() };
}

export async function apiserverReady(c: Component): Promise<boolean> {
  return (await fetchText(`${c.url}/readyz`)).status === 200;
}

/** Which source feeds the instance's watch cache (kube_apiserver_ts_watch_feed_mode). */
export async function feedMode(c: Component): Promise<string | undefined> {
  const { text } = await fetchText(`${c.url}/metrics`);
  return /^kube_apiserver_ts_watch_feed_mode\{mode="(\w+)"\} 1$/m.exec(text)?.[1];
}

/** Whether the instance is the elected fan-out publisher (kube_apiserver_ts_fanout_publisher_leader). */
export async function fanoutPublisher(c: Component): Promise<boolean> {
  const { text } = await fetchText(`${c.url}/metrics`);
  return /^kube_apiserver_ts_fanout_publisher_leader 1$/m.test(text);
}

export async function etcdHealthy(c: Component): Promise<boolean> {
  const { status, text } = await fetchText(`${c.url}/health`);
  return status === 200 && JSON.parse(text).health === 'true';
}

export async function etcdIsLeader(c: Component): Promise<boolean> {
  const { text } = await fetchText(`${c.url}/metrics`);
  return /^etcd_server_is_leader 1$/m.test(text);
}

/** PING over RESP, answered +PONG. */
export function redisPing(c: Component, timeoutMs = 2000): Promise<boolean> {
  const { hostname, port } = new URL(c.url);
  return new Promise((resolve) => {
    const sock = net.connect(Number(port), hostname);
    let got = '';
    const done = (ok: boolean) => { clearTimeout(timer); sock.destroy(); resolve(ok); };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => { got += d.toString(); if (got.includes('\r\n')) done(got.startsWith('+PONG')); });
    sock.on('error', () => done(false));
  });
}

export interface LbBackend { name: string; url: string; state: string; openWatches: number }
export interface LbStats { watches: { open: number; resumed: number; moved: number }; backends: LbBackend[] }

/** GET /lb/stats on the LB's stats socket (the launcher's --stats-listen). */
export function lbStats(clusterDir: string, timeoutMs = 2000): Promise<LbStats> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: path.join(clusterDir, 'lb-stats.sock'), path: '/lb/stats', timeout: timeoutMs }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => {
        try {
          resolve(JSON.parse(text) as LbStats);
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
