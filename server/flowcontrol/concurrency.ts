// Seats per priority level (kube's apf_controller finishQueueSetReconfigsLocked and conc_alloc.go): the
// server's limit (--max-requests-inflight + --max-mutating-requests-inflight) is shared out in
// proportion to nominalConcurrencyShares; lendablePercent and borrowingLimitPercent bound what a level
// may give up or take from the others when seats are reallocated by demand.

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export interface SeatLimits {
  /** NominalCL: ceil(serverCL * shares / sum of all levels' shares). */
  nominal: number;
  /** Nominal minus the lendable seats: what the level keeps however busy the others are. */
  lower: number;
  /** Nominal plus what it may borrow (the whole server when borrowingLimitPercent is unset). */
  upper: number;
  /** kube's initial currentCL: nominal minus half of what it may lend. */
  initial: number;
}

/** nominalConcurrencyShares, lendablePercent, borrowingLimitPercent of a spec (kube's plSpecCommons). */
export function specCommons(spec: Obj): { shares: number; lendable: number; borrowing?: number } {
  const c = (spec.type === 'Exempt' ? spec.exempt : spec.limited) as Obj | undefined;
  return { shares: c?.nominalConcurrencyShares ?? (spec.type === 'Exempt' ? 0 : 30), lendable: c?.lendablePercent ?? 0, borrowing: c?.borrowingLimitPercent ?? undefined };
}

export function seatLimits(serverCL: number, spec: Obj, shareSum: number): SeatLimits {
  const { shares, lendable, borrowing } = specCommons(spec);
  const nominal = shareSum > 0 ? Math.ceil(serverCL * shares / shareSum) : 0;
  const lendableCL = Math.round(nominal * lendable / 100);
  const borrowingCL = borrowing === undefined ? serverCL : Math.round(nominal * borrowing / 100);
  return { nominal, lower: nominal - lendableCL, upper: nominal + borrowingCL, initial: nominal - Math.floor(lendableCL / 2) };
}

export interface AllocItem {
  lowerBound: number;
  upperBound: number;
  target: number;
}

const minTarget = 0.001;

/**
 * kube's computeConcurrencyAllocation: allocations summing to `required`, each within its bounds and
 * otherwise proportional to its target (one fair fraction for all that are not at a bound). Solved
 * here by bisection on the fraction, which the sum is monotonic in.
 */
export function allocateConcurrency(required: number, items: AllocItem[]): number[] {
  const targets = items.map((i) => Math.max(i.target, minTarget));
  const lowSum = items.reduce((s, i) => s + i.lowerBound, 0);
  const highSum = items.reduce((s, i) => s + i.upperBound, 0);
  if (required <= lowSum) return items.map((i) => i.lowerBound);
  if (required >= highSum) return items.map((i) => i.upperBound);
  const at = (frac: number) => items.map((i, k) => Math.min(i.upperBound, Math.max(i.lowerBound, targets[k] * frac)));
  const sum = (frac: number) => at(frac).reduce((s, v) => s + v, 0);
  let lo = 0;
  let hi = 1;
  while (sum(hi) < required) hi *= 2;
  for (let n = 0; n < 100 && hi - lo > 1e-12 * hi; n++) {
    const mid = (lo + hi) / 2;
    if (sum(mid) < required) lo = mid;
    else hi = mid;
  }
  return at(hi);
}
