// There is no Docker engine here: the compose file is validated, not run. It must describe the
// same topology and flags the local launcher starts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../server/config.js';
import { apiserverFlags, parseArgs, topology } from '../../compose/launcher.js';

const root = path.resolve(__dirname, '../..');
const compose = parse(readFileSync(path.join(root, 'compose/docker-compose.yml'), 'utf8'));
const dockerfile = readFileSync(path.join(root, 'compose/Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('compose topology', () => {
  it('has one etcd and an API server built from the repo', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['apiserver-1', 'etcd-1']);
    expect(compose.services['etcd-1'].image).toMatch(/^(quay\.io\/coreos|gcr\.io\/etcd-development)\/etcd:v3\.\d+\.\d+$/);
    expect(compose.services['apiserver-1'].build).toEqual({ context: '..', dockerfile: 'compose/Dockerfile' });
    expect(compose.services['apiserver-1'].depends_on['etcd-1'].condition).toBe('service_healthy');
    expect(compose.services['apiserver-1'].ports).toEqual(['6443:6443']);
    expect(Object.keys(compose.volumes)).toEqual(['etcd-1']);
  });

  it('passes the API server the flags the launcher passes, pointing at the etcd service', () => {
    const [node, entry, ...flags] = compose.services['apiserver-1'].command as string[];
    expect([node, entry]).toEqual(['node', 'dist/server/main.js']);
    expect(flags).toEqual(apiserverFlags('http://etcd-1:2379', '0.0.0.0', 6443, 'apiserver-1'));
    const cfg = loadConfig(flags, {});
    expect(cfg.etcdServers).toEqual(['http://etcd-1:2379']);
    expect(cfg.securePort).toBe(6443);
    expect(compose.services['apiserver-1'].healthcheck.test.join(' ')).toContain('http://127.0.0.1:6443/readyz');
  });

  it('runs etcd with the launcher\'s etcd flags, on the service name instead of loopback', () => {
    const [etcd] = topology(parseArgs(['start'], '/repo'), '/repo');
    const local = etcd.args.map((a) => a.replace(/^--data-dir=.*/, '--data-dir=DATA').replaceAll('127.0.0.1', 'HOST'));
    const inCompose = (compose.services['etcd-1'].command as string[]).slice(1)
      .map((a) => a.replace(/^--data-dir=.*/, '--data-dir=DATA').replace(/listen-(client|peer)-urls=http:\/\/0\.0\.0\.0/, 'listen-$1-urls=http://HOST').replaceAll('etcd-1:', 'HOST:'));
    expect(compose.services['etcd-1'].command[0]).toBe('etcd');
    expect(inCompose.sort()).toEqual(local.sort());
  });

  it('builds the server in the Dockerfile the way `npm run build` does, minus installing system tools', () => {
    expect(dockerfile).toMatch(/^FROM node:20-bookworm$/m);
    const steps = (pkg.scripts.build as string).split('&&').map((s) => s.trim()).filter((s) => !s.includes('ensure-deps'));
    const run = dockerfile.split('\n').find((l) => l.includes('tsc -p tsconfig.json'))!;
    const dockerSteps = run.replace(/^RUN /, '').split('&&').map((s) => s.trim().replace(/^npx /, ''));
    expect(dockerSteps).toEqual(steps);
    expect(dockerfile).toContain('"dist/server/main.js"');
  });
});

describe('launcher topology', () => {
  it('defaults to the compose ports: etcd 2379/2380, API server 6443, under .cluster', () => {
    const opts = parseArgs(['start'], '/repo');
    expect(opts).toMatchObject({ command: 'start', detach: false, port: 6443, etcdPort: 2379, etcdPeerPort: 2380, apiservers: 1, clusterDir: '/repo/.cluster' });
    const specs = topology(opts, '/repo', '/usr/bin/node');
    expect(specs.map((s) => [s.name, s.role, s.url, s.ports])).toEqual([
      ['etcd-1', 'etcd', 'http://127.0.0.1:2379', [2379, 2380]],
      ['apiserver-1', 'apiserver', 'http://127.0.0.1:6443', [6443]],
    ]);
    expect(specs[1].command).toBe('/usr/bin/node');
    expect(specs[1].args[0]).toBe('/repo/dist/server/main.js');
    expect(specs[0].args).toContain('--data-dir=/repo/.cluster/etcd');
  });

  it('runs N API servers on consecutive ports against the one etcd', () => {
    const specs = topology(parseArgs(['start', '--apiservers=3', '--port', '7000', '--etcd-port', '7100', '-d'], '/repo'), '/repo');
    expect(specs.map((s) => s.url)).toEqual(['http://127.0.0.1:7100', 'http://127.0.0.1:7000', 'http://127.0.0.1:7001', 'http://127.0.0.1:7002']);
    for (const s of specs.slice(1)) {
      const cfg = loadConfig(s.args.slice(1), {});
      expect(cfg.etcdServers).toEqual(['http://127.0.0.1:7100']);
      expect(cfg.instanceName).toBe(s.name);
      expect(s.readyUrl).toBe(`${s.url}/readyz`);
    }
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
    expect(() => parseArgs(['start', '--port=65535', '--apiservers=2'])).toThrow(/past port 65535/);
  });
});
