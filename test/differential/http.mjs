// A raw HTTP/1.1 client over net or tls: the catalogue needs requests fetch refuses to send
// (CONNECT, duplicate Content-Length, many or huge header fields, a head split across writes).
import net from 'node:net';
import tls from 'node:tls';

/** Header pairs from an object or an array of [name, value] (arrays allow repeated names). */
export function headerPairs(headers) {
  if (!headers) return [];
  return Array.isArray(headers) ? headers : Object.entries(headers);
}

function decodeChunked(buf) {
  const parts = [];
  let i = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) return undefined;
    const size = parseInt(buf.subarray(i, eol).toString('latin1').split(';')[0], 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    if (buf.length < eol + 2 + size + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

/**
 * Sends one request on a fresh connection and reads one response.
 * target: { host, port, tls, ca?, cert?, key?, token? }. req: { method, path, headers, body, splitAt, noContentLength,
 * timeoutMs, streamMs }. streamMs: for a streaming answer (watch), how long to keep reading
 * after the head; the result then says whether the server still held the stream open.
 * Resolves { status, headers, body, streamOpen? } or { status: 0, error } when no answer came.
 */
export function rawRequest(target, req) {
  const body = req.body === undefined || req.body === null ? undefined
    : Buffer.isBuffer(req.body) ? req.body : Buffer.from(String(req.body));
  const pairs = headerPairs(req.headers);
  const has = (n) => pairs.some(([k]) => k.toLowerCase() === n);
  const lines = [`${req.method} ${req.path} HTTP/1.1`];
  if (!has('host')) lines.push(`Host: ${target.host}:${target.port}`);
  for (const [k, v] of pairs) lines.push(`${k}: ${v}`);
  if (body && !req.noContentLength && !has('content-length') && !has('transfer-encoding')) lines.push(`Content-Length: ${body.length}`);
  if (!has('connection')) lines.push('Connection: close');
  const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
  const wire = body ? Buffer.concat([head, body]) : head;
  const timeoutMs = req.timeoutMs ?? 15000;

  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let done = false;
    let parsed;
    let streamTimer;
    const socket = target.tls
      // target.ca: verify the server; target.cert/key: present a client certificate (the secured LB's identity).
      ? tls.connect({ host: target.host, port: target.port, rejectUnauthorized: !!target.ca, ca: target.ca, cert: target.cert, key: target.key, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: target.host, port: target.port });
    const finish = (result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(streamTimer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(parsed ? { ...parsed, body: buf.subarray(parsed.bodyStart).toString('utf8'), error: 'timeout reading body' } : { status: 0, error: 'timeout' }), timeoutMs);
    socket.setNoDelay(true);
    socket.on('error', (e) => finish(parsed ? { ...parsed, body: buf.subarray(parsed.bodyStart).toString('utf8') } : { status: 0, error: `socket: ${e.code ?? e.message}` }));
    socket.on('close', () => {
      if (!parsed) return finish({ status: 0, error: 'closed without a response' });
      const rest = buf.subarray(parsed.bodyStart);
      const text = parsed.headers['transfer-encoding'] === 'chunked' ? (decodeChunked(rest) ?? rest).toString('utf8') : rest.toString('utf8');
      finish({ ...parsed, body: text, ...(req.streamMs ? { streamOpen: false } : {}) });
    });
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!parsed) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const headLines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(headLines[0]);
        const headers = {};
        for (const l of headLines.slice(1)) {
          const c = l.indexOf(':');
          if (c < 0) continue;
          const k = l.slice(0, c).trim().toLowerCase();
          const v = l.slice(c + 1).trim();
          headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
        }
        parsed = { status: m ? Number(m[1]) : 0, headers, bodyStart: end + 4 };
        if (req.streamMs && parsed.status === 200) {
          streamTimer = setTimeout(() => finish({ ...parsed, body: buf.subarray(parsed.bodyStart).toString('utf8'), streamOpen: true }), req.streamMs);
        }
      }
      const rest = buf.subarray(parsed.bodyStart);
      if (req.method === 'HEAD' || parsed.status === 204 || parsed.status === 304) return finish({ ...parsed, body: '' });
      const cl = parsed.headers['content-length'];
      if (cl !== undefined && rest.length >= Number(cl)) return finish({ ...parsed, body: rest.subarray(0, Number(cl)).toString('utf8') });
      if (parsed.headers['transfer-encoding'] === 'chunked' && !req.streamMs) {
        const text = decodeChunked(rest);
        if (text) finish({ ...parsed, body: text.toString('utf8') });
      }
    });
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      if (req.splitAt && req.splitAt < wire.length) {
        socket.write(wire.subarray(0, req.splitAt));
        // a second TCP read on the server: the first segment must leave before the rest
        setTimeout(() => socket.write(wire.subarray(req.splitAt)), 50);
      } else {
        socket.write(wire);
      }
    });
  });
}
