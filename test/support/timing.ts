// Timing checks for the linear-time hardening, made so that a busy machine cannot fail them: the
// fastest of a few runs counts (a GC pause or a neighbour's burst slows one run, not all), and the
// bounds sit far above what linear work costs and far below what the old backtracking cost (seconds
// to days on the same inputs).
export const linearBoundMs = 1000;

/** The fastest of `runs` runs of `fn`, in milliseconds; one fast run is enough to stop early. */
export function fastestMs(fn: () => unknown, runs = 3, enoughMs = linearBoundMs / 10): number {
  let best = Infinity;
  for (let i = 0; i < runs && best > enoughMs; i++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** As fastestMs, for work that is asynchronous (a request to a real server). */
export async function fastestAsyncMs(fn: () => Promise<unknown>, runs = 3, enoughMs = linearBoundMs / 10): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs && best > enoughMs; i++) {
    const started = performance.now();
    await fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}
