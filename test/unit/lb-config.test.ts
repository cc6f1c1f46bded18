import { describe, expect, it } from 'vitest';
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
