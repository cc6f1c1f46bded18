// kube-controller-manager's CSR cleaner, run by the server itself: once an hour every instance deletes
// requests past kube's deadlines (issued or denied or failed an hour ago, pending a day, approved but
// unissued a day, or holding a certificate that has expired). Deletes are idempotent, so instances may overlap.
import { X509Certificate } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { GenericStore } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';
import { bytesOf } from './request.js';
import { logger } from '../logging/logger.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const hour = 3600_000;
const approvedExpirationMs = hour;
const deniedExpirationMs = hour;
const pendingExpirationMs = 24 * hour;
const pollingIntervalMs = hour;

/** The first certificate's notAfter, or undefined when there is none that parses. */
function certificateNotAfter(csr: KubeObject): number | undefined {
  const pem = bytesOf((csr.status as Obj | undefined)?.certificate);
  if (!pem.length) return undefined;
  try {
    return Date.parse(new X509Certificate(pem).validTo);
  } catch {
    return undefined;
  }
}

/** kube's cleaner rules: whether this request is past its deadline at `now`. */
export function pastDeadline(csr: KubeObject, now: number): boolean {
  const status = (csr.status ?? {}) as Obj;
  const conditions = (status.conditions ?? []) as Obj[];
  const issued = Boolean(status.certificate);
  const olderThan = (t: unknown, ms: number) => typeof t === 'string' && t !== '' && now - Date.parse(t) > ms;
  const any = (type: string, ms: number) => conditions.some((c) => c.type === type && olderThan(c.lastUpdateTime, ms));
  if (issued && any('Approved', approvedExpirationMs)) return true;
  if (any('Denied', deniedExpirationMs) || any('Failed', deniedExpirationMs)) return true;
  if (conditions.length === 0 && olderThan(csr.metadata.creationTimestamp, pendingExpirationMs)) return true;
  if (issued && conditions.some((c) => c.type === 'Approved')) {
    const notAfter = certificateNotAfter(csr);
    if (notAfter !== undefined && now > notAfter) return true;
  }
  return !issued && any('Approved', pendingExpirationMs);
}

export class CertificateCleaner {
  private timer?: NodeJS.Timeout;

  constructor(private readonly store: GenericStore, private readonly rt: ResourceType) {}

  start(): void {
    this.timer = setInterval(() => void this.pass(), pollingIntervalMs);
    this.timer.unref();
    void this.pass();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async pass(now = Date.now()): Promise<void> {
    try {
      if (await this.store.controllerManager.active()) return; // its own cleaner does it
      const { items } = await this.store.list(this.rt, '', { resourceVersion: '0' });
      for (const csr of items) {
        if (!pastDeadline(csr, now)) continue;
        await this.store.delete(this.rt, '', csr.metadata.name!, {}, { dryRun: false, fieldValidation: 'Ignore', warnings: [] }).catch((e) => {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        });
      }
    } catch (e) {
      logger.error(`certificate cleaner: ${(e as Error).message}`);
    }
  }
}
