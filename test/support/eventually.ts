// The one polling wait the tests use: a condition that must come to hold, or a failure that says which.

export interface EventuallyOptions {
  /** Gives up after this long (default 30 s). */
  timeoutMs?: number;
  /** Time between checks (default 100 ms). */
  intervalMs?: number;
  /** What is awaited, for the failure message. */
  what?: string;
}

/**
 * Checks `condition` until it returns something truthy. A check that throws counts as "not yet"; its
 * last error is in the message when the time is up, so a wait never falls through to a weaker assertion.
 */
export async function eventually(condition: () => unknown, opts: EventuallyOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let checks = 1; ; checks++) {
    try {
      if (await condition()) return;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const why = lastError === undefined ? '' : `; last check threw: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs / 1000}s (${checks} checks) waiting for ${opts.what ?? 'a condition'}${why}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
