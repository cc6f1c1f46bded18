// The LB's limits on what a client may hold, against a stand-in instance, with short bounds set by
// flags: a head sent a byte at a time is cut after --header-timeout, an idle keep-alive connection
// after --idle-timeout, a stalled body after --body-idle-timeout, while a quiet watch and a slow but
// flowing body pass; and --max-connections turns away what is over the cap.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { type LbProcess, startLb } from '../support/lb.js';

/** Watch events are this far apart: longer than every bound the limited LB has. */
const quietMs = 3000;
let backend: http.Server;
let backendUrl: string;
let limited: LbProcess | undefined;
let capped: LbProcess | undefined;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  backend = http.createServer((req, res) => {
    if (req.url === '/readyz') return void res.end('ok');
    if (req.url!.includes('watch=')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      let rv = 1;
      const send = () => {
        res.write(`{"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm-${rv}","resourceVersion":"${rv}"}}}\n`);
        rv++;
      };
      send();
      const timer = setInterval(send, quietMs);
      res.on('close', () => clearInterval(timer));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => res.end(Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendUrl = `http://127.0.0.1:${(backend.address() as net.AddressInfo).port}`;
  limited = await startLb([backendUrl], ['--header-timeout', '1s', '--idle-timeout', '1s', '--body-idle-timeout', '2s']);
  capped = await startLb([backendUrl], ['--max-connections', '2']);
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await limited?.stop();
  await capped?.stop();
  backend.closeAllConnections();
  await new Promise((resolve) => backend.close(resolve));
});

/** A raw connection to `lb`; `closedAfter` resolves with the ms from now until the LB closes it. */
async function connect(lb: LbProcess): Promise<{ socket: net.Socket; data: () => string; closed: Promise<number> }> {
  const socket = net.connect(lb.port, '127.0.0.1');
  sockets.add(socket);
  let text = '';
  socket.on('data', (d) => { text += d.toString(); });
  socket.on('error', () => undefined);
  const opened = Date.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, data: () => text, closed };
}

/** Writes `text` a byte at a time, `everyMs` apart, until the socket closes. */
function dribble(socket: net.Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return void clearInterval(timer);
    socket.write(text[i++]);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

it('cuts a head sent a byte at a time after --header-timeout while a quiet watch keeps streaming past it', async () => {
  const events: { at: number; line: string }[] = [];
  const started = Date.now();
  const watch = http.get(`${limited!.url}/api/v1/configmaps?watch=1&resourceVersion=0`, (res) => {
    let buf = '';
    res.on('data', (c) => {
      buf += c;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        events.push({ at: Date.now() - started, line: buf.slice(0, nl) });
        buf = buf.slice(nl + 1);
      }
    });
  });
  watch.on('error', () => undefined);
  try {
    await eventually(() => events.length >= 1, { what: 'the first watch event' });

    const slow = await connect(limited!);
    dribble(slow.socket, 'GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nUser-Agent: slowloris-slowloris-slowloris\r\n\r\n', 50);
    const cutAfter = await slow.closed;
    expect(cutAfter).toBeGreaterThanOrEqual(900);
    expect(cutAfter).toBeLessThan(6000); // without the bound: never
    // A connection that never sends a byte is cut the same way.
    const silent = await connect(limited!);
    expect(await silent.closed).toBeLessThan(6000);

    // The watch was quiet for longer than every bound and still delivers.
    await eventually(() => events.length >= 3, { what: 'two more watch events', timeoutMs: 4 * quietMs });
    expect(events[2].at - events[0].at).toBeGreaterThan(quietMs);
    expect(events.map((e) => JSON.parse(e.line).object.metadata.name)).toEqual(expect.arrayContaining(['cm-1', 'cm-2', 'cm-3']));
  } finally {
    watch.destroy();
  }
}, 30_000);

it('closes an idle keep-alive connection after --idle-timeout', async () => {
  const c = await connect(limited!);
  c.socket.write('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n');
  await eventually(() => c.data().startsWith('HTTP/1.1 200'), { what: 'the answer' });
  const answeredAt = Date.now();
  await c.closed;
  const idle = Date.now() - answeredAt;
  expect(idle).toBeGreaterThanOrEqual(800);
  expect(idle).toBeLessThan(6000);
}, 15_000);

it('cuts a request body that stalls, and lets a slow one that flows through', async () => {
  const stalled = await connect(limited!);
  stalled.socket.write('POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
  const cut = await stalled.closed;
  expect(cut).toBeLessThan(8000);
  expect(stalled.data()).toBe('');

  // 20 bytes, one every 100 ms: 2 s in all, never near the 2 s bound without a byte, even on a busy machine.
  const body = '{"pad":"abcdefghij"}';
  const flowing = await connect(limited!);
  flowing.socket.write(`POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  dribble(flowing.socket, body, 100);
  await eventually(() => flowing.data().includes(body), { what: 'the echoed body', timeoutMs: 10_000 });
  expect(flowing.data()).toMatch(/^HTTP\/1.1 200/);
}, 30_000);

it('turns away connections over --max-connections and serves again once one closes', async () => {
  const held = [await connect(capped!), await connect(capped!)];
  for (const h of held) h.socket.write('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n');
  await eventually(() => held.every((h) => h.data().startsWith('HTTP/1.1 200')), { what: 'both held connections answered' });
  const over = await connect(capped!);
  over.socket.write('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n');
  expect(await over.closed).toBeLessThan(6000);
  expect(over.data()).toBe('');
  await capped!.waitFor((s) => s.connections.dropped >= 1 && s.connections.open === 2, 'the drop counted');

  held[0].socket.destroy();
  await capped!.waitFor((s) => s.connections.open === 1, 'one connection left');
  const next = await connect(capped!);
  next.socket.write('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n');
  await eventually(() => next.data().startsWith('HTTP/1.1 200'), { what: 'a new connection served' });
}, 30_000);
