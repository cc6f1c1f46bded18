// compose/ for real, as a user runs it: a Docker engine (started here when none runs, stopped again
// afterwards), `npm run compose:up` (local base images when no registry answers, `up --wait`, the
// admin kubeconfig written for the host), kubectl over TLS with that kubeconfig; what must be refused
// (anonymous requests, forged front-proxy headers, etcd without a client certificate, Redis without the
// password); containers killed and coming back by their restart policy with nothing lost; and
// `npm run compose:down -- --volumes` leaving nothing behind — torn down also when a step fails.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKubeconfig } from '../../pki/kubeconfig.js';
import { repoRoot } from '../support/cluster.js';
import { kubectl, ok } from '../support/kubectl.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/ports.js';

const isRoot = process.getuid?.() === 0;
const project = `kats-compose-${process.pid}`;
const minutes = 60_000;
// Where the compose file puts the PKI in every container (compose/local/security.ts's layout under /etc/kubernetes).
const pki = '/etc/kubernetes/pki';

/** Runs a command to its end without blocking the event loop (compose builds take minutes; vitest's worker must stay responsive). */
function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed (${err.code ?? err.signal}):\n${stderr.slice(-4000)}${stdout.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

/** What a command printed, whether or not it failed (for the refusals). */
function shAny(cmd: string, args: string[]): Promise<{ failed: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => resolve({ failed: !!err, output: `${stdout}${stderr}` }));
  });
}

