// Why "a pod on a registered node ... its namespace waits for it" (core-services) once saw its namespace
// vanish: uWebSockets.js binds with SO_REUSEPORT unless told otherwise, so an API server of another test
// file that picked the same free port started fine and the kernel handed it half of the new connections.
// The server now binds exclusively, as kube-apiserver does without --permit-port-sharing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiServer, startCluster, startEtcd, type Etcd, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;
let otherEtcd: Etcd;
beforeAll(async () => {
  cluster = await startCluster(1);
  otherEtcd = await startEtcd(cluster.dir);
});
afterAll(async () => {
  await otherEtcd?.stop();
  await cluster?.stop();
});

it('a second API server cannot take the port one already serves', async () => {
  const taken = cluster.apiservers[0].port;
  const err = await startApiServer(otherEtcd.url, [], {}, taken).then((s) => s.stop().then(() => undefined), (e: Error) => e);
  expect(err?.message).toContain(`cannot listen on 127.0.0.1:${taken}`);
  // Every new connection still reaches the one server (and so the one etcd) the port belongs to.
  await fetch(`${cluster.url}/api/v1/namespaces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'only-here' } }) });
  const codes = await Promise.all(Array.from({ length: 20 }, async () => (await fetch(`${cluster.url}/api/v1/namespaces/only-here`, { headers: { Connection: 'close' } })).status));
  expect(codes).toEqual(Array(20).fill(200));
});
