// Which failed requests may go to another instance: reads always (no response was relayed yet),
// anything else only when it certainly never reached the instance.

/** Methods whose repetition changes nothing (RFC 9110 safe methods). */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

// Errors that mean the TCP connection was never established, so nothing was sent.
const connectErrors = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ECONNABORTED', 'EAI_AGAIN', 'ENOTFOUND']);

export interface AttemptOutcome {
  /** The error on the upstream request, before any response head arrived. */
  error: NodeJS.ErrnoException;
  /** Did the socket ever connect for this request? */
  connected: boolean;
  /** Bytes this request put on the socket (head and body). */
  bytesWritten: number;
}

/** True when the request provably never reached the instance. */
export function neverReached(o: AttemptOutcome): boolean {
  if (!o.connected) return true;
  if (connectErrors.has(o.error.code ?? '')) return true;
  return o.bytesWritten === 0;
}

/** A connection-level failure: the instance itself is unreachable, not just one stale socket. */
export function isConnectFailure(e: NodeJS.ErrnoException): boolean {
  return connectErrors.has(e.code ?? '');
}

export function mayRetry(method: string, bodyStarted: boolean, o: AttemptOutcome): boolean {
  if (neverReached(o)) return true;
  return isSafeMethod(method) && !bodyStarted;
}
