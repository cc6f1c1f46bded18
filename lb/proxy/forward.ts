// One client request relayed to one instance at a time: least outstanding requests picks it, the
// body streams once the connection is up (so a refused connection leaves it unread and retryable),
// and the response streams back with backpressure. Watches are handed to a WatchRelay.
import http from 'node:http';
import type net from 'node:net';
import type { Backend } from '../balancer/backend.js';
import { type BackendPool, requestLoad, watchLoad } from '../balancer/pool.js';
import { sendStatus, statuses } from '../http/status.js';
import type { WatchRegistry } from '../watch/registry.js';
import { upstreamWatchUrl, watchRequest, type WatchRequest } from '../watch/request.js';
import { stallGuard } from '../http/limits.js';
import { downstreamHeaders, tooManyHeaderLines, upstreamHeaders } from './headers.js';
import { isConnectFailure, mayRetry } from './retry.js';
import { activeTracer, type Span } from '../../server/tracing/tracing.js';

export interface ForwardSettings {
  retries: number;
  /** A request body that sends nothing this long is cut (the client's connection closed). */
  bodyIdleTimeoutMs: number;
}

/** Told of each response head from a backend (lb_requests_total, lb_request_duration_seconds). */
export interface ResponseObserver {
  response(backend: string, code: number, seconds: number): void;
}

export class Forwarder {
  constructor(private readonly pool: BackendPool, private readonly watches: WatchRegistry, private readonly settings: ForwardSettings,
    private readonly observer?: ResponseObserver) {}

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const watch = watchRequest(method, url);
    const headers = upstreamHeaders(req);
    if (tooManyHeaderLines(headers)) {
      sendStatus(res, statuses.headersTooLarge());
      return;
    }
    const span = this.traced(req, res, headers);
    const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    const tried = new Set<Backend>();
    let bodyStarted = false;
    let clientGone = false;
    let current: http.ClientRequest | undefined;
    res.on('close', () => {
      clientGone = true;
      if (!res.writableFinished) current?.destroy();
    });

    let attempts = 0;
    const attempt = (lastError?: string): void => {
      if (clientGone) return;
      const load = watch ? watchLoad : requestLoad;
      // Another instance if there is one; else the same one again (a stale keep-alive socket, one instance).
      const b = this.pool.pick(tried, load) ?? (lastError ? this.pool.pick(undefined, load) : undefined);
      if (!b) {
        sendStatus(res, lastError ? statuses.badGateway(lastError) : statuses.noBackend());
        return;
      }
      tried.add(b);
      attempts++;
      span?.setAttribute('server.address', b.name);
      b.inFlight++;
      b.requests++;
      b.rate.mark();
      const started = performance.now();
      let finished = false;
      const finish = (ok: boolean) => {
        if (finished) return;
        finished = true;
        b.inFlight--;
        if (!ok) b.errors++;
        else b.latency.record(performance.now() - started);
      };
      const upstream = b.request({ method, path: watch ? upstreamWatchUrl(watch, url) : url, headers, agent: b.agent });
      current = upstream;
      let connected = false;
      let socket: net.Socket | undefined;
      let bytesBefore = 0;
      upstream.on('socket', (s) => {
        socket = s;
        bytesBefore = s.bytesWritten;
        const go = () => {
          connected = true;
          if (!hasBody) return;
          const first = !bodyStarted;
          bodyStarted = true;
          req.pipe(upstream);
          if (first) stallGuard(req, this.settings.bodyIdleTimeoutMs);
        };
        if (s.connecting) s.once('connect', go);
        else go();
      });
      if (!hasBody) upstream.end();

      let answered = false;
      upstream.on('response', (ures) => {
        answered = true;
        this.observer?.response(b.name, ures.statusCode ?? 0, (performance.now() - started) / 1000);
        if (clientGone) {
          ures.destroy();
          finish(true);
          return;
        }
        if (watch && ures.statusCode === 200 && isJson(ures.headers['content-type'])) {
          finish(true);
          this.watches.open(res, watch as WatchRequest, headers, b, upstream, ures);
          return;
        }
        res.writeHead(ures.statusCode ?? 502, ures.statusMessage, downstreamHeaders(ures));
        // By hand rather than pipe(): the same backpressure, a fraction of pipe's listener bookkeeping per request.
        ures.on('data', (chunk: Buffer) => {
          if (!res.write(chunk)) {
            ures.pause();
            res.once('drain', () => ures.resume());
          }
        });
        ures.on('end', () => {
          res.end();
          finish(true);
        });
        ures.on('error', () => undefined);
        ures.on('close', () => {
          if (ures.complete) return;
          // The instance died mid-response: the client must see a broken response, not a short one.
          finish(false);
          res.destroy();
        });
      });

      upstream.on('error', (e: NodeJS.ErrnoException) => {
        if (answered) return; // after the head the response's own close handles it
        finish(false);
        if (bodyStarted) req.unpipe(upstream);
        if (clientGone) return;
        if (isConnectFailure(e)) this.pool.eject(b, `connect: ${e.code}`);
        const outcome = { error: e, connected, bytesWritten: socket ? socket.bytesWritten - bytesBefore : 0 };
        const why = `${b.name}: ${e.code ?? e.message}`;
        if (attempts <= this.settings.retries && mayRetry(method, bodyStarted, outcome)) attempt(why);
        else sendStatus(res, statuses.badGateway(why));
      });
    };
    attempt();
  }

  /**
   * The LB's span for this request when tracing is on: a child of the client's traceparent, and the
   * parent of the instance's (traceparent is not identity: it travels outside the front-proxy MAC).
   */
  private traced(req: http.IncomingMessage, res: http.ServerResponse, upstream: http.OutgoingHttpHeaders): Span | undefined {
    const tracer = activeTracer();
    if (!tracer) return undefined;
    const span = tracer.startRequest('LoadBalancer', req.headers, { 'http.request.method': req.method, 'url.path': (req.url ?? '/').split('?')[0] });
    delete upstream.traceparent;
    delete upstream.tracestate;
    tracer.inject(span, upstream);
    res.on('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: 2 }); // SpanStatusCode.ERROR: @opentelemetry/api is not imported where tracing may be off
      span.end();
    });
    return span;
  }
}

function isJson(contentType: string | undefined): boolean {
  return !!contentType && contentType.startsWith('application/json');
}
