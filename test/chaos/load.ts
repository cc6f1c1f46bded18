// Paced load through the LB: writers create and update ConfigMaps (each write carries a unique `seq`
// so it can be found in etcd's history), readers GET and LIST them; every request is recorded.
export const namespaces = ['chaos-1', 'chaos-2'];
export const colors = ['red', 'blue'];

export interface RequestRecord {
  kind: 'read' | 'write';
  start: number;
  end: number;
  ok: boolean;
  /** HTTP status, or 0 for a connection error / timeout. */
  status: number;
  error?: string;
}

export interface WriteRecord extends RequestRecord {
  kind: 'write';
  verb: 'create' | 'update';
  key: string;
  seq: string;
  color: string;
  /** The resourceVersion the server acknowledged. */
  rv?: string;
}

export interface LoadOptions {
  writers: number;
  readers: number;
  /** Time between the starts of one writer's (or reader's) requests. */
  intervalMs: number;
  /** A request still unanswered after this long counts as failed. */
  timeoutMs: number;
}

async function send(url: string, method: string, body?: unknown, contentType = 'application/json', timeoutMs = 15000): Promise<{ status: number; json?: any; error?: string }> {
  try {
    const res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, error: res.status >= 300 ? `${res.status} ${json?.reason ?? ''} ${json?.message ?? text.slice(0, 200)}` : undefined };
  } catch (e) {
    return { status: 0, error: e instanceof Error ? `${e.name}: ${(e.cause as Error | undefined)?.message ?? e.message}` : String(e) };
  }
}

export class Load {
  readonly requests: RequestRecord[] = [];
  readonly writes: WriteRecord[] = [];
  /** Names that exist for sure (their create was acknowledged), per writer. */
  private readonly pools: string[][] = [];
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly base: string, private readonly opts: LoadOptions) {}

  start(): void {
    this.running = true;
    for (let w = 0; w < this.opts.writers; w++) {
      this.pools.push([]);
      this.loops.push(this.paced((i) => this.write(w, i)));
    }
    for (let r = 0; r < this.opts.readers; r++) this.loops.push(this.paced((i) => this.read(r, i)));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  ackedWrites(): WriteRecord[] {
    return this.writes.filter((w) => w.ok);
  }

  /** One request every intervalMs (no burst to catch up when one was slow). */
  private async paced(op: (i: number) => Promise<void>): Promise<void> {
    // Spread the loops' phases so they do not all fire together.
    let next = Date.now() + Math.random() * this.opts.intervalMs;
    for (let i = 0; this.running; i++) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (!this.running) break;
      next = Math.max(next + this.opts.intervalMs, Date.now());
      await op(i);
    }
  }

  private async write(w: number, i: number): Promise<void> {
    const ns = namespaces[w % namespaces.length];
    const pool = this.pools[w];
    const seq = `w${w}-${i}`;
    const color = colors[(i + w) % colors.length];
    const create = i % 4 === 0 || pool.length === 0;
    const name = create ? `cm-${w}-${i}` : pool[(i * 7) % pool.length];
    const start = Date.now();
    const r = create
      ? await send(`${this.base}/api/v1/namespaces/${ns}/configmaps`, 'POST', { metadata: { name, labels: { color } }, data: { seq } }, 'application/json', this.opts.timeoutMs)
      : await send(`${this.base}/api/v1/namespaces/${ns}/configmaps/${name}`, 'PATCH', { metadata: { labels: { color } }, data: { seq } }, 'application/merge-patch+json', this.opts.timeoutMs);
    const ok = r.status === 200 || r.status === 201;
    const rec: WriteRecord = {
      kind: 'write', verb: create ? 'create' : 'update', key: `${ns}/${name}`, seq, color, start, end: Date.now(), ok, status: r.status,
      error: ok ? undefined : r.error, rv: ok ? r.json?.metadata?.resourceVersion : undefined,
    };
    this.writes.push(rec);
    this.requests.push(rec);
    // Only a name whose create is known to have happened is updated later (an unknown outcome may not exist).
    if (create && ok) pool.push(name);
  }

  private async read(r: number, i: number): Promise<void> {
    // Even: GET an object known to exist (from writer i/2's pool); odd: LIST a namespace, a page of 50.
    const w = (i >> 1) % this.pools.length;
    const pool = this.pools[w];
    const url = i % 2 === 0 && pool.length > 0
      ? `${this.base}/api/v1/namespaces/${namespaces[w % namespaces.length]}/configmaps/${pool[(i * 13) % pool.length]}`
      : `${this.base}/api/v1/namespaces/${namespaces[(r + i) % namespaces.length]}/configmaps?limit=50`;
    const start = Date.now();
    const res = await send(url, 'GET', undefined, undefined, this.opts.timeoutMs);
    this.requests.push({ kind: 'read', start, end: Date.now(), ok: res.status === 200, status: res.status, error: res.status === 200 ? undefined : res.error });
  }
}

export interface WindowFigures {
  totalRequests: number;
  reads: number;
  writes: number;
  failedReads: number;
  failedWrites: number;
  /** Of those, the ones `excused` explains (the defects the chaos test describes). */
  defectReads: number;
  defectWrites: number;
  /** Over every write started in the window, failed ones included (ms). */
  writeP50Ms: number;
  writeP99Ms: number;
  /** Over every read under way in the window (ms). */
  readP99Ms: number;
  /** The distinct errors seen, with counts. */
  errors: Record<string, number>;
}

/** etcd's client found the member it picked down ("No connection established"): the call never reached etcd. */
export const memberDown = (r: RequestRecord) => !r.ok && r.status === 503 && /No connection established/.test(r.error ?? '');

/** The LB had no instance passing /readyz (each instance's etcd check picks a member at random). */
export const noInstanceReady = (r: RequestRecord) => !r.ok && r.status === 503 && /no API server instance is ready/.test(r.error ?? '');

/** A consistent read the instance's watch cache did not catch up for within 3 s (the fan-out stalled). */
export const cacheBehind = (r: RequestRecord) => !r.ok && r.status === 504 && /Too large resource version/.test(r.error ?? '');

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0);

/** The figures of the requests under way at some point in [from, to): started in it, or in flight when it began. */
export function figures(requests: RequestRecord[], from: number, to: number, excused: (r: RequestRecord) => boolean = () => false): WindowFigures {
  const inside = requests.filter((r) => r.start < to && r.end >= from);
  const reads = inside.filter((r) => r.kind === 'read');
  const writes = inside.filter((r) => r.kind === 'write');
  const lat = writes.map((w) => w.end - w.start).sort((a, b) => a - b);
  const readLat = reads.map((r) => r.end - r.start).sort((a, b) => a - b);
  const errors: Record<string, number> = {};
  for (const r of inside) {
    if (r.ok) continue;
    const k = `${r.kind} ${(r.error ?? String(r.status)).replace(/\d{4,}/g, 'N').slice(0, 120)}`;
    errors[k] = (errors[k] ?? 0) + 1;
  }
  return {
    totalRequests: inside.length, reads: reads.length, writes: writes.length,
    failedReads: reads.filter((r) => !r.ok).length, failedWrites: writes.filter((r) => !r.ok).length,
    defectReads: reads.filter((r) => !r.ok && excused(r)).length, defectWrites: writes.filter((r) => !r.ok && excused(r)).length,
    writeP50Ms: percentile(lat, 50), writeP99Ms: percentile(lat, 99), readP99Ms: percentile(readLat, 99), errors,
  };
}
