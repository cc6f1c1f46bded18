// The README's contract for the local launcher (`npm start -- --detach`, kubectl through the
// written kubeconfig, `npm stop`), run as the real program on free ports in a temporary cluster dir.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubectl } from '../support/kubectl.js';
import { eventually } from '../support/eventually.js';
import { type LauncherResult, launcherPath, runLauncher, startLauncherOnFreePorts } from '../support/launcher.js';
import { gone } from '../support/pids.js';
import { freePort } from '../support/ports.js';


interface StateFile { components: { name: string; role: string; pid: number; url: string }[]; supervisor: number; ready: boolean }

const readStateFile = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as StateFile;

describe('launcher: start --detach (the HA topology), kubectl through the LB, supervision, stop', () => {
  let dir: string;
  let port: number;
  let etcdPort: number;
  let redisPort: number;
  let started: LauncherResult;
  let pids: number[] = [];

  beforeAll(async () => {
    ({ dir, port, etcdPort, redisPort, started } = await startLauncherOnFreePorts('launcher-e2e-', ['--etcd-members=3', '--apiservers=2', '--plain-http']));
    if (existsSync(path.join(dir, 'state.json'))) {
      const state = readStateFile(dir);
      pids = [state.supervisor, ...state.components.map((c) => c.pid)];
    }
  }, 240000);

  afterAll(async () => {
    // Whatever happened above, leave nothing running.
    if (existsSync(path.join(dir, 'state.json'))) {
      const state = readStateFile(dir);
      pids.push(state.supervisor, ...state.components.map((c) => c.pid));
      await runLauncher(['stop', `--cluster-dir=${dir}`]);
    }
    for (const pid of pids) {
      if (pid && !gone(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns once ready and says how to use it', () => {
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`export KUBECONFIG=${path.join(dir, 'kubeconfig')}`);
  });

  it('names every process it started in state.json, and the supervisor', () => {
    const state = readStateFile(dir);
    expect(state.components.map(({ name, role, url }) => ({ name, role, url }))).toEqual([
      { name: 'etcd-1', role: 'etcd', url: `http://127.0.0.1:${etcdPort}` },
      { name: 'etcd-2', role: 'etcd', url: `http://127.0.0.1:${etcdPort + 2}` },
      { name: 'etcd-3', role: 'etcd', url: `http://127.0.0.1:${etcdPort + 4}` },
      { name: 'redis', role: 'redis', url: `redis://127.0.0.1:${redisPort}` },
      { name: 'apiserver-1', role: 'apiserver', url: `http://127.0.0.1:${port + 1}` },
      { name: 'apiserver-2', role: 'apiserver', url: `http://127.0.0.1:${port + 2}` },
      { name: 'lb', role: 'lb', url: `http://127.0.0.1:${port}` },
    ]);
    for (const c of state.components) {
      expect(Object.keys(c)).toEqual(['name', 'role', 'pid', 'url']);
      expect(gone(c.pid)).toBe(false);
    }
    expect(state.ready).toBe(true);
    expect(gone(state.supervisor)).toBe(false);
  });

  it('writes an admin kubeconfig for the load balancer and logs per component', () => {
    const kc = parse(readFileSync(path.join(dir, 'kubeconfig'), 'utf8'));
    expect(kc['current-context']).toBe('local');
    expect(kc.clusters[0].cluster.server).toBe(`http://127.0.0.1:${port}`);
    expect(kc.users[0].name).toBe('admin');
    for (const name of ['etcd-1', 'etcd-2', 'etcd-3', 'redis', 'apiserver-1', 'apiserver-2', 'lb', 'launcher']) {
      expect(existsSync(path.join(dir, 'logs', `${name}.log`))).toBe(true);
    }
  });

  it('serves kubectl through the load balancer; every instance sees the same state', () => {
    const kc = path.join(dir, 'kubeconfig');
    const ns = kubectl(kc, ['get', 'ns']);
    expect(ns.stderr).toBe('');
    expect(ns.code).toBe(0);
    expect(ns.stdout).toMatch(/^NAME\s+STATUS\s+AGE$/m);
    expect(ns.stdout).toMatch(/^default\s+Active/m);
    expect(kubectl(kc, ['create', 'namespace', 'launched']).code).toBe(0);
    for (const p of [port + 1, port + 2]) {
      const direct = kubectl(kc, ['--server', `http://127.0.0.1:${p}`, 'get', 'ns', 'launched', '-o', 'name']);
      expect(direct.stderr).toBe('');
      expect(direct.stdout.trim()).toBe('namespace/launched');
    }
  });

  it('restarts a component that dies, logs it, and keeps serving through the load balancer', async () => {
    const kc = path.join(dir, 'kubeconfig');
    const victim = readStateFile(dir).components.find((c) => c.name === 'apiserver-1')!;
    process.kill(victim.pid, 'SIGKILL');
    expect(kubectl(kc, ['get', 'ns', 'launched', '-o', 'name']).stdout.trim()).toBe('namespace/launched');
    await eventually(() => {
      const now = readStateFile(dir).components.find((c) => c.name === 'apiserver-1')!;
      return now.pid !== victim.pid && !gone(now.pid);
    }, { what: 'apiserver-1 restarted under a new pid', timeoutMs: 30000 });
    const log = readFileSync(path.join(dir, 'logs', 'launcher.log'), 'utf8');
    expect(log).toMatch(/\[launcher\] apiserver-1 exited \(SIGKILL\); restarting in 1s \(restart 1\)/);
    await eventually(async () => (await fetch(`http://127.0.0.1:${port + 1}/readyz`)).ok, { what: 'the restarted apiserver-1 ready' });
    pids.push(readStateFile(dir).components.find((c) => c.name === 'apiserver-1')!.pid);
  });

  it('refuses to start a second control plane from the same state.json', async () => {
    const again = await runLauncher(['start', '--detach', `--port=${port}`, `--etcd-port=${etcdPort}`, `--cluster-dir=${dir}`]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already running');
    expect(again.stderr).toContain(`--cluster-dir ${dir}`);
  });

  it('stop ends the supervisor and every process, and removes state.json', async () => {
    const state = readStateFile(dir);
    const all = [state.supervisor, ...state.components.map((c) => c.pid)];
    expect(all).toHaveLength(8);
    const stopped = await runLauncher(['stop', `--cluster-dir=${dir}`]);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('stopped etcd-1');
    expect(existsSync(path.join(dir, 'state.json'))).toBe(false);
    for (const pid of all) expect(gone(pid)).toBe(true);
    // A second stop has nothing to do and says so.
    const twice = await runLauncher(['stop', `--cluster-dir=${dir}`]);
    expect(twice.code).toBe(0);
    expect(twice.stdout).toContain('no control plane to stop');
  });
});

describe('launcher refusals', () => {
  it('says which port is taken and starts nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'launcher-e2e-'));
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const r = await runLauncher(['start', '--detach', `--port=${port}`, '--etcd-members=1', '--no-redis', `--etcd-port=${await freePort()}`, `--etcd-peer-port=${await freePort()}`, `--cluster-dir=${dir}`]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 (for lb) is already in use`);
      expect(existsSync(path.join(dir, 'state.json'))).toBe(false);
    } finally {
      busy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown options with exit code 2', () => {
    const r = spawnSync(process.execPath, [launcherPath, 'start', '--bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option --bogus');
  });
});
