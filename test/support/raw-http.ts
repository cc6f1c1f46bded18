// A raw HTTP/1.1 client on node:net for tests that must see the bytes: what arrives, in which TCP
// reads, and whether the server closes. Nothing is parsed for you beyond the status line.
import net from 'node:net';

export interface RawConnection {
  /** Every byte received so far. */
  received(): Buffer;
  /** Sends bytes as one write (one TCP segment on loopback, normally). */
  send(data: string | Buffer): Promise<void>;
  /** Waits until `check` holds for the bytes so far; fails after `timeoutMs` with `what`. */
  until(what: string, check: (received: Buffer) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves when the server closes the connection (or it errors). */
  closed: Promise<void>;
  isClosed(): boolean;
  destroy(): void;
}

export function rawConnect(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    socket.setNoDelay(true);
    const chunks: Buffer[] = [];
    const listeners = new Set<() => void>();
    let isClosed = false;
    const closed = new Promise<void>((r) => {
      const done = () => {
        isClosed = true;
        for (const l of listeners) l();
        r();
      };
      socket.once('close', done);
    });
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      chunks.push(d);
      for (const l of listeners) l();
    });
    socket.once('connect', () => resolve({
      received: () => Buffer.concat(chunks),
      send: (data) => new Promise<void>((r, j) => socket.write(data, (e) => (e ? j(e) : r()))),
      until: (what, check, timeoutMs = 10000) => new Promise<void>((r, j) => {
        const test = () => {
          if (check(Buffer.concat(chunks))) {
            clearTimeout(timer);
            listeners.delete(test);
            r();
          } else if (isClosed) {
            clearTimeout(timer);
            listeners.delete(test);
            j(new Error(`connection closed before ${what}; received ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 500))}`));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(test);
          j(new Error(`timed out waiting for ${what}; received ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 500))}`));
        }, timeoutMs);
        listeners.add(test);
        test();
      }),
      closed,
      isClosed: () => isClosed,
      destroy: () => socket.destroy(),
    }));
    socket.once('error', reject);
  });
}

/** Splits a response into its head and body once the head is complete. */
export function splitHead(bytes: Buffer): { status: number; headers: Record<string, string>; body: Buffer } | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: bytes.subarray(end + 4) };
}

/**
 * Parses a chunked body strictly: only chunks whose size line, data and closing CRLF have all
 * arrived count. `ended` once the zero-size chunk has arrived.
 */
export function completeChunks(body: Buffer): { chunks: Buffer[]; ended: boolean } {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) return { chunks, ended: false };
    const sizeText = body.subarray(at, lineEnd).toString('latin1');
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`malformed chunk size line ${JSON.stringify(sizeText)} at byte ${at}`);
    const size = parseInt(sizeText, 16);
    const dataStart = lineEnd + 2;
    if (size === 0) return { chunks, ended: body.length >= dataStart + 2 };
    if (body.length < dataStart + size + 2) return { chunks, ended: false };
    if (body.subarray(dataStart + size, dataStart + size + 2).toString('latin1') !== '\r\n') throw new Error(`chunk at byte ${at} not closed by CRLF`);
    chunks.push(body.subarray(dataStart, dataStart + size));
    at = dataStart + size + 2;
  }
}
