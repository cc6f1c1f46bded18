// A watch client process (forked by scenarios/watch.ts): holds many chunked HTTP watches on one URL
// and times every event from the writer's timestamp inside the object to the moment it is read.
// vegeta does not model long-lived streams, so this is ours.
import http from 'node:http';
import https from 'node:https';
import { wallMs } from '../runner/stats.js';

export type ToClient = { cmd: 'open'; url: string; token?: string; count: number } | { cmd: 'report' } | { cmd: 'close' };
export type FromClient =
  | { msg: 'ready'; opened: number; failed: number }
  | { msg: 'received'; events: number }
  | { msg: 'report'; latencies: string; perWatcher: number[]; ended: number };


const tsField = Buffer.from('"ts":"');
const sockets: http.ClientRequest[] = [];
let latencies: number[] = [];
let perWatcher: number[] = [];
let events = 0;
let ended = 0;
const send = (m: FromClient) => process.send!(m);

function open(url: string, token: string | undefined, index: number): Promise<boolean> {
  return new Promise((resolve) => {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    // One connection per watcher, as a fleet of separate clients would have; the peer's certificate is self-signed.
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { agent: false, headers, rejectUnauthorized: false }, (res) => {
      if (res.statusCode !== 200) return resolve(false);
      resolve(true);
      // Bytes, not strings: the clients share the machine with the server, so they stay cheap.
      let rest: Buffer | undefined;
      res.on('data', (chunk: Buffer) => {
        const now = wallMs();
        const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
        let start = 0;
        for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
          // Only the write timestamp is needed: find it without parsing the event.
          const at = buf.indexOf(tsField, start);
          if (at >= 0 && at < nl) {
            const from = at + tsField.length;
            latencies.push(now - Number(buf.toString('latin1', from, buf.indexOf(34, from))));
            perWatcher[index]++;
            events++;
          }
          start = nl + 1;
        }
        rest = start < buf.length ? buf.subarray(start) : undefined;
      });
      res.on('end', () => ended++);
    });
    req.on('error', () => resolve(false));
    sockets.push(req);
  });
}

setInterval(() => send({ msg: 'received', events }), 250).unref();
// The coordinator is gone (killed, or exited on an error): so is the reason to hold these watches.
process.on('disconnect', () => process.exit(0));
process.on('message', async (m: ToClient) => {
  if (m.cmd === 'open') {
    latencies = [];
    perWatcher = new Array<number>(m.count).fill(0);
    events = 0;
    ended = 0;
    let opened = 0;
    let failed = 0;
    // Connect in batches, as a fleet of clients would arrive.
    for (let i = 0; i < m.count; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, m.count - i) }, (_, j) => open(m.url, m.token, i + j)));
      for (const ok of batch) (ok ? opened++ : failed++);
    }
    send({ msg: 'ready', opened, failed });
  } else if (m.cmd === 'report') {
    const buf = Buffer.from(new Float32Array(latencies).buffer);
    send({ msg: 'report', latencies: buf.toString('base64'), perWatcher, ended });
  } else if (m.cmd === 'close') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});
