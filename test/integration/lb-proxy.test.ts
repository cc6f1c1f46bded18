// The LB's HTTP behaviour against small stand-in backends that misbehave on cue: what is retried and
// what is not, front-proxy headers, streamed bodies with backpressure, and the edges node's parser
// or kube refuse (answered as Status JSON).
import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type LbProcess, startLb } from '../support/lb.js';

interface Fake {
  url: string;
  server: http.Server;
  seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[];
  /** How to answer the next non-/readyz request; default: 200 echo. */
  behaviour: 'echo' | 'drop-after-body' | 'drop-once' | 'slow-stream' | 'watch';
  /** Times a write to the LB returned false: the LB pushed back instead of buffering. */
  pushedBack: number;
  /** For 'watch': die in the middle of the line of this resourceVersion (once). */
  dieAt?: number;
}

const watchEvents = 3000;
const watchLine = (rv: number) => `{"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm-${rv}","resourceVersion":"${rv}"},"data":{"pad":"${'p'.repeat(1000)}"}}}\n`;

/** For 'drop-once': the first instance to see a request drops it, the next answers. */
let dropped = false;

async function fake(): Promise<Fake> {
  const f: Fake = { url: '', server: undefined as unknown as http.Server, seen: [], behaviour: 'echo', pushedBack: 0 };
  f.server = http.createServer((req, res) => {
    if (req.url === '/readyz') return void res.end('ok');
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      f.seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (f.behaviour === 'drop-after-body' || (f.behaviour === 'drop-once' && !dropped)) {
        dropped = true;
        return void req.socket.destroy();
      }
      if (f.behaviour === 'watch') {
        // Events after the asked resourceVersion, written in pieces that do not follow line ends.
        const from = Number(new URL(req.url!, 'http://x').searchParams.get('resourceVersion'));
        res.writeHead(200, { 'content-type': 'application/json' });
        let rv = from + 1;
        let carry = '';
        const pump = () => {
          while (rv <= watchEvents || carry) {
            let text = carry;
            while (text.length < 7000 && rv <= watchEvents) text += watchLine(rv++);
            const piece = text.slice(0, 5000);
            carry = text.slice(5000);
            if (f.dieAt !== undefined && rv > f.dieAt) {
              // Half of a line reaches the LB, then the instance is gone.
              f.dieAt = undefined;
              res.write(piece.slice(0, piece.lastIndexOf('\n') + 40));
              return void setTimeout(() => req.socket.destroy(), 50);
            }
            if (!res.write(piece)) {
              f.pushedBack++;
              return void res.once('drain', pump);
            }
          }
          // Every event is out; the stream stays open, as a real watch does.
        };
        return pump();
      }
      if (f.behaviour === 'slow-stream') {
        // 8 MiB in 64 KiB writes, respecting backpressure: the LB must pass it on without buffering it all.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        let sent = 0;
        const block = Buffer.alloc(64 * 1024, 120);
        const pump = () => {
          while (sent < 128) {
            sent++;
            if (!res.write(block)) {
              f.pushedBack++;
              return void res.once('drain', pump);
            }
          }
          res.end();
        };
        return pump();
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((r) => f.server.listen(0, '127.0.0.1', r));
  f.url = `http://127.0.0.1:${(f.server.address() as net.AddressInfo).port}`;
  return f;
}

let a: Fake;
let b: Fake;
let lb: LbProcess;
beforeAll(async () => {
  a = await fake();
  b = await fake();
  lb = await startLb([a.url, b.url]);
});
afterAll(async () => {
  await lb?.stop();
  a?.server.close();
  b?.server.close();
});
afterEach(() => {
  a.behaviour = b.behaviour = 'echo';
  a.seen = [];
  b.seen = [];
  a.pushedBack = b.pushedBack = 0;
});

it('a POST that reached an instance which then died is not retried: 502 Status, one attempt', async () => {
  a.behaviour = b.behaviour = 'drop-after-body';
  const res = await fetch(`${lb.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', body: '{"metadata":{"name":"x"}}', headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(502);
  expect(await res.json()).toMatchObject({ kind: 'Status', code: 502 });
  expect(a.seen.length + b.seen.length).toBe(1);
});

it('a GET whose instance died before answering is retried on another instance', async () => {
  // Whichever instance the LB picks first drops the request; the other answers.
  dropped = false;
  a.behaviour = b.behaviour = 'drop-once';
  const res = await fetch(`${lb.url}/api/v1/namespaces`);
  expect(res.status).toBe(200);
  expect(a.seen.length).toBe(1);
  expect(b.seen.length).toBe(1);
});

it('with a single instance, a GET that failed before its answer is retried on the same instance', async () => {
  const solo = await startLb([a.url]);
  try {
    dropped = false;
    a.behaviour = 'drop-once';
    const res = await fetch(`${solo.url}/api/v1/namespaces`);
    expect(res.status).toBe(200);
    expect(a.seen.length).toBe(2);
  } finally {
    await solo.stop();
  }
});

it('client-sent X-Remote-* headers are stripped and X-Forwarded-For is set', async () => {
  const res = await fetch(`${lb.url}/api/v1/namespaces`, { headers: { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters', 'X-Remote-Extra-Scopes': 'all' } });
  const echoed = await res.json();
  expect(Object.keys(echoed.headers).filter((h) => h.startsWith('x-remote-'))).toEqual([]);
  expect(echoed.headers['x-forwarded-for']).toBe('127.0.0.1');
});

it('request bodies and responses stream through with backpressure', async () => {
  a.behaviour = b.behaviour = 'slow-stream';
  // Read the 8 MiB response slowly; the LB must not hold it all.
  const res = await fetch(`${lb.url}/api/v1/namespaces/default/pods/x/log?follow=true`);
  const reader = res.body!.getReader();
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.length;
    if (total < 1024 * 1024) await new Promise((r) => setTimeout(r, 1));
  }
  expect(total).toBe(8 * 1024 * 1024);
  expect(a.pushedBack + b.pushedBack).toBeGreaterThan(0);
  // A body of 4 MiB sent in pieces arrives whole.
  a.behaviour = b.behaviour = 'echo';
  const body = 'y'.repeat(4 * 1024 * 1024);
  const echoed = await (await fetch(`${lb.url}/api/v1/namespaces`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).json();
  expect(echoed.body.length).toBe(body.length);
});

function raw(text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(lb.port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(out));
    s.write(text);
    setTimeout(() => s.end(), 2000);
  });
}

function statusOf(response: string): { code: number; body: any } {
  const [head, body] = response.split('\r\n\r\n');
  return { code: Number(head.split(' ')[1]), body: JSON.parse(body) };
}

it('an unknown method is 405 with a Status body; CONNECT is kube\'s plain-text 404', async () => {
  for (const [method, target] of [['FOO', '/api/v1/namespaces'], ['PROPFIND', '/api/v1/namespaces']]) {
    const r = statusOf(await raw(`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    expect(r.code).toBe(405);
    expect(r.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'MethodNotAllowed', code: 405 });
  }
  const connect = await raw('CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(connect.split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
  expect(connect.split('\r\n\r\n')[1]).toBe('404 page not found\n');
  expect(a.seen.length + b.seen.length).toBe(0);
});

it('conflicting Content-Length is 400 with a Status body and reaches no instance', async () => {
  const r = statusOf(await raw('POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello'));
  expect(r.code).toBe(400);
  expect(r.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
  const te = statusOf(await raw('POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'));
  expect(te.code).toBe(400);
  expect(a.seen.length + b.seen.length).toBe(0);
});

it('a 30 KiB request head with 200 headers is answered; one over 32 KiB is 431 Status', async () => {
  let h = '';
  for (let i = 0; i < 200; i++) h += `X-Header-${i}: ${'v'.repeat(130)}\r\n`;
  const ok = await raw(`GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n${h}Connection: close\r\n\r\n`);
  expect(ok.split(' ')[1]).toBe('200');
  // What reached the instance fits uWebSockets.js's 50-line limit and keeps what kube reads.
  const seen = [...a.seen, ...b.seen][0];
  expect(Object.keys(seen.headers).length).toBeLessThanOrEqual(50);
  expect(seen.headers.accept).toBe('application/json');
  for (let i = 200; i < 260; i++) h += `X-Header-${i}: ${'v'.repeat(130)}\r\n`;
  const big = statusOf(await raw(`GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n${h}Connection: close\r\n\r\n`));
  expect(big.code).toBe(431);
  expect(big.body).toMatchObject({ kind: 'Status', code: 431 });
});

it('a watch relayed from instances that write partial lines and die mid-line reaches a slow client whole, once and in order, with backpressure', async () => {
  a.behaviour = b.behaviour = 'watch';
  a.dieAt = b.dieAt = 1600;
  const stream = await fetch(`${lb.url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=100`);
  expect(stream.status).toBe(200);
  const reader = stream.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const rvs: number[] = [];
  const expected = watchEvents - 100;
  while (rvs.length < expected) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      rvs.push(Number(JSON.parse(buf.slice(0, nl)).object.metadata.resourceVersion));
      buf = buf.slice(nl + 1);
    }
    // A slow reader for the first part: the LB must push back on the instance rather than buffer.
    if (rvs.length < 800) await new Promise((r) => setTimeout(r, 2));
  }
  // Nothing more (no duplicate) arrives after the last event.
  const more = await Promise.race([reader.read().then((r) => r.value?.length ?? 0), new Promise<number>((r) => setTimeout(() => r(0), 300))]);
  await reader.cancel();
  expect(more).toBe(0);
  expect(buf).toBe('');
  expect(rvs).toEqual(Array.from({ length: watchEvents - 100 }, (_, i) => i + 101));
  expect(a.pushedBack + b.pushedBack).toBeGreaterThan(0);
  const asked = [...a.seen, ...b.seen].map((x) => new URL(x.url, 'http://x').searchParams);
  // The first request, then at least one resume from the last whole line delivered, asking for bookmarks.
  expect(asked.filter((q) => q.get('resourceVersion') === '100')).toHaveLength(1);
  expect(asked.length).toBeGreaterThanOrEqual(2);
  for (const q of asked.filter((x) => x.get('resourceVersion') !== '100')) {
    expect(Number(q.get('resourceVersion'))).toBeGreaterThan(100);
    expect(q.get('allowWatchBookmarks')).toBe('true');
  }
});
