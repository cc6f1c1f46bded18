// Whether the real kube-controller-manager is running against this cluster. Without it the server
// does a few of its duties itself (emptying a deleted namespace, removing pods of nodes that do not
// exist) and ignores the garbage collector's deletion finalizers, which nothing would ever remove;
// with it, the server steps aside and behaves as kube-apiserver does. The controller manager is
// seen by its leader-election Lease (kube-system/kube-controller-manager) being held and fresh.
import type { Storage } from '../storage/interface.js';

export interface ControllerManagerPresence {
  /** True while a kube-controller-manager leader holds an unexpired lease. */
  active(): Promise<boolean>;
}

/** For servers and tests that never run a controller manager. */
export const noControllerManager: ControllerManagerPresence = { active: async () => false };

const leaseKey = '/registry/leases/kube-system/kube-controller-manager';
/** The answer is reused this long: deletes are the only callers, and a lease lasts 15 s. */
const recheckMs = 1000;

interface LeaseSpec { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string }

/** Reads the lease from the cache (any recent state will do) at most once a second. */
export class LeaseControllerManagerPresence implements ControllerManagerPresence {
  private checkedAt = 0;
  private last = false;

  constructor(private readonly storage: Storage, private readonly now: () => number = Date.now) {}

  async active(): Promise<boolean> {
    if (this.now() - this.checkedAt < recheckMs) return this.last;
    let spec: LeaseSpec | undefined;
    try {
      const { value } = await this.storage.get(leaseKey, { resourceVersion: '0' });
      spec = value ? (JSON.parse(value.value.toString()) as { spec?: LeaseSpec }).spec : undefined;
    } catch {
      return this.last; // storage away: keep the last answer rather than flip behaviour
    }
    this.last = leaseHeld(spec, this.now());
    this.checkedAt = this.now();
    return this.last;
  }
}

/** A lease is held when it names a holder and its renewal plus its duration is still ahead. */
export function leaseHeld(spec: LeaseSpec | undefined, now: number): boolean {
  if (!spec?.holderIdentity || !spec.renewTime) return false;
  const renewed = Date.parse(spec.renewTime);
  if (Number.isNaN(renewed)) return false;
  return renewed + (spec.leaseDurationSeconds ?? 15) * 1000 > now;
}
