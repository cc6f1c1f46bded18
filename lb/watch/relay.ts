// One client watch, relayed line by line from whichever instance currently serves it. Whole event
// lines only reach the client, so when the instance dies (or the watch is moved) the LB re-issues
// the watch elsewhere from the last resourceVersion it delivered: no gap, no duplicate.
//
// When a watch can be resumed:
// - resourceVersion=N (what informers and kubectl send after their LIST): from the first byte;
// - sendInitialEvents=true: once the initial-events-end bookmark has passed;
// - resourceVersion unset or "0" (initial state as ADDED events, in key order, not revision
//   order): once a BOOKMARK has passed, as its resourceVersion covers every event before it.
//   The LB asks every instance for bookmarks (and drops them when the client did not ask), so
//   this takes one bookmark interval, and a selective watch's resume point stays current.
// A watch that cannot be resumed is ended cleanly instead, as an instance dying would end it.
import http from 'node:http';
import type { Backend } from '../balancer/backend.js';
import { type BackendPool, watchLoad } from '../balancer/pool.js';
import { eventFacts, resumeUrl, type WatchRequest } from './request.js';

export interface RelaySettings {
  /** Give up resuming after this long without an instance to resume on. */
  resumeTimeoutMs: number;
  /** Default lifetime when the client gives no timeoutSeconds: kube's min-request-timeout, randomised up to 2x. */
  minRequestTimeoutSeconds: number;
}

type Mode = 'broken' | 'move';
const NEWLINE = 0x0a;

const maxTimerMs = 2 ** 31 - 1;

