// What a watch request asks for, and the request that resumes it from a resourceVersion.

export interface WatchRequest {
  /** The client's path (without query). */
  path: string;
  query: URLSearchParams;
  /** The resourceVersion to resume from before any event has passed, when the watch is resumable from its start. */
  startResourceVersion?: string;
  /** When true, the watch becomes resumable only once the initial-events-end bookmark has passed. */
  sendInitialEvents: boolean;
  /** The client's timeoutSeconds, if it gave one. */
  timeoutSeconds?: number;
  /** Did the client ask for BOOKMARKs? The LB asks for them anyway and keeps them to itself otherwise. */
  clientWantsBookmarks: boolean;
}

const truthy = (v: string | null) => v === 'true' || v === '1';

/** A GET that kube serves as a watch: `?watch=true` (or 1) or a legacy `/watch/` path; undefined otherwise. */
export function watchRequest(method: string, url: string): WatchRequest | undefined {
  if (method !== 'GET') return undefined;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const legacyPath = /^\/(api\/v1|apis\/[^/]+\/[^/]+)\/watch\//.test(path);
  if (!legacyPath && !truthy(query.get('watch'))) return undefined;
  const rv = query.get('resourceVersion') ?? '';
  const sendInitialEvents = truthy(query.get('sendInitialEvents'));
  const timeout = Number(query.get('timeoutSeconds'));
  return {
    path, query, sendInitialEvents,
    // rv unset or "0" starts with the current state, whose events are not in resourceVersion order.
    startResourceVersion: rv !== '' && rv !== '0' && !sendInitialEvents ? rv : undefined,
    timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
    clientWantsBookmarks: truthy(query.get('allowWatchBookmarks')),
  };
}

/**
 * The URL the LB sends for a watch: the client's, asking for BOOKMARKs too, so the LB's resume
 * point keeps up with the instance even when no event matches the client's selectors, and a
 * watch from "now" becomes resumable at its first bookmark.
 */
export function upstreamWatchUrl(w: WatchRequest, url: string): string {
  if (w.clientWantsBookmarks) return url;
  const q = new URLSearchParams(w.query);
  q.set('allowWatchBookmarks', 'true');
  return `${w.path}?${q.toString()}`;
}

/**
 * The URL that continues the watch after `resourceVersion`: the same selectors and options, no
 * initial events (they have been delivered), and what is left of the client's timeout.
 */
export function resumeUrl(w: WatchRequest, resourceVersion: string, remainingSeconds?: number): string {
  const q = new URLSearchParams(w.query);
  q.set('resourceVersion', resourceVersion);
  q.delete('sendInitialEvents');
  q.delete('resourceVersionMatch');
  q.set('allowWatchBookmarks', 'true');
  if (remainingSeconds !== undefined) q.set('timeoutSeconds', String(Math.max(1, Math.ceil(remainingSeconds))));
  return `${w.path}?${q.toString()}`;
}

export interface EventFacts {
  type?: string;
  resourceVersion?: string;
  initialEventsEnd: boolean;
  /** A Table event (kubectl get -w) that carries column definitions. */
  tableWithColumns: boolean;
}

/** The facts the relay needs from one event line; undefined when the line is not a JSON object. */
export function eventFacts(line: string): { facts: EventFacts; event: any } | undefined {
  let event: any;
  try {
    event = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!event || typeof event !== 'object') return undefined;
  const obj = event.object;
  const md = obj?.metadata;
  return {
    event,
    facts: {
      type: typeof event.type === 'string' ? event.type : undefined,
      resourceVersion: typeof md?.resourceVersion === 'string' && md.resourceVersion !== '' ? md.resourceVersion : undefined,
      initialEventsEnd: event.type === 'BOOKMARK' && md?.annotations?.['k8s.io/initial-events-end'] === 'true',
      tableWithColumns: obj?.kind === 'Table' && Array.isArray(obj.columnDefinitions) && obj.columnDefinitions.length > 0,
    },
  };
}
