// compose/ for real: a Docker engine (started here when none runs, stopped again afterwards), local
// base images, `docker compose up --wait`, kubectl through the load balancer, containers killed and
// coming back by their restart policy, and everything torn down — also when a step fails.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, writeKubeconfig } from '../support/cluster.js';
import { kubectl, ok } from '../support/kubectl.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/ports.js';

const isRoot = process.getuid?.() === 0;
const project = `kats-compose-${process.pid}`;
const composeFile = path.join(repoRoot, 'compose/docker-compose.yml');
const envFile = path.join(repoRoot, 'compose/images/local.env');
const minutes = 60_000;

/** Runs a command to its end without blocking the event loop (compose builds take minutes; vitest's worker must stay responsive). */
function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed (${err.code ?? err.signal}):\n${stderr.slice(-4000)}${stdout.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

describe.skipIf(!isRoot)('docker compose up of compose/: etcd cluster, Redis, API servers, load balancer', () => {
  let dockerdPid = 0;
  let port = 0;
  let env: NodeJS.ProcessEnv = {};
  let dir = '';
  let kubeconfig = '';
  const compose = (...args: string[]) => sh('docker', ['compose', '-p', project, '-f', composeFile, '--env-file', envFile, ...args], env);
  const container = (service: string) => `${project}-${service}-1`;
  const inspect = async (service: string, format: string) => (await sh('docker', ['inspect', '-f', format, container(service)])).trim();
  const etcdctl = (...args: string[]) => sh('docker', ['exec', container('etcd-1'), 'etcdctl', '--endpoints=http://127.0.0.1:2379', ...args]);

  beforeAll(async () => {
    const started = (await sh('bash', [path.join(repoRoot, 'compose/images/ensure-docker.sh')])).trim();
    if (started.startsWith('started ')) dockerdPid = Number(started.split(' ')[1]);
    await sh('bash', [path.join(repoRoot, 'compose/images/build-local-bases.sh')]);
    port = await freePort();
    env = { KTS_PORT: String(port) };
    dir = mkdtempSync(path.join(os.tmpdir(), 'kats-compose-'));
    kubeconfig = writeKubeconfig(path.join(dir, 'kubeconfig'), `http://127.0.0.1:${port}`);
    await compose('up', '-d', '--build', '--wait', '--wait-timeout', '300');
  }, 25 * minutes);

  afterAll(async () => {
    try {
      if (env.KTS_PORT) await compose('down', '-v', '--remove-orphans', '--timeout', '5');
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (dockerdPid) {
        // The engine was started for this test: stop it and wait until it is gone.
        try {
          process.kill(dockerdPid, 'SIGTERM');
        } catch {
          // already gone
        }
        await eventually(() => {
          try {
            process.kill(dockerdPid, 0);
            return false;
          } catch {
            return true;
          }
        }, { what: 'dockerd to stop', timeoutMs: 60_000 });
      }
    }
  }, 3 * minutes);

  it('runs the whole topology, every service healthy, and kubectl works against it', async () => {
    const services = (await compose('ps', '--format', '{{.Service}} {{.State}} {{.Health}}')).trim().split('\n').sort();
    expect(services).toEqual([
      'apiserver-1 running healthy', 'apiserver-2 running healthy', 'apiserver-3 running healthy',
      'etcd-1 running healthy', 'etcd-2 running healthy', 'etcd-3 running healthy',
      'lb running healthy', 'redis running healthy',
    ]);
    expect(ok(kubectl(kubeconfig, ['get', 'namespaces', '-o', 'name'])).split('\n')).toContain('namespace/kube-system');
    ok(kubectl(kubeconfig, ['create', 'configmap', 'survivor', '--from-literal=k=v']));
    const members = await etcdctl('member', 'list');
    expect(members.trim().split('\n')).toHaveLength(3);
  });

  it('restarts an API server container whose process is killed; the load balancer keeps serving meanwhile', async () => {
    const before = Number(await inspect('apiserver-2', '{{.RestartCount}}'));
    process.kill(Number(await inspect('apiserver-2', '{{.State.Pid}}')), 'SIGKILL');
    for (let i = 0; i < 5; i++) expect(ok(kubectl(kubeconfig, ['get', 'configmap', 'survivor', '-o', 'jsonpath={.data.k}']))).toBe('v');
    await eventually(async () => Number(await inspect('apiserver-2', '{{.RestartCount}}')) > before && (await inspect('apiserver-2', '{{.State.Health.Status}}')) === 'healthy',
      { what: 'apiserver-2 to be restarted and healthy', timeoutMs: 2 * minutes, intervalMs: 500 });
    expect(ok(kubectl(kubeconfig, ['get', 'configmap', 'survivor', '-o', 'jsonpath={.data.k}']))).toBe('v');
  }, 3 * minutes);

  it('restarts a killed etcd member; nothing acknowledged is lost', async () => {
    const before = Number(await inspect('etcd-2', '{{.RestartCount}}'));
    process.kill(Number(await inspect('etcd-2', '{{.State.Pid}}')), 'SIGKILL');
    // Two members keep quorum: writes go on while the third is away.
    ok(kubectl(kubeconfig, ['create', 'configmap', 'during-etcd-fault', '--from-literal=k=w']));
    await eventually(async () => Number(await inspect('etcd-2', '{{.RestartCount}}')) > before && (await inspect('etcd-2', '{{.State.Health.Status}}')) === 'healthy',
      { what: 'etcd-2 to be restarted and healthy', timeoutMs: 2 * minutes, intervalMs: 500 });
    const fromRestarted = await sh('docker', ['exec', container('etcd-2'), 'etcdctl', '--endpoints=http://127.0.0.1:2379',
      'get', '--keys-only', '--prefix', '/registry/configmaps/default/']);
    expect(fromRestarted).toContain('/registry/configmaps/default/survivor');
    expect(fromRestarted).toContain('/registry/configmaps/default/during-etcd-fault');
  }, 3 * minutes);
});
