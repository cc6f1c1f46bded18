// The request scenarios vegeta runs against every target: what each one sends. Reads hit the seeded
// namespaces; writes change what they touch each time (a patch that changes nothing is no write in
// kube-apiserver, so bodies carry a counter).
import { request } from '../runner/http.js';
import { configMap, namespaces, objectName } from '../runner/seed.js';
import type { Target } from '../runner/targets.js';
import type { Target as VegetaTarget } from '../runner/vegeta.js';

export interface RequestScenario {
  name: string;
  /** Built just before the attack: update reads what create left behind. */
  targets(t: Target): Promise<VegetaTarget[]>;
  /** Each target once, then stop (PUTs carrying a resourceVersion only succeed once). */
  once?: boolean;
}

const cms = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

function build(t: Target, method: string, p: string, body?: string, contentType = 'application/json'): VegetaTarget {
  const header: Record<string, string[]> = { Accept: ['application/json'] };
  if (t.token) header.Authorization = [`Bearer ${t.token}`];
  if (body) header['Content-Type'] = [contentType];
  return { method, url: t.url + p, body, header };
}

const get = (t: Target, p: string) => build(t, 'GET', p);
// Distinct bodies, so no patch is a no-op; a pool of objects, so writers rarely collide on one.
const patches = (t: Target, n: number) => Array.from({ length: n }, (_, i) =>
  build(t, 'PATCH', `${cms(namespaces.pool)}/${objectName(i % 100)}`, JSON.stringify({ data: { counter: String(i) } }), 'application/merge-patch+json'));

export const requestScenarios: RequestScenario[] = [
  { name: 'get', targets: async (t) => [get(t, `${cms(namespaces.pool)}/${objectName(0)}`)] },
  { name: 'get-rv0', targets: async (t) => [get(t, `${cms(namespaces.pool)}/${objectName(0)}?resourceVersion=0`)] },
  { name: 'list-100', targets: async (t) => [get(t, cms(namespaces.list100))] },
  { name: 'list-100-limit-50', targets: async (t) => [get(t, `${cms(namespaces.list100)}?limit=50`)] },
  { name: 'list-1000', targets: async (t) => [get(t, cms(namespaces.list1000))] },
  { name: 'list-1000-limit-100', targets: async (t) => [get(t, `${cms(namespaces.list1000)}?limit=100`)] },
  { name: 'list-1000-label', targets: async (t) => [get(t, `${cms(namespaces.list1000)}?labelSelector=shard%3Ds3`)] },
  { name: 'create', targets: async (t) => [build(t, 'POST', cms(namespaces.create), configMap(namespaces.create, { generateName: 'bench-' }))] },
  {
    // One PUT per object create made, each with the resourceVersion read just before: a 409 here is
    // a conflict the server made, not one the benchmark forced.
    name: 'update', once: true,
    targets: async (t) => {
      const list = JSON.parse((await request(t.url, 'GET', cms(namespaces.create), undefined, { token: t.token })).body) as { items: Array<Record<string, unknown> & { data?: Record<string, string> }> };
      if (!list.items.length) throw new Error(`update: nothing in ${namespaces.create} (did create fail?)`);
      return list.items.map((o) => {
        const meta = o.metadata as { name: string };
        const body = JSON.stringify({ ...o, apiVersion: 'v1', kind: 'ConfigMap', data: { ...o.data, mode: 'updated' } });
        return build(t, 'PUT', `${cms(namespaces.create)}/${meta.name}`, body);
      });
    },
  },
  { name: 'patch', targets: async (t) => patches(t, 10000) },
  {
    // A controller fleet: nine reads of single objects for every write.
    name: 'mixed',
    targets: async (t) => patches(t, 1000).flatMap((p, i) => [
      ...Array.from({ length: 9 }, (_, j) => get(t, `${cms(namespaces.pool)}/${objectName((i * 9 + j) % 100)}`)), p]),
  },
];
