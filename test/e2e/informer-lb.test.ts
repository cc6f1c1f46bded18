// An informer from @kubernetes/client-node through the load balancer keeps an exact cache while the
// instance serving its watch is killed, twice — without a relist: the LB carries its watch over.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { type LbProcess, startLb } from '../support/lb.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
let lb: LbProcess;
beforeAll(async () => {
  cluster = await startCluster(3);
  lb = await startLb(cluster.apiservers.map((a) => a.url)); // returns once every instance is healthy
}, 120000);
afterAll(async () => {
  await lb?.stop();
  await cluster?.stop();
});

type CmInformer = k8s.Informer<k8s.V1ConfigMap> & k8s.ObjectCache<k8s.V1ConfigMap>;

const cacheState = (informer: CmInformer) => JSON.stringify(informer.list('lbinf').map((o) => [o.metadata!.name, o.metadata!.resourceVersion]).sort());

async function serverState(url: string): Promise<string> {
  const list = await api(url, 'GET', '/api/v1/namespaces/lbinf/configmaps');
  return JSON.stringify(list.items.map((o: any) => [o.metadata.name, o.metadata.resourceVersion]).sort());
}

it('keeps an exact cache through kills of its watch\'s instance, listing only once', async () => {
  await api(lb.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'lbinf' } });
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'lb', server: lb.url, skipTLSVerify: true }], users: [{ name: 'admin' }],
    contexts: [{ name: 'lb', cluster: 'lb', user: 'admin' }], currentContext: 'lb',
  });
  const core = kc.makeApiClient(k8s.CoreV1Api);
  let lists = 0;
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/lbinf/configmaps', () => {
    lists++;
    return core.listNamespacedConfigMap({ namespace: 'lbinf' });
  }) as CmInformer;
  const errors: unknown[] = [];
  informer.on('error', (e) => errors.push(e));
  await informer.start();

  let n = 0;
  // A write in flight on an instance that was just killed gets 502 from the LB (it may have been
  // applied, so the LB does not repeat it): the writer repeats it, as a client would.
  const send = async (method: string, path: string, body?: unknown, type = 'application/json'): Promise<number> => {
    for (let attempt = 0; ; attempt++) {
      const r = await fetch(`${lb.url}${path}`, { method, headers: { 'Content-Type': type }, body: body === undefined ? undefined : JSON.stringify(body) });
      await r.arrayBuffer();
      if ((r.status !== 502 && r.status !== 503) || attempt >= 5) return r.status;
    }
  };
  const writes = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const name = `cm-${n++ % 12}`;
      const path = `/api/v1/namespaces/lbinf/configmaps/${name}`;
      const res = await fetch(`${lb.url}${path}`);
      await res.arrayBuffer();
      if (res.status === 404) expect([201, 409]).toContain(await send('POST', '/api/v1/namespaces/lbinf/configmaps', { metadata: { name }, data: { i: String(n) } }));
      else if (n % 5 === 0) expect([200, 404]).toContain(await send('DELETE', path));
      else expect(await send('PATCH', path, { data: { i: String(n) } }, 'application/merge-patch+json')).toBe(200);
    }
  };
  await writes(30);
  await eventually(async () => cacheState(informer) === (await serverState(lb.url)), { timeoutMs: 30000, what: 'the informer to match before any kill' });

  for (let round = 0; round < 2; round++) {
    // The instance holding the informer's watch, as the LB reports it.
    const stats = await lb.stats();
    const busiest = stats.backends.find((b: { openWatches: number }) => b.openWatches > 0);
    expect(busiest, JSON.stringify(stats.backends)).toBeDefined();
    const victim = cluster.apiservers.find((a) => a.url === busiest.url)!;
    victim.process.kill('SIGKILL');
    await writes(20);
    await eventually(async () => cacheState(informer) === (await serverState(lb.url)), { timeoutMs: 30000, what: `the informer to match after kill ${round + 1}` });
    cluster.apiservers.splice(cluster.apiservers.indexOf(victim), 1);
  }
  expect(lists).toBe(1);
  expect((await lb.stats()).watches.resumed).toBeGreaterThanOrEqual(2);
  await informer.stop();
}, 120000);
