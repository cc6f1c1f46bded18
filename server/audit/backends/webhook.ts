// The webhook backend (--audit-webhook-config-file, a kubeconfig naming the receiver): events go
// out as audit.k8s.io/v1 EventList POSTs. Batch mode (kube's default) collects up to
// --audit-webhook-batch-max-size events or --audit-webhook-batch-max-wait, whichever comes first;
// a failed POST (connection error, 429, 5xx) is retried with backoff from
// --audit-webhook-initial-backoff (x1.5 each time, 5 tries, as kube's webhook retry).
import http from 'node:http';
import https from 'node:https';
import { readKubeconfig } from '../../../pki/kubeconfig.js';
import { stringifyJSON } from '../../api/json.js';
import { type AuditEvent, eventList } from '../event.js';
import { logger } from '../../logging/logger.js';

export interface WebhookOptions {
  configFile: string;
  mode: 'blocking' | 'blocking-strict' | 'batch';
  batchMaxSize: number;
  batchMaxWaitSeconds: number;
  initialBackoffSeconds: number;
}

interface Target {
  url: URL;
  headers: Record<string, string>;
  tls: https.RequestOptions;
}

const retrySteps = 5;
// kube's batch backend: at most this many events wait for a batch; past it new events are dropped.
const bufferSize = 10000;

export class WebhookBackend {
  private readonly target: Target;
  private buffer: AuditEvent[] = [];
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: WebhookOptions) {
    this.target = loadTarget(options.configFile);
  }

  process(events: AuditEvent[]): void {
    if (this.stopped) return;
    // Blocking mode sends each event's list at once; nothing in the request path waits on the network.
    if (this.options.mode !== 'batch') return void this.send(events);
    for (const e of events) {
      if (this.buffer.length >= bufferSize) {
        logger.error(`audit webhook: buffer of ${bufferSize} events is full, dropping event ${e.auditID} (${e.stage})`);
        continue;
      }
      this.buffer.push(e);
    }
    if (this.buffer.length >= this.options.batchMaxSize) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.batchMaxWaitSeconds * 1000);
  }

  /** Sends what is buffered and waits for every POST still going. */
  async stop(): Promise<void> {
    this.flush();
    this.stopped = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length) this.send(this.buffer.splice(0, this.options.batchMaxSize));
  }

  private send(events: AuditEvent[]): void {
    const p = this.sendWithRetry(stringifyJSON(eventList(events))).catch((e) => {
      logger.error(`audit webhook: dropping ${events.length} event(s) after ${retrySteps} tries: ${(e as Error).message}`);
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async sendWithRetry(body: string): Promise<void> {
    let wait = this.options.initialBackoffSeconds * 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        return await post(this.target, body);
      } catch (e) {
        if (!(e instanceof Retryable) || attempt >= retrySteps || this.stopped) throw e;
      }
      // kube's backoff: factor 1.5 with 20% jitter.
      await new Promise((r) => setTimeout(r, wait * (1 + Math.random() * 0.2)));
      wait *= 1.5;
    }
  }
}

class Retryable extends Error {}

function post(target: Target, body: string): Promise<void> {
  const lib = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(target.url, {
      method: 'POST', ...target.tls, timeout: 30000,
      headers: { ...target.headers, 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) resolve();
        else if (code === 429 || code >= 500) reject(new Retryable(`the webhook answered ${code}`));
        else reject(new Error(`the webhook answered ${code}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => reject(new Retryable(e.message)));
    req.end(body);
  });
}

/** The receiver from a kubeconfig: the current context's (or the first) cluster and user. */
export function loadTarget(file: string): Target {
  const kc = readKubeconfig(file);
  if (!kc.server) throw new Error(`audit webhook config ${file}: no cluster with a server`);
  const headers: Record<string, string> = {};
  if (kc.token) headers.Authorization = `Bearer ${kc.token}`;
  else if (kc.username) headers.Authorization = `Basic ${Buffer.from(`${kc.username}:${kc.password ?? ''}`).toString('base64')}`;
  return {
    url: new URL(kc.server),
    headers,
    tls: { ca: kc.ca, rejectUnauthorized: !kc.insecureSkipTLSVerify, servername: kc.tlsServerName, cert: kc.cert, key: kc.key },
  };
}
