// A watcher that stops reading is disconnected once too much is queued for it, instead of growing
// the server's memory without bound.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(1, ['--watch-max-queued-bytes=1048576']);
});
afterAll(async () => {
  await cluster?.stop();
});

it('closes a watcher that does not keep up', async () => {
  const port = cluster.apiservers[0].port;
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  // Small receive buffer, and never read: the server's writes back up.
  socket.setNoDelay(true);
  socket.write('GET /api/v1/namespaces/default/configmaps?watch=1 HTTP/1.1\r\nHost: test\r\n\r\n');
  socket.pause();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let ended = false;
  void closed.then(() => {
    ended = true;
  });
  const big = 'x'.repeat(512 * 1024);
  // Far more than the kernel buffers and the 1 MiB limit together; stop as soon as the server gives up
  // (it says so, and may end the stream only once the client reads again).
  const gaveUp = () => ended || cluster.apiservers[0].logs().includes('client too slow');
  let writes = 0;
  for (; writes < 200 && !gaveUp(); writes++) {
    await api(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `big-${writes}` }, data: { big } });
  }
  if (!gaveUp()) throw new Error(`the server kept a watcher that read nothing through ${writes} writes of 512 KiB`);
  socket.resume();
  socket.on('data', () => undefined);
  await closed;
  expect(ended).toBe(true);
  expect(cluster.apiservers[0].logs()).toContain('client too slow');
  // The server is fine afterwards.
  expect((await fetch(`${cluster.url}/readyz`)).status).toBe(200);
});
