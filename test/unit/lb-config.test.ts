import { describe, expect, it } from 'vitest';
import { backendServerName } from '../../lb/balancer/backend.js';
import { loadLbConfig } from '../../lb/config.js';

describe('lb flags', () => {
  it('reads --listen, --backends and durations', () => {
    const c = loadLbConfig(['--listen', '0.0.0.0:7443', '--backends=http://127.0.0.1:6444, http://127.0.0.1:6445', '--health-interval', '100ms', '--shutdown-timeout=5s', '--retries', '1'], {});
    expect(c.listenHost).toBe('0.0.0.0');
    expect(c.listenPort).toBe(7443);
    expect(c.backends.map((u) => u.origin)).toEqual(['http://127.0.0.1:6444', 'http://127.0.0.1:6445']);
    expect(c.healthIntervalMs).toBe(100);
    expect(c.shutdownTimeoutMs).toBe(5000);
    expect(c.retries).toBe(1);
    expect(c.maxHeaderSize).toBe(32 * 1024);
    expect(c.watchRebalance).toBe(true);
  });

  it('has defaults for everything but the backends, and takes LB_* environment', () => {
    const c = loadLbConfig([], { LB_BACKENDS: 'http://10.0.0.1:6443', LB_HEALTH_INTERVAL: '1s' });
    expect(c.listenPort).toBe(6443);
    expect(c.healthIntervalMs).toBe(1000);
    expect(c.backends).toHaveLength(1);
    expect(loadLbConfig(['--backends', 'http://a:1', '--no-watch-rebalance'], {}).watchRebalance).toBe(false);
  });

  it('has limits by default, as kube-apiserver\'s server, and a stats listener on loopback or a unix socket only', () => {
    const c = loadLbConfig(['--backends', 'https://a:1'], {});
    expect([c.maxConnections, c.headerTimeoutMs, c.idleTimeoutMs, c.bodyIdleTimeoutMs, c.statsListen]).toEqual([4096, 32_000, 90_000, 60_000, undefined]);
    const set = loadLbConfig(['--backends', 'https://a:1', '--max-connections', '10', '--header-timeout', '1s', '--idle-timeout=2s', '--body-idle-timeout', '3s',
      '--stats-listen', '127.0.0.1:9000', '--backend-tls-server-name', 'kubernetes'], {});
    expect([set.maxConnections, set.headerTimeoutMs, set.idleTimeoutMs, set.bodyIdleTimeoutMs, set.statsListen, set.upstream.serverName])
      .toEqual([10, 1000, 2000, 3000, { host: '127.0.0.1', port: 9000 }, 'kubernetes']);
    expect(loadLbConfig(['--backends', 'https://a:1', '--stats-listen', '/run/lb.sock'], {}).statsListen).toEqual({ path: '/run/lb.sock' });
    expect(loadLbConfig(['--backends', 'https://a:1', '--stats-listen', '[::1]:9000'], {}).statsListen).toEqual({ host: '::1', port: 9000 });
    expect(() => loadLbConfig(['--backends', 'https://a:1', '--stats-listen', '0.0.0.0:9000'], {})).toThrow(/loopback/);
    expect(() => loadLbConfig(['--backends', 'https://a:1', '--header-timeout', '0'], {})).toThrow(/above 0/);
    expect(() => loadLbConfig(['--backends', 'https://a:1', '--max-connections', '0'], {})).toThrow(/at least 1/);
  });

  it('checks an instance for its URL\'s host name, or its address without SNI', () => {
    expect(backendServerName(new URL('https://apiserver-1:6443'))).toBe('apiserver-1');
    expect(backendServerName(new URL('https://127.0.0.1:6443'))).toBe('');
    expect(backendServerName(new URL('https://[::1]:6443'))).toBe('');
  });

  it('refuses what it does not understand', () => {
    expect(() => loadLbConfig([], {})).toThrow(/--backends is required/);
    expect(() => loadLbConfig(['--backends', 'http://a:1', '--bogus', '1'], {})).toThrow(/unknown flag: --bogus/);
    expect(() => loadLbConfig(['--backends', 'ftp://a:1'], {})).toThrow(/http:\/\/ or https:\/\//);
    expect(() => loadLbConfig(['--backends', 'https://a:1', '--tls-cert-file', 'c'], {})).toThrow(/go together/);
    expect(() => loadLbConfig(['--backends', 'https://a:1', '--client-ca-file', 'c'], {})).toThrow(/needs TLS/);
    expect(loadLbConfig(['--backends', 'https://a:1', '--tls-cert-file', 'c', '--tls-private-key-file', 'k', '--client-ca-file', 'ca'], {}).tls)
      .toEqual({ certFile: 'c', keyFile: 'k', clientCAFile: 'ca', clientCRLFile: undefined, minVersion: 'VersionTLS12', cipherSuites: [] });
    expect(() => loadLbConfig(['--backends', 'http://a:1', '--listen', '6443'], {})).toThrow(/--listen/);
    expect(() => loadLbConfig(['--backends', 'http://a:1', '--health-interval', 'soon'], {})).toThrow(/duration/);
  });
});
