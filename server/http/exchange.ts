// One HTTP exchange, lifted out of uWebSockets.js so async handlers can use it safely:
// everything from `req` is copied up front, and every write is corked and skipped after an abort.
import { ApiError, errors } from '../api/errors.js';
import type { HttpRequest, HttpResponse } from './uws.js';

export const maxRequestBodyBytes = 3 * 1024 * 1024;

export class Exchange {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Null-prototype: a header may be named anything (`__proto__`, `constructor`). */
  readonly headers: Record<string, string> = Object.create(null) as Record<string, string>;
  aborted = false;
  /** Set once a status line has been written. */
  private started = false;
  private readonly abortListeners: Array<() => void> = [];
  readonly warnings: string[] = [];
  /** Filled by filters: the authenticated user, the request id... */
  readonly attributes: Record<string, unknown> = {};

  constructor(readonly res: HttpResponse, req: HttpRequest) {
    this.method = req.getCaseSensitiveMethod ? req.getCaseSensitiveMethod().toUpperCase() : req.getMethod().toUpperCase();
    this.path = decodeURIComponentSafe(req.getUrl());
    this.query = new URLSearchParams(req.getQuery() ?? '');
    req.forEach((k, v) => {
      this.headers[k] = this.headers[k] !== undefined ? `${this.headers[k]}, ${v}` : v;
    });
    res.onAborted(() => {
      this.aborted = true;
      for (const l of this.abortListeners) l();
    });
  }

  onAbort(listener: () => void): void {
    this.abortListeners.push(listener);
  }

  get hasStarted(): boolean {
    return this.started;
  }

  /** Reads the whole body; past the limit answers 413 and rejects. */
  readBody(limit = maxRequestBodyBytes): Promise<Buffer> {
    const declared = Number(this.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return Promise.reject(errors.tooLarge(limit));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      this.res.onData((chunk, isLast) => {
        if (failed) return;
        size += chunk.byteLength;
        if (size > limit) {
          failed = true;
          reject(errors.tooLarge(limit));
          return;
        }
        // uWS reuses the ArrayBuffer after this callback returns: copy it.
        chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
        if (isLast) resolve(Buffer.concat(chunks));
      });
      this.onAbort(() => {
        if (!failed) reject(new ApiError(499, '', 'client closed the request'));
      });
    });
  }

  /** Writes a complete response. */
  send(status: number, body: string | Buffer, contentType = 'application/json', extraHeaders: Record<string, string> = {}): void {
    if (this.aborted || this.started) return;
    this.started = true;
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status));
      this.res.writeHeader('Content-Type', contentType);
      if (!extraHeaders['Cache-Control']) this.res.writeHeader('Cache-Control', 'no-cache, private');
      for (const w of this.warnings) this.res.writeHeader('Warning', `299 - ${JSON.stringify(w)}`);
      for (const [k, v] of Object.entries(extraHeaders)) this.res.writeHeader(k, v);
      if (this.method === 'HEAD') this.res.endWithoutBody(Buffer.byteLength(body));
      else this.res.end(body);
    });
  }

  sendJSON(status: number, obj: unknown, extraHeaders: Record<string, string> = {}): void {
    this.send(status, JSON.stringify(obj), 'application/json', extraHeaders);
  }

  sendError(e: unknown): void {
    const err = e instanceof ApiError ? e : errors.internal(e instanceof Error ? e.message : String(e));
    if (err.code === 499) return;
    const headers: Record<string, string> = {};
    if (err.details?.retryAfterSeconds) headers['Retry-After'] = String(err.details.retryAfterSeconds);
    if (err.code === 413 || err.code === 400 && !this.started) headers.Connection = 'close';
    this.sendJSON(err.code, err.toStatus(), headers);
  }

  // ---- streaming (watch) -------------------------------------------------------------------

  /** Starts a chunked response. */
  beginStream(contentType: string): void {
    if (this.aborted || this.started) return;
    this.started = true;
    this.res.cork(() => {
      this.res.writeStatus('200 OK');
      this.res.writeHeader('Content-Type', contentType);
      this.res.writeHeader('Cache-Control', 'no-cache, private');
      // uWS holds the headers until body bytes are written. Clients must see the watch established
      // at once (kube-apiserver flushes its headers), so the stream opens with a newline, which
      // every JSON stream decoder skips as whitespace.
      this.res.write('\n');
    });
  }

  private pending: Array<string | Buffer> = [];
  private pendingBytes = 0;

  /**
   * Writes a chunk of a streamed response. While the socket is backed up, chunks queue here (uWS
   * would buffer them anyway); `queuedBytes` lets the caller drop a client that does not keep up.
   */
  write(chunk: string | Buffer): void {
    if (this.aborted) return;
    if (this.pending.length) {
      this.pending.push(chunk);
      this.pendingBytes += Buffer.byteLength(chunk);
      return;
    }
    let ok = true;
    this.res.cork(() => {
      ok = this.res.write(chunk);
    });
    if (!ok) {
      // uWS kept the chunk; anything after it waits until the socket drains.
      this.pending.push('');
      this.res.onWritable(() => this.flush());
    }
  }

  get queuedBytes(): number {
    return this.pendingBytes;
  }

  private flush(): boolean {
    if (this.aborted) return true;
    if (this.pending[0] === '') this.pending.shift();
    while (this.pending.length) {
      const chunk = this.pending[0];
      let ok = true;
      this.res.cork(() => {
        ok = this.res.write(chunk);
      });
      this.pending.shift();
      this.pendingBytes -= Buffer.byteLength(chunk);
      if (!ok) {
        this.pending.unshift('');
        return true;
      }
    }
    if (this.endAfterFlush) this.end();
    return true;
  }

  private endAfterFlush = false;

  /** Ends a streamed response once everything queued has been written. */
  endStream(): void {
    if (this.aborted) return;
    if (this.pending.length) this.endAfterFlush = true;
    else this.end();
  }

  end(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.res.cork(() => this.res.end());
  }
}

const reasons: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 409: 'Conflict',
  410: 'Gone', 413: 'Request Entity Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function statusLine(code: number): string {
  return `${code} ${reasons[code] ?? 'Unknown'}`;
}

function decodeURIComponentSafe(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}
