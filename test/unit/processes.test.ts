// The process launcher shared by the local launcher, the benchmarks and the tests.
import { describe, expect, it } from 'vitest';
import { ExitedBeforeReady, startOnFreePorts, startProcess, stopProcess, waitReady } from '../../compose/local/processes.js';

describe('startOnFreePorts', () => {
  it('starts again on new ports when the process says its port was taken', async () => {
    const tried: number[][] = [];
    const result = await startOnFreePorts(2, async (ports) => {
      tried.push(ports);
      if (tried.length === 1) throw new ExitedBeforeReady('etcd exited (1) before it was ready', `listen tcp 127.0.0.1:${ports[0]}: bind: address already in use`);
      return 'up';
    });
    expect(result).toBe('up');
    expect(tried).toHaveLength(2);
    for (const ports of tried) expect(new Set(ports).size).toBe(2);
  });

  it('does not retry other failures, and gives up after the attempts', async () => {
    let calls = 0;
    await expect(startOnFreePorts(1, async () => {
      calls++;
      throw new ExitedBeforeReady('x exited (2) before it was ready', 'unknown flag --bogus');
    })).rejects.toThrow('x exited (2) before it was ready');
    expect(calls).toBe(1);
    calls = 0;
    await expect(startOnFreePorts(1, async () => {
      calls++;
      throw new ExitedBeforeReady('apiserver exited (1) before it was ready', 'cannot listen on 127.0.0.1:1');
    }, 3)).rejects.toThrow('before it was ready');
    expect(calls).toBe(3);
  });
});

describe('waitReady', () => {
  it('fails at once, with the output, when the process exits first', async () => {
    const r = startProcess({ name: 'quitter', command: process.execPath, args: ['-e', 'console.error("bind: address already in use"); process.exit(3)'] });
    const started = Date.now();
    const err = await waitReady(r, async () => false, { timeoutMs: 20000 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ExitedBeforeReady);
    expect((err as Error).message).toContain('quitter exited (3) before it was ready');
    expect((err as ExitedBeforeReady).output).toContain('address already in use');
    expect(Date.now() - started).toBeLessThan(10000);
  });

  it('names a command that is not there', async () => {
    const r = startProcess({ name: 'ghost', command: 'no-such-command-kats', args: [] });
    await expect(waitReady(r, async () => false, { timeoutMs: 5000 })).rejects.toThrow('ghost: could not run no-such-command-kats (not on PATH');
  });

  it('resolves once ready, and stopProcess ends the process with SIGTERM', async () => {
    const r = startProcess({ name: 'sleeper', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] });
    let checks = 0;
    await waitReady(r, async () => ++checks >= 3, { intervalMs: 10 });
    expect(checks).toBe(3);
    await stopProcess(r.child);
    expect(r.child.signalCode).toBe('SIGTERM');
  });
});
