// One HTTP exchange, lifted out of uWebSockets.js so async handlers can use it safely:
// everything from `req` is copied up front, and every write is corked and skipped after an abort.
import { ApiError, errors } from '../api/errors.js';
import { stringifyJSON } from '../api/json.js';
import type { UserInfo } from '../authentication/user.js';
import type { RequestInfo } from './request-info.js';
import { requestRunning } from './running-request.js';
import type { HttpRequest, HttpResponse } from './uws.js';

export const maxRequestBodyBytes = 3 * 1024 * 1024;

/**
 * What the audit filter sees of an exchange it records. Set only on audited requests, so the rest
 * pay one undefined check. `responding` runs before the status line is written: what it records
 * synchronously is on disk before the client can see the answer.
 */
export interface ExchangeAudit {
  requestBody(body: Buffer, contentType: string | undefined): void;
  /** `body` is undefined when a stream or an upgrade starts (its end is recorded by the filter). */
  responding(status: number, body: string | Buffer | undefined, contentType: string): void;
  annotate(key: string, value: string): void;
  /** An upgraded connection (101) has closed: the request is over. */
  connectionClosed(): void;
}

export class Exchange {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The path and query as sent (kube's URL.RequestURI()), for the audit. */
  readonly requestURI: string;
  /** When the request arrived, in milliseconds with a sub-millisecond fraction (kube's WithRequestReceivedTimestamp). */
  readonly receivedAt = performance.timeOrigin + performance.now();
  /** Set by the audit filter when this request is audited. */
  audit?: ExchangeAudit;
  // Null prototype: a header may be called `__proto__` or `constructor`.
  readonly headers: Record<string, string> = Object.create(null) as Record<string, string>;
  private readonly repeated = new Map<string, string[]>();
  aborted = false;
  /** Set once a status line has been written. */
  private started = false;
  private readonly abortListeners: Array<() => void> = [];
  readonly warnings: string[] = [];
  /** Filled by filters: the authenticated user... */
  readonly attributes: Record<string, unknown> = {};
  /** Set by the request-info filter. */
  requestInfo?: RequestInfo;
  /** Set by authentication: who made the request (as authenticated, before impersonation). */
  authenticatedUser?: UserInfo;
  /** Who the request acts as: the authenticated user, or the one it impersonates. */
  user?: UserInfo;
  /** Set by the request-id filter (kube's Audit-ID). */
  auditID = '';
  /** The request's trace ID, when tracing is on (for the logs). */
  traceID?: string;
  /** Headers every response to this request carries (Audit-Id...), set by filters. */
  readonly responseHeaders: Record<string, string> = {};
  /** Set on a WebSocket upgrade request: completes the upgrade once the filters let it through. */
  upgrade?: () => void;
  /** The status line written (0 until one is), and the body bytes written, for the request metrics. */
  status = 0;
  bytesWritten = 0;
  /** Called once when the response is over (sent, stream ended, connection closed); see onFinished. */
  private finishListeners?: Array<() => void>;

  /** `frontProxyListener`: it came in on the front proxy's own listener (--front-proxy-port). */
  constructor(readonly res: HttpResponse, req: HttpRequest, readonly frontProxyListener = false) {
    this.method = req.getCaseSensitiveMethod ? req.getCaseSensitiveMethod().toUpperCase() : req.getMethod().toUpperCase();
    this.path = decodeURIComponentSafe(req.getUrl());
    const rawQuery = req.getQuery() ?? '';
    this.query = new URLSearchParams(rawQuery);
    this.requestURI = rawQuery ? `${req.getUrl()}?${rawQuery}` : req.getUrl();
    req.forEach((k, v) => {
      this.headers[k] = this.headers[k] !== undefined ? `${this.headers[k]}, ${v}` : v;
      const values = this.repeated.get(k);
      if (values) values.push(v);
      else this.repeated.set(k, [v]);
    });
    res.onAborted(() => {
      this.aborted = true;
      for (const l of this.abortListeners) l();
      this.finished();
    });
    requestRunning(this);
  }

  /** Answers 101 with the filters' headers and hands the connection to `upgrade` (uWS's res.upgrade); nothing is written here after. */
  switchProtocols(upgrade: (res: HttpResponse) => void): void {
    if (this.aborted || this.started) return;
    this.started = true;
    this.status = 101;
    this.audit?.responding(101, undefined, '');
    this.res.cork(() => {
      // uWS takes headers for the 101 only once its status is written.
      this.res.writeStatus('101 Switching Protocols');
      for (const [k, v] of Object.entries(this.responseHeaders)) this.res.writeHeader(k, v);
      upgrade(this.res);
    });
    this.aborted = true;
    // The WebSocket lives on past this exchange; its end is the socket's close (see connectionClosed).
  }

  /** The peer's address; read while the response is still open (uWS frees it after). */
  remoteAddress(): string {
    if (this.aborted) return '';
    return Buffer.from(this.res.getRemoteAddressAsText()).toString();
  }

  /** Every value a header was sent with, one per header line. */
  headerValues(name: string): string[] {
    return this.repeated.get(name) ?? [];
  }

  onAbort(listener: () => void): void {
    this.abortListeners.push(listener);
  }

  /**
   * `listener` runs once, when the response is over: a complete response written, a stream ended,
   * the client gone, or (for a WebSocket) connectionClosed called. The request metrics end here.
   */
  onFinished(listener: () => void): void {
    (this.finishListeners ??= []).push(listener);
  }

  /** A WebSocket this exchange upgraded to has closed. */
  connectionClosed(): void {
    this.finished();
  }

  private finished(): void {
    const listeners = this.finishListeners;
    if (!listeners) return;
    this.finishListeners = undefined;
    for (const l of listeners) l();
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
        if (isLast) {
          const body = Buffer.concat(chunks);
          this.audit?.requestBody(body, this.headers['content-type']);
          requestRunning(this); // decoding comes next
          resolve(body);
        }
      });
      this.onAbort(() => {
        if (!failed) reject(new ApiError(499, '', 'client closed the request'));
      });
    });
  }

  /** Writes a complete response; `closeConnection` when the rest of the connection cannot be trusted (a malformed request). */
  send(status: number, body: string | Buffer, contentType = 'application/json', extraHeaders: Record<string, string> = {}, closeConnection = false): void {
    if (this.aborted || this.started) return;
    this.started = true;
    this.status = status;
    this.bytesWritten = Buffer.byteLength(body);
    this.audit?.responding(status, body, contentType);
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status));
      this.res.writeHeader('Content-Type', contentType);
      if (!extraHeaders['Cache-Control']) this.res.writeHeader('Cache-Control', 'no-cache, private');
      this.writeCommonHeaders();
      for (const [k, v] of Object.entries(extraHeaders)) this.res.writeHeader(k, v);
      // HEAD: the length by hand; uWS's endWithoutBody(length) waits for that many body bytes, so the
      // connection's next request found the response still open and the connection closed.
      if (this.method === 'HEAD' && closeConnection) this.res.endWithoutBody(0, true);
      else if (this.method === 'HEAD') this.res.writeHeader('Content-Length', String(this.bytesWritten)).endWithoutBody();
      else this.res.end(body, closeConnection);
    });
    this.finished();
  }

  private writeCommonHeaders(): void {
    for (const [k, v] of Object.entries(this.responseHeaders)) this.res.writeHeader(k, v);
    for (const w of this.warnings) this.res.writeHeader('Warning', `299 - ${JSON.stringify(w)}`);
  }

  sendJSON(status: number, obj: unknown, extraHeaders: Record<string, string> = {}): void {
    requestRunning(this); // encoding a large answer is where a request is most likely to hold the loop
    this.send(status, stringifyJSON(obj), 'application/json', extraHeaders);
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

  /**
   * Starts a chunked response. uWS sends the headers only with the first body bytes, and writes a
   * chunk's closing CRLF only when the next chunk starts. So a stream always keeps one chunk open
   * that holds a single space: the headers go out at once, every event's chunk is complete on the
   * wire, and the space leads the next event's line (JSON whitespace, never a line of its own).
   */
  beginStream(contentType: string): void {
    if (this.aborted || this.started) return;
    this.started = true;
    this.status = 200;
    this.audit?.responding(200, undefined, contentType);
    this.res.cork(() => {
      this.res.writeStatus('200 OK');
      this.res.writeHeader('Content-Type', contentType);
      this.res.writeHeader('Cache-Control', 'no-cache, private');
      this.writeCommonHeaders();
      this.res.write(openChunk);
    });
  }

  /** A relayed stream that is not JSON: chunks go out as they are, without the open-chunk space. */
  private rawChunks = false;

  /**
   * Starts relaying a streamed answer from another server (the aggregator's proxy) with its status
   * and headers. JSON keeps beginStream's open chunk, so the headers go out at once; anything else
   * (protobuf) is relayed byte for byte and its headers go with its first bytes.
   */
  beginRelay(status: number, contentType: string, headers: Record<string, string>): void {
    if (this.aborted || this.started) return;
    this.started = true;
    this.status = status;
    this.rawChunks = !contentType.includes('json');
    this.audit?.responding(status, undefined, contentType);
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status));
      if (contentType) this.res.writeHeader('Content-Type', contentType);
      if (!headers['Cache-Control']) this.res.writeHeader('Cache-Control', 'no-cache, private');
      this.writeCommonHeaders();
      for (const [k, v] of Object.entries(headers)) this.res.writeHeader(k, v);
      if (!this.rawChunks) this.res.write(openChunk);
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
    this.bytesWritten += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (this.pending.length) {
      this.pending.push(chunk);
      this.pendingBytes += Buffer.byteLength(chunk);
      return;
    }
    if (!this.writeChunk(chunk)) {
      // uWS kept the chunk; anything after it waits until the socket drains.
      this.pending.push('');
      this.res.onWritable(() => this.flush());
    }
  }

  /** The chunk, then a new open chunk that completes it on the wire; false when uWS had to buffer. */
  private writeChunk(chunk: string | Buffer): boolean {
    let ok = true;
    this.res.cork(() => {
      ok = this.res.write(chunk);
      if (!this.rawChunks) ok = this.res.write(openChunk) && ok;
    });
    return ok;
  }

  get queuedBytes(): number {
    return this.pendingBytes;
  }

  private flush(): boolean {
    if (this.aborted) return true;
    if (this.pending[0] === '') this.pending.shift();
    while (this.pending.length) {
      const chunk = this.pending[0];
      const ok = this.writeChunk(chunk);
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
    this.finished();
  }
}

/**
 * What the open chunk of a stream holds: whitespace every JSON stream decoder skips. A Buffer, which
 * uWS reads in place: a string is converted on each of these writes (measured: ~25 MiB more RSS).
 */
const openChunk = Buffer.from(' ');

const reasons: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 409: 'Conflict',
  410: 'Gone', 413: 'Request Entity Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function statusLine(code: number): string {
  return `${code} ${reasons[code] ?? 'Unknown'}`;
}

/** Percent-decoded, or as it is when it is not valid percent-encoding (paths, extra-header keys). */
export function decodeURIComponentSafe(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}
