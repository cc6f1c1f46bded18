// Free loopback ports, so tests can run side by side: the one implementation the launcher and the benchmarks use.
import { freePort, portFree } from '../../compose/local/processes.js';

export { freePort, portFree, startOnFreePorts } from '../../compose/local/processes.js';

/** `n` consecutive free ports (the launcher's LB and the API servers after it; etcd members' port pairs). */
export async function freeRange(n: number): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p + n > 65535) continue;
    let all = true;
    for (let i = 1; i < n && all; i++) all = await portFree(p + i, '127.0.0.1');
    if (all) return p;
  }
}