describe.skipIf(!isRoot)('npm run compose:up: the secured compose control plane (etcd cluster, Redis, API servers, load balancer)', () => {
  let dockerdPid = 0;
  let port = 0;
  let env: NodeJS.ProcessEnv = {};
  let dir = '';
  let kubeconfig = '';
  let up = false;
  const container = (service: string) => `${project}-${service}-1`;
  const inspect = async (service: string, format: string) => (await sh('docker', ['inspect', '-f', format, container(service)])).trim();
  const etcdctlIn = (service: string, endpoint: string, ...args: string[]) => sh('docker', ['exec', container(service), 'etcdctl', `--endpoints=${endpoint}`,
    `--cacert=${pki}/etcd/ca.crt`, `--cert=${pki}/etcd/healthcheck-client.crt`, `--key=${pki}/etcd/healthcheck-client.key`, ...args]);
  const etcdctl = (...args: string[]) => etcdctlIn('etcd-1', 'https://127.0.0.1:2379', ...args);
  const left = async () => ({
    containers: (await sh('docker', ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${project}`])).trim(),
    networks: (await sh('docker', ['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`])).trim(),
    volumes: (await sh('docker', ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`])).trim(),
  });
  /** A request through the published port that presents no client certificate (the cluster CA trusted). */
  const anonymous = (urlPath: string, headers: Record<string, string> = {}) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: urlPath, headers, ca: readKubeconfig(kubeconfig).ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });

  beforeAll(async () => {
    const started = (await sh('bash', [path.join(repoRoot, 'compose/images/ensure-docker.sh')])).trim();
    if (started.startsWith('started ')) dockerdPid = Number(started.split(' ')[1]);
    port = await freePort();
    dir = mkdtempSync(path.join(os.tmpdir(), 'kats-compose-'));
    kubeconfig = path.join(dir, 'kubeconfig');
    // The user's command; the project name, port and kubeconfig are this test's own (another cluster may run beside it).
    env = { COMPOSE_PROJECT_NAME: project, KTS_PORT: String(port), KTS_KUBECONFIG: kubeconfig };
    up = true;
    // With the controllers profile: the real controller manager, scheduler and kwok, each with its own identity.
    await sh('npm', ['run', '--silent', 'compose:up', '--', '--controllers'], env);
  }, 25 * minutes);

  afterAll(async () => {
    try {
      // Also when a step failed; compose:down below has done it already when all went well (then this is a no-op).
      if (up) await sh('npm', ['run', '--silent', 'compose:down', '--', '--volumes'], env);
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

  it('runs the whole topology, every service healthy, and kubectl works over TLS with the kubeconfig compose:up wrote', async () => {
    const services = (await sh('docker', ['compose', '-p', project, '-f', path.join(repoRoot, 'compose/docker-compose.yml'), 'ps', '--format', '{{.Service}} {{.State}} {{.Health}}'])).trim().split('\n').map((l) => l.trim())
      .filter((l) => !l.startsWith('kwok-nodes ')).sort(); // the one-shot node registration: checked below
    expect(services).toEqual([
      'apiserver-1 running healthy', 'apiserver-2 running healthy', 'apiserver-3 running healthy',
      'etcd-1 running healthy', 'etcd-2 running healthy', 'etcd-3 running healthy',
      'kube-controller-manager running', 'kube-scheduler running', 'kwok running',
      'lb running healthy', 'redis running healthy',
    ]);
    expect(await inspect('pki', '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 0');
    expect(readKubeconfig(kubeconfig).server).toBe(`https://127.0.0.1:${port}`);
    expect(ok(kubectl(kubeconfig, ['get', 'namespaces', '-o', 'name'])).split('\n')).toContain('namespace/kube-system');
    expect(ok(kubectl(kubeconfig, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']))).toBe('kubernetes-admin');
    ok(kubectl(kubeconfig, ['create', 'configmap', 'survivor', '--from-literal=k=v']));
    const members = await etcdctl('member', 'list');
    expect(members.trim().split('\n')).toHaveLength(3);
    // Each service holds only its own files: the LB has no CA key, etcd nothing of the cluster CA's.
    expect((await shAny('docker', ['exec', container('lb'), 'ls', `${pki}/ca.key`])).failed).toBe(true);
    expect((await shAny('docker', ['exec', container('etcd-1'), 'ls', `${pki}/ca.crt`])).failed).toBe(true);
  });

  it('runs the services as an unprivileged user on read-only root filesystems: Node 22 LTS with its uWebSockets.js build, etcd 3.6', async () => {
    for (const svc of ['apiserver-1', 'lb', 'etcd-1', 'redis']) {
      expect((await sh('docker', ['exec', container(svc), 'id', '-u'])).trim(), svc).toBe('65532');
      const write = await shAny('docker', ['exec', container(svc), 'touch', '/written']);
      expect(write.failed, svc).toBe(true);
      expect(write.output, svc).toContain('Read-only file system');
    }
    const node = await sh('docker', ['exec', container('apiserver-1'), 'node', '--input-type=module', '-e',
      "const { nativeBinaryPath } = await import('/app/dist/server/http/uws.js'); console.log(process.versions.node, nativeBinaryPath())"]);
    expect(node).toMatch(/^22\.\d+\.\d+ \/app\/node_modules\/@btc-vision\/uwebsockets\.js\/uws_linux_x64_127\.node$/m);
    expect(await sh('docker', ['exec', container('etcd-1'), 'etcd', '--version'])).toMatch(/etcd Version: 3\.6\./);
  });

  it('rolls out a Deployment on kwok nodes with the controllers profile: the controller manager and scheduler as kubeadm runs them', async () => {
    await eventually(async () => (await inspect('kwok-nodes', '{{.State.Status}} {{.State.ExitCode}}')) === 'exited 0',
      { what: 'the kwok-nodes service to register the nodes and exit 0', timeoutMs: 2 * minutes, intervalMs: 1000 });
    await eventually(() => kubectl(kubeconfig, ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']).stdout.trim() === 'True\nTrue',
      { what: 'two Ready kwok nodes', timeoutMs: 2 * minutes, intervalMs: 1000 });
    // Their own users, not system:masters: kube's bootstrap RBAC is all the scheduler has.
    expect(kubectl(kubeconfig, ['auth', 'can-i', 'create', 'deployments', '--as=system:kube-scheduler']).stdout.trim()).toBe('no');
    ok(kubectl(kubeconfig, ['create', 'deployment', 'web', '--image=registry.k8s.io/pause:3.10', '--replicas=3']));
    ok(kubectl(kubeconfig, ['rollout', 'status', 'deployment/web', '--timeout=120s']));
    const pods = ok(kubectl(kubeconfig, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {.status.phase}{"\\n"}{end}'])).trim().split('\n');
    expect(pods).toHaveLength(3);
    for (const p of pods) expect(p).toMatch(/^\S+ Running$/);
    // Each controller ran as its own service account (--use-service-account-credentials): the ReplicaSet's creator.
    const managers = ok(kubectl(kubeconfig, ['get', 'replicasets', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.managedFields[*].manager}']));
    expect(managers).toContain('kube-controller-manager');
    const holder = ok(kubectl(kubeconfig, ['get', 'lease', '-n', 'kube-system', 'kube-scheduler', '-o', 'jsonpath={.spec.holderIdentity}']));
    expect(holder).not.toBe('');
  }, 4 * minutes);

  it('refuses anonymous requests but health and version, and forged front-proxy headers, at the LB and at an instance', async () => {
    expect((await anonymous('/api/v1/namespaces')).status).toBe(401);
    expect((await anonymous('/version')).status).toBe(200);
    expect((await anonymous('/readyz')).status).toBe(200);
    const forged = { 'X-Remote-User': 'kubernetes-admin', 'X-Remote-Group': 'system:masters' };
    expect((await anonymous('/api/v1/namespaces', forged)).status).toBe(401);
    // Behind the LB, on the compose network: the instance's own port ignores the headers; its front-proxy port reads them only
    // from a peer that presented the proxy's certificate (refused in the handshake or with 401, never served).
    const fromInside = (url: string) => shAny('docker', ['exec', container('lb'), 'node', '-e',
      `require('https').get('${url}', {ca: require('fs').readFileSync('${pki}/ca.crt'), headers: ${JSON.stringify(forged)}}, (r) => { console.log('status', r.statusCode); process.exit(0); }).on('error', (e) => console.log('error', e.code ?? e.message))`]);
    expect((await fromInside('https://apiserver-1:6443/api/v1/namespaces')).output.trim()).toBe('status 401');
    expect((await fromInside('https://apiserver-1:6444/api/v1/namespaces')).output.trim()).toMatch(/^(status 401|error .+)$/);
  });

  it('closes etcd to a client without a certificate and Redis to one without the password, on the compose network', async () => {
    const noCert = await shAny('docker', ['exec', container('etcd-1'), 'etcdctl', '--endpoints=https://etcd-2:2379', `--cacert=${pki}/etcd/ca.crt`,
      '--dial-timeout=3s', '--command-timeout=5s', 'get', '--prefix', '--keys-only', '/registry/']);
    expect(noCert.failed).toBe(true);
    expect(noCert.output).not.toContain('/registry/');
    expect(await etcdctlIn('etcd-1', 'https://etcd-2:2379', 'get', '--prefix', '--keys-only', '/registry/configmaps/default/')).toContain('survivor');
    const tls = ['--tls', '--cacert', `${pki}/redis/ca.crt`, '--cert', `${pki}/apiserver-redis-client.crt`, '--key', `${pki}/apiserver-redis-client.key`, '-h', 'redis'];
    // redis-cli exits 0 on an error reply: what it printed tells.
    expect((await shAny('docker', ['exec', container('redis'), 'redis-cli', ...tls, 'ping'])).output).toMatch(/NOAUTH/);
    expect((await shAny('docker', ['exec', container('redis'), 'redis-cli', ...tls, '--user', 'default', '--pass', 'x', '--no-auth-warning', 'ping'])).output)
      .toMatch(/WRONGPASS|NOPERM|disabled/i);
    expect((await shAny('docker', ['exec', container('redis'), 'redis-cli', '--tls', '--cacert', `${pki}/redis/ca.crt`, '-h', 'redis', 'ping'])).output).not.toMatch(/PONG/);
    expect((await shAny('docker', ['exec', container('redis'), 'sh', '-c', `REDISCLI_AUTH="$(cat ${pki}/redis.password)" redis-cli ${tls.join(' ')} --user kube-apiserver ping`])).output.trim())
      .toBe('PONG');
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
    // Two members keep quorum: writes go on while the third is away. A write sent to the member while it
    // restarts (up, not yet serving) waits out --etcd-request-timeout and is answered 504, not acknowledged;
    // the client tries again, as kube's clients do, until one is acknowledged (or was, behind a timeout).
    await eventually(() => kubectl(kubeconfig, ['create', 'configmap', 'during-etcd-fault', '--from-literal=k=w']).code === 0
      || kubectl(kubeconfig, ['get', 'configmap', 'during-etcd-fault']).code === 0, { what: 'a write acknowledged while etcd-2 is away', timeoutMs: minutes });
    await eventually(async () => Number(await inspect('etcd-2', '{{.RestartCount}}')) > before && (await inspect('etcd-2', '{{.State.Health.Status}}')) === 'healthy',
      { what: 'etcd-2 to be restarted and healthy', timeoutMs: 2 * minutes, intervalMs: 500 });
    const fromRestarted = await etcdctlIn('etcd-2', 'https://127.0.0.1:2379', 'get', '--keys-only', '--prefix', '/registry/configmaps/default/');
    expect(fromRestarted).toContain('/registry/configmaps/default/survivor');
    expect(fromRestarted).toContain('/registry/configmaps/default/during-etcd-fault');
  }, 3 * minutes);

  it('npm run compose:down -- --volumes leaves no container, network or volume, nor the kubeconfig', async () => {
    await sh('npm', ['run', '--silent', 'compose:down', '--', '--volumes'], env);
    expect(await left()).toEqual({ containers: '', networks: '', volumes: '' });
    expect(() => readFileSync(kubeconfig)).toThrow();
  }, 3 * minutes);
});
