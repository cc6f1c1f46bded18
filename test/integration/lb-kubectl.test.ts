// The real kubectl 1.35 through the load balancer: `kubectl get -w` keeps printing across a kill -9
// of the instance serving its watch (without the LB's resume, kubectl exits when its watch breaks),
// once per event, with its header once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kubectlPath, startApiServer, startCluster, type TestCluster, writeKubeconfig } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { type LbProcess, startLb } from '../support/lb.js';

let cluster: TestCluster;
let lb: LbProcess;
let kubeconfig: string;
beforeAll(async () => {
  cluster = await startCluster(2);
  lb = await startLb(cluster.apiservers.map((a) => a.url));
  kubeconfig = writeKubeconfig(path.join(cluster.dir, 'lb-kubeconfig'), lb.url);
});
afterAll(async () => {
  await lb?.stop();
  await cluster?.stop();
});

async function create(name: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${lb.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name }, data: { k: 'v' } }) });
    if (res.status === 201 || res.status === 409) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`could not create ${name}`);
}

it('kubectl get -w through the LB carries on across a kill -9 of its instance', async () => {
  await create('first');
  const child = spawn(kubectlPath, ['get', 'configmaps', '-w', '--output-watch-events', '-n', 'default'], { env: { ...process.env, KUBECONFIG: kubeconfig } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    await eventually(() => /ADDED\s+first/.test(out), { what: 'kubectl to print the first object' });
    await eventually(async () => (await lb.stats()).watches.open === 1, { what: 'the watch through the LB' });
    const holder = (await lb.stats()).backends.find((b: any) => b.openWatches === 1).url;
    const victim = cluster.apiservers.find((a) => a.url === holder)!;
    await create('before-kill');
    victim.process.kill('SIGKILL');
    for (let i = 0; i < 5; i++) await create(`after-kill-${i}`);
    await eventually(() => /ADDED\s+after-kill-4/.test(out), { what: 'the last object' });
    await new Promise((r) => setTimeout(r, 300));
    expect(exited).toBe(false);
    const names = out.split('\n').filter((l) => /^ADDED/.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(names).toEqual(['first', 'before-kill', ...Array.from({ length: 5 }, (_, i) => `after-kill-${i}`)]);
    expect(out.match(/^EVENT\s+NAME\s+DATA\s+AGE$/gm)).toHaveLength(1);
    expect((await lb.stats()).watches.resumed).toBe(1);
    const i = cluster.apiservers.indexOf(victim);
    cluster.apiservers[i] = await startApiServer(cluster.etcd.url, [], {}, victim.port);
  } finally {
    child.kill('SIGTERM');
  }
});
