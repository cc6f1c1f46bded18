// There is no Docker engine here: the compose file is validated, not run. It must describe the
// same topology and flags the local launcher starts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../server/config.js';
import { parseArgs } from '../../compose/launcher.js';

const root = path.resolve(__dirname, '../..');
const compose = parse(readFileSync(path.join(root, 'compose/docker-compose.yml'), 'utf8'));

describe('compose topology', () => {
  it('has one etcd and an API server built from the repo', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['apiserver-1', 'etcd-1']);
    expect(compose.services['apiserver-1'].build).toEqual({ context: '..', dockerfile: 'compose/Dockerfile' });
    expect(compose.services['apiserver-1'].depends_on['etcd-1'].condition).toBe('service_healthy');
    expect(compose.services['apiserver-1'].ports).toEqual(['6443:6443']);
  });

  it('passes flags the API server accepts, pointing at the etcd service', () => {
    const [node, entry, ...flags] = compose.services['apiserver-1'].command as string[];
    expect([node, entry]).toEqual(['node', 'dist/server/main.js']);
    const cfg = loadConfig(flags, {});
    expect(cfg.etcdServers).toEqual(['http://etcd-1:2379']);
    expect(cfg.securePort).toBe(6443);
    const etcdCmd = (compose.services['etcd-1'].command as string[]).join(' ');
    expect(etcdCmd).toContain('--advertise-client-urls=http://etcd-1:2379');
  });

  it('the launcher defaults match the compose ports', () => {
    const opts = parseArgs(['start']);
    expect(opts.port).toBe(6443);
    expect(opts.etcdPort).toBe(2379);
    expect(parseArgs(['start', '--detach', '--apiservers', '3']).apiservers).toBe(3);
    expect(() => parseArgs(['start', '--bogus'])).toThrow(/unknown option/);
  });
});

describe('server flags', () => {
  it('reads kube-apiserver flag names, env and defaults', () => {
    const cfg = loadConfig(['--etcd-servers=http://a:1,http://b:2', '--secure-port', '7000', '--service-node-port-range=31000-31100', '--etcd-compaction-interval=10m'], {});
    expect(cfg.etcdServers).toEqual(['http://a:1', 'http://b:2']);
    expect(cfg.securePort).toBe(7000);
    expect(cfg.serviceNodePortRange).toEqual([31000, 31100]);
    expect(cfg.etcdCompactionIntervalSeconds).toBe(600);
    expect(loadConfig([], { KUBE_APISERVER_SECURE_PORT: '7100' }).securePort).toBe(7100);
    expect(loadConfig([], {}).serviceClusterIPRange).toBe('10.96.0.0/12');
  });
  it('rejects unknown flags and bad values', () => {
    expect(() => loadConfig(['--nope=1'], {})).toThrow(/unknown flag: --nope/);
    expect(() => loadConfig(['--secure-port=abc'], {})).toThrow(/whole number/);
    expect(() => loadConfig(['--service-node-port-range=1'], {})).toThrow(/30000-32767/);
  });
});