export class WatchRelay {
  backend: Backend | undefined;
  lastResourceVersion: string | undefined;
  resumable: boolean;
  resumes = 0;
  readonly opened = Date.now();
  private upstream: { req: http.ClientRequest; res?: http.IncomingMessage } | undefined;
  /** Bumped whenever an upstream is abandoned, so its late callbacks are ignored. */
  private generation = 0;
  private pending: Buffer[] = [];
  private columnsSent = false;
  /** The first line of a moved watch is checked: an ERROR there means "go elsewhere", not "tell the client". */
  private probation = false;
  private waitingDrain = false;
  private resuming = false;
  private ended = false;
  private attachedAt = 0;
  /** Upstreams in a row that ended cleanly right after starting: resumes back off instead of spinning. */
  private quickEnds = 0;
  private readonly deadline: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly client: http.ServerResponse,
    private readonly w: WatchRequest,
    private readonly headers: http.OutgoingHttpHeaders,
    private readonly pool: BackendPool,
    private readonly settings: RelaySettings,
    private readonly hooks: { closed(r: WatchRelay): void; resumed(r: WatchRelay): void },
  ) {
    this.lastResourceVersion = w.startResourceVersion;
    this.resumable = w.startResourceVersion !== undefined;
    const lifetime = w.timeoutSeconds ?? settings.minRequestTimeoutSeconds * (1 + Math.random());
    this.deadline = Date.now() + lifetime * 1000;
    // Node fires a timer past 2^31-1 ms at once: a longer timeoutSeconds (kube takes any) ends after 24.8 days instead.
    this.timer = setTimeout(() => this.end(), Math.min(lifetime * 1000, maxTimerMs));
    client.on('close', () => this.stop());
    client.on('drain', () => {
      this.waitingDrain = false;
      this.upstream?.res?.resume();
    });
  }

  get movable(): boolean {
    return this.resumable && !this.resuming && !this.ended && this.backend !== undefined;
  }

  /** Takes over an upstream whose 200 head the client has not been sent yet. */
  start(b: Backend, req: http.ClientRequest, res: http.IncomingMessage): void {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined && k !== 'connection' && k !== 'keep-alive' && k !== 'transfer-encoding' && k !== 'content-length') headers[k] = v;
    }
    this.client.writeHead(200, headers);
    this.client.flushHeaders();
    this.attach(b, req, res);
  }

  /** Ends the upstream and continues on `b` from the last delivered resourceVersion; the client sees nothing. */
  moveTo(b: Backend): void {
    if (!this.movable || b === this.backend) return;
    this.abandonUpstream();
    this.resume('move', b);
  }

  /** Ends the client's stream cleanly on an event boundary (the client re-watches). */
  end(): void {
    if (this.ended) return;
    this.stop();
    this.client.end();
  }

  private stop(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.abandonUpstream();
    this.hooks.closed(this);
  }

  private attach(b: Backend, req: http.ClientRequest, res: http.IncomingMessage): void {
    const gen = ++this.generation;
    this.upstream = { req, res };
    this.attachedAt = Date.now();
    this.backend = b;
    b.openWatches++;
    this.pending = [];
    if (this.waitingDrain) res.pause();
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    res.on('data', (chunk: Buffer) => {
      if (gen === this.generation) this.onData(chunk);
    });
    res.on('close', () => {
      if (gen !== this.generation) return;
      this.abandonUpstream();
      this.upstreamEnded(res.complete);
    });
  }

  private abandonUpstream(): void {
    this.generation++;
    if (this.backend && this.upstream) this.backend.openWatches--;
    if (this.upstream) {
      this.upstream.res?.destroy();
      this.upstream.req.destroy();
    }
    this.upstream = undefined;
    this.pending = [];
  }

  private upstreamEnded(clean: boolean): void {
    if (this.ended) return;
    const previous = this.backend;
    if (!clean && previous) previous.errors++;
    this.backend = undefined;
    // The client's own timeout is up (the instance ended it on time): end as kube would.
    if (Date.now() >= this.deadline - 1000 || !this.resumable) {
      this.end();
      return;
    }
    this.quickEnds = clean && Date.now() - this.attachedAt < 1000 ? this.quickEnds + 1 : 0;
    if (this.quickEnds === 0) {
      this.resume('broken', undefined, previous);
      return;
    }
    this.resuming = true;
    const gen = this.generation;
    setTimeout(() => {
      if (!this.ended && gen === this.generation) this.resume('broken', undefined, previous);
    }, Math.min(2000, 50 * 2 ** this.quickEnds));
  }

  private resume(mode: Mode, prefer?: Backend, failed?: Backend): void {
    this.resuming = true;
    const tried = new Set<Backend>();
    if (failed) tried.add(failed);
    const started = Date.now();
    const gen = this.generation;
    const next = (currentMode: Mode, preferred?: Backend): void => {
      if (this.ended || gen !== this.generation) return;
      let b = preferred && preferred.state === 'healthy' ? preferred : this.pool.pick(tried, watchLoad);
      if (!b && tried.size) {
        // Every instance failed once: the one that broke may be back by now.
        tried.clear();
        b = undefined;
      }
      if (!b) {
        if (Date.now() - started > this.settings.resumeTimeoutMs) {
          this.end();
          return;
        }
        setTimeout(() => next(currentMode), 100);
        return;
      }
      tried.add(b);
      this.issue(b, currentMode, gen, (retryMode) => next(retryMode));
    };
    next(mode, prefer);
  }

  /** One resume request on `b`; `retry` is called when it should be tried elsewhere. */
  private issue(b: Backend, mode: Mode, gen: number, retry: (mode: Mode) => void): void {
    const remaining = this.w.timeoutSeconds !== undefined ? (this.deadline - Date.now()) / 1000 : undefined;
    const path = resumeUrl(this.w, this.lastResourceVersion!, remaining);
    const req = b.request({ method: 'GET', path, headers: this.headers, agent: b.agent });
    req.end();
    let answered = false;
    const headTimer = setTimeout(() => req.destroy(new Error('no answer')), 5000);
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(headTimer);
      if (answered || gen !== this.generation) return;
      if (e.code === 'ECONNREFUSED') this.pool.eject(b, `connect: ${e.code}`);
      setTimeout(() => retry('broken'), 50);
    });
    req.on('response', (res) => {
      answered = true;
      clearTimeout(headTimer);
      if (this.ended || gen !== this.generation) {
        res.destroy();
        req.destroy();
        return;
      }
      if (res.statusCode === 200) {
        this.resuming = false;
        this.resumes++;
        this.hooks.resumed(this);
        this.probation = mode === 'move';
        this.attach(b, req, res);
        return;
      }
      const body: Buffer[] = [];
      res.on('data', (c: Buffer) => body.push(c));
      res.on('error', () => undefined);
      res.on('end', () => {
        if (this.ended || gen !== this.generation) return;
        const code = res.statusCode ?? 500;
        if (code >= 500 || code === 429 || mode === 'move') {
          setTimeout(() => retry('broken'), code >= 500 ? 100 : 0);
          return;
        }
        // 410 Expired (or any other refusal of the request itself): tell the client the way kube does.
        this.sendError(Buffer.concat(body).toString() || JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code }));
      });
    });
  }

  private sendError(statusJson: string): void {
    this.client.write(`{"type":"ERROR","object":${statusJson}}\n`);
    this.end();
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    let nl = chunk.indexOf(NEWLINE);
    if (nl < 0) {
      this.pending.push(chunk);
      return;
    }
    this.client.cork();
    let ok = true;
    while (nl >= 0) {
      let line = chunk.subarray(start, nl + 1);
      if (this.pending.length) {
        line = Buffer.concat([...this.pending, line]);
        this.pending = [];
      }
      ok = this.deliver(line) && ok;
      if (this.ended || !this.upstream) break;
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (!this.ended && this.upstream && start < chunk.length) this.pending.push(chunk.subarray(start));
    this.client.uncork();
    if (!ok && !this.ended && this.upstream) {
      this.waitingDrain = true;
      this.upstream.res?.pause();
    }
  }

  /** Forwards one complete line and records what it tells about the position; false on backpressure. */
  private deliver(line: Buffer): boolean {
    if (line.length <= 2 && line.toString().trim() === '') return true;
    const parsed = eventFacts(line.toString());
    const probation = this.probation;
    this.probation = false;
    if (!parsed) return this.client.write(line);
    const { facts, event } = parsed;
    if (facts.type === 'ERROR') {
      if (probation) {
        // The instance a watch was moved to cannot serve it (too old for its cache): go elsewhere.
        const refused = this.backend;
        this.abandonUpstream();
        this.backend = undefined;
        this.resume('broken', undefined, refused);
        return true;
      }
      this.client.write(line);
      this.end();
      return true;
    }
    if (facts.tableWithColumns) {
      if (this.columnsSent) {
        // A resumed Table watch repeats the column header; kubectl prints it once.
        event.object.columnDefinitions = [];
        line = Buffer.from(`${JSON.stringify(event)}\n`);
      }
      this.columnsSent = true;
    }
    if (facts.resourceVersion) {
      if (this.resumable) this.lastResourceVersion = facts.resourceVersion;
      else if (facts.type === 'BOOKMARK' && (facts.initialEventsEnd || !this.w.sendInitialEvents)) {
        this.resumable = true;
        this.lastResourceVersion = facts.resourceVersion;
      }
    }
    // Bookmarks the LB asked for on its own account move the resume point and go no further.
    if (facts.type === 'BOOKMARK' && !this.w.clientWantsBookmarks) return true;
    return this.client.write(line);
  }
}
