// The bytes of a watch stream, read off a raw socket: the headers go out as soon as the watch is
// established, no body line comes before the first event, and each event's chunk (size line, data,
// closing CRLF) is complete on the wire when the event is written, not when the next one is.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { completeChunks, rawConnect, splitHead } from '../support/raw-http.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(1);
  await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'framing' } });
});
afterAll(async () => {
  await cluster?.stop();
});

/** The body's lines so far, from complete chunks only. */
function lines(received: Buffer): string[] {
  const head = splitHead(received);
  if (!head) return [];
  const text = Buffer.concat(completeChunks(head.body).chunks).toString('utf8');
  return text.split('\n').slice(0, -1);
}

for (const [what, accept] of [['JSON', 'application/json'], ['Table (kubectl get -w)', 'application/json;as=Table;v=v1;g=meta.k8s.io']]) {
  it(`a ${what} watch: headers at once, then one complete chunk per event`, async () => {
    const name = accept.includes('Table') ? 'table' : 'json';
    const conn = await rawConnect(cluster.url);
    try {
      await conn.send(`GET /api/v1/namespaces/framing/configmaps?watch=true&fieldSelector=metadata.name%3D${name} HTTP/1.1\r\nHost: x\r\nAccept: ${accept}\r\n\r\n`);
      await conn.until('the response head', (r) => splitHead(r) !== undefined);
      const head = splitHead(conn.received())!;
      expect(head.status).toBe(200);
      expect(head.headers['transfer-encoding']).toBe('chunked');
      // Nothing written yet: no line at all, not even an empty one (the Python client hands those to user code).
      expect(lines(conn.received())).toEqual([]);
      expect(completeChunks(head.body).chunks.join('').trim()).toBe('');

      await api(cluster.url, 'POST', '/api/v1/namespaces/framing/configmaps', { metadata: { name }, data: { n: '0' } });
      await conn.until('the ADDED event in a complete chunk', (r) => lines(r).length === 1);
      const cur = await api(cluster.url, 'GET', `/api/v1/namespaces/framing/configmaps/${name}`);
      await api(cluster.url, 'PUT', `/api/v1/namespaces/framing/configmaps/${name}`, { ...cur, data: { n: '1' } });
      await conn.until('the MODIFIED event in a complete chunk', (r) => lines(r).length === 2);

      expect(lines(conn.received()).filter((l) => l.trim() === ''), 'body lines that are not events').toEqual([]);
      const events = lines(conn.received()).map((l) => JSON.parse(l) as { type: string; object: { kind: string } });
      expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
      expect(events[0].object.kind).toBe(accept.includes('Table') ? 'Table' : 'ConfigMap');
    } finally {
      conn.destroy();
    }
  });
}

it('a watch that ends closes its stream with the terminating chunk, and every line is an event', async () => {
  const conn = await rawConnect(cluster.url);
  try {
    await conn.send('GET /api/v1/namespaces/framing/configmaps?watch=true&timeoutSeconds=1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await conn.until('the end of the stream', (r) => {
      const head = splitHead(r);
      return head !== undefined && completeChunks(head.body).ended;
    });
    expect(lines(conn.received()).filter((l) => l.trim() === ''), 'body lines that are not events').toEqual([]);
    for (const l of lines(conn.received())) expect(JSON.parse(l)).toHaveProperty('type');
  } finally {
    conn.destroy();
  }
});
