// The data every target gets before it is measured, written through its own API: the same
// namespaces and ConfigMaps on each side, so every figure compares like with like.
import { HttpError, request } from './http.js';
import { sequence } from './stats.js';
import type { Target } from './targets.js';

export const namespaces = {
  /** 100 objects: GET reads cm-00000; patch and mixed spread their writes over all of them. */
  pool: 'bench-pool',
  list100: 'bench-list-100',
  /** 1000 objects, labelled shard=s0..s9 (100 each) for the label-selector list. */
  list1000: 'bench-list-1000',
  /** Empty: create fills it, update then changes what create made. */
  create: 'bench-create',
  /** 10 objects the watch scenario's writer updates. */
  watch: 'bench-watch',
};

export const objectName = (i: number) => `cm-${String(i).padStart(5, '0')}`;

// A realistic ConfigMap: a few labels and annotations and ~1 KiB of data in two keys.
const properties = Array.from({ length: 24 }, (_, i) => `setting.${String(i).padStart(2, '0')}=value-${'v'.repeat(20)}`).join('\n');

export function configMap(ns: string, metadata: { name?: string; generateName?: string }, labels: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { ...metadata, namespace: ns, labels: { app: 'bench', tier: 'backend', ...labels }, annotations: { 'bench.example.com/owner': 'bench' } },
    data: { 'app.properties': properties, 'mode': 'production' },
  });
}

export async function seed(target: Target): Promise<void> {
  // A server seeded before (an external --target measured again) already has it all: 409 is fine.
  const post = (p: string, body: string) => request(target.url, 'POST', p, body, { token: target.token }).catch((e: unknown) => {
    if (!(e instanceof HttpError && e.status === 409)) throw e;
  });
  for (const ns of Object.values(namespaces)) {
    await post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  }
  const fill = async (ns: string, n: number, labels: (i: number) => Record<string, string> = () => ({})) => {
    const next = sequence();
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = next(); i < n; i = next()) await post(`/api/v1/namespaces/${ns}/configmaps`, configMap(ns, { name: objectName(i) }, labels(i)));
    }));
  };
  await fill(namespaces.pool, 100);
  await fill(namespaces.list100, 100);
  await fill(namespaces.list1000, 1000, (i) => ({ shard: `s${i % 10}` }));
  await fill(namespaces.watch, 10);
}
