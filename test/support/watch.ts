// A watch client for tests: reads a chunked watch stream line by line and keeps every event.
export interface WatchEvent { type: string; object: any }

export interface WatchStream {
  events: WatchEvent[];
  /** Resolves when the server ends the stream. */
  closed: Promise<void>;
  /** Waits until `predicate` holds for the events so far (checked on every new event). */
  until(predicate: (events: WatchEvent[]) => boolean, what?: string, timeoutMs?: number): Promise<void>;
  stop(): void;
}

export async function openWatch(url: string): Promise<WatchStream> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  if (res.status !== 200) throw new Error(`watch ${url}: ${res.status} ${await res.text()}`);
  const events: WatchEvent[] = [];
  const listeners = new Set<() => void>();
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  const closed = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line));
        }
        for (const l of listeners) l();
      }
    } catch {
      // aborted
    }
    for (const l of listeners) l();
  })();
  let ended = false;
  void closed.then(() => {
    ended = true;
  });
  return {
    events,
    closed,
    until(predicate, what = 'watch condition', timeoutMs = 30000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(events)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve();
          } else if (ended) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`stream ended before ${what}; ${events.length} events`));
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${what}; ${events.length} events`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    stop: () => controller.abort(),
  };
}

export async function api(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (res.status >= 300) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${text}`), { status: res.status, json });
  return json;
}
