// An informer from @kubernetes/client-node keeps an exact cache through a storm of writes and
// through an API server restart.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiServer, startCluster, type TestCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(1);
});
afterAll(async () => {
  await cluster?.stop();
});

function cacheState(informer: k8s.Informer<k8s.V1ConfigMap> & k8s.ObjectCache<k8s.V1ConfigMap>): string {
  return JSON.stringify(informer.list('storm').map((o) => [o.metadata!.name, o.metadata!.resourceVersion]).sort());
}

async function serverState(url: string): Promise<string> {
  const list = await api(url, 'GET', '/api/v1/namespaces/storm/configmaps');
  return JSON.stringify(list.items.map((o: any) => [o.metadata.name, o.metadata.resourceVersion]).sort());
}

it('keeps an exact cache through a storm and a restart', async () => {
  await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'storm' } });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  // The server speaks plain HTTP until TLS lands; client-node only allows that with skipTLSVerify.
  const useServer = (server: string) => kc.loadFromOptions({
    clusters: [{ name: 'test', server, skipTLSVerify: true }], users: [{ name: 'admin' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'admin' }], currentContext: 'test',
  });
  useServer(cluster.url);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/storm/configmaps', () => core.listNamespacedConfigMap({ namespace: 'storm' })) as k8s.Informer<k8s.V1ConfigMap> & k8s.ObjectCache<k8s.V1ConfigMap>;
  informer.on('error', () => setTimeout(() => void informer.start().catch(() => undefined), 200));
  await informer.start();

  const storm = async (prefix: string) => {
    await Promise.all(Array.from({ length: 6 }, async (_, w) => {
      for (let i = 0; i < 15; i++) {
        const name = `${prefix}-${w}-${i % 5}`;
        const res = await fetch(`${cluster.url}/api/v1/namespaces/storm/configmaps/${name}`);
        if (res.status === 404) await api(cluster.url, 'POST', '/api/v1/namespaces/storm/configmaps', { metadata: { name }, data: { i: String(i) } });
        else if (i % 3 === 0) await api(cluster.url, 'DELETE', `/api/v1/namespaces/storm/configmaps/${name}`).catch(() => undefined);
        else {
          const cur = await res.json();
          await api(cluster.url, 'PUT', `/api/v1/namespaces/storm/configmaps/${name}`, { ...cur, data: { i: String(i) } }).catch(() => undefined);
        }
      }
    }));
  };
  await storm('a');
  await eventually(async () => cacheState(informer) === (await serverState(cluster.url)), { timeoutMs: 40000, what: 'the informer to match after the storm' });
  expect(informer.list('storm').length).toBeGreaterThan(0);

  // Restart the API server on the same port; the informer reconnects and catches up.
  const port = cluster.apiservers[0].port;
  await cluster.apiservers[0].stop();
  const restarted = await startApiServer(cluster.etcd.url, [], {}, port);
  cluster.apiservers[0] = restarted;
  await storm('b');
  await eventually(async () => cacheState(informer) === (await serverState(restarted.url)), { timeoutMs: 40000, what: 'the informer to match after the restart' });
  await informer.stop();
});
