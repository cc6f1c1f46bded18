// The instance's APF state (kube's configController): FlowSchemas and PriorityLevelConfigurations as the
// watch cache holds them (never an etcd read per request), one QueueSet per priority level with its seat
// limits, classification, and every 10 s the reallocation of lendable seats by demand (borrowing).
import type { CacheEntry, WatchCache } from '../storage/cacher/watch-cache.js';
import { byMatchingPrecedence } from '../resources/flowcontrol/flowschemas.js';
import { mandatoryFlowSchemas, mandatoryPriorityLevels } from '../resources/flowcontrol/bootstrap-configuration.js';
import { type RequestDigest, flowDistinguisher, matchesFlowSchema } from './classify.js';
import { allocateConcurrency, type AllocItem, type SeatLimits, seatLimits } from './concurrency.js';
import type { FlowControlMetrics } from './metrics.js';
import { QueueSet, type QueuingConfig } from './queue-set.js';
import { levelMaxSeats } from './work-estimate.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const flowSchemaPrefix = '/registry/flowschemas/';
const priorityLevelPrefix = '/registry/prioritylevelconfigurations/';
export const borrowingAdjustmentPeriodMs = 10_000;
const seatDemandSmoothing = 0.977;

export interface PriorityLevelState {
  name: string;
  uid: string;
  exempt: boolean;
  limits: SeatLimits;
  /** The level's cap on a request's seats (kube's MaxSeatsTracker). */
  maxSeats: number;
  queueSet: QueueSet;
  currentLimit: number;
  smoothedDemand: number;
  /** Deleted from the configuration: kept only while requests still hold or wait for its seats. */
  quiescing: boolean;
}

export interface Classification {
  flowSchema: { name: string; uid: string };
  priorityLevel: PriorityLevelState;
  distinguisher: string;
}

function queuingOf(spec: Obj): QueuingConfig | undefined {
  const q = spec.limited?.limitResponse?.type === 'Queue' ? spec.limited.limitResponse.queuing as Obj | undefined : undefined;
  return q ? { queues: q.queues ?? 64, handSize: q.handSize ?? 8, queueLengthLimit: q.queueLengthLimit ?? 50 } : undefined;
}

/** A stored object as the store would serve it: etcd keeps no resourceVersion in the value. */
function parse(entry: CacheEntry): Obj {
  const obj = JSON.parse(entry.value.toString()) as Obj;
  obj.metadata = { ...obj.metadata, resourceVersion: String(entry.modRevision) };
  return obj;
}

export class FlowControl {
  private flowSchemas: Obj[] = [];
  readonly levels = new Map<string, PriorityLevelState>();
  private fsObjects = new Map<string, Obj>();
  private plObjects = new Map<string, Obj>();
  private periodStart = performance.now();
  private timer?: NodeJS.Timeout;
  private stopFollowing: Array<() => void> = [];
  private pendingReconfigure = false;
  /** Told each configuration taken from the cache (the FlowSchemas' Dangling conditions are written from it). */
  onConfigured?: (flowSchemas: Obj[], priorityLevels: Set<string>) => void;

  constructor(readonly serverConcurrencyLimit: number, readonly metrics?: FlowControlMetrics) {
    this.configure([], []);
  }

  /** Takes a whole configuration; mandatory objects missing from it are imagined, as kube does. */
  configure(flowSchemas: Obj[], priorityLevels: Obj[]): void {
    const pls = [...priorityLevels];
    for (const m of mandatoryPriorityLevels) if (!pls.some((p) => p.metadata?.name === m.metadata.name)) pls.push(m);
    const fss = [...flowSchemas];
    for (const m of mandatoryFlowSchemas) if (!fss.some((f) => f.metadata?.name === m.metadata.name)) fss.push(m);
    const shareSum = pls.reduce((s, p) => s + (p.spec?.type === 'Exempt' ? p.spec.exempt?.nominalConcurrencyShares ?? 0 : p.spec?.limited?.nominalConcurrencyShares ?? 30), 0);
    const seen = new Set<string>();
    for (const p of pls) {
      const name = p.metadata.name as string;
      seen.add(name);
      const spec = (p.spec ?? {}) as Obj;
      const exempt = spec.type === 'Exempt';
      const limits = seatLimits(this.serverConcurrencyLimit, spec, shareSum);
      const queuing = queuingOf(spec);
      const maxSeats = levelMaxSeats(limits.nominal, queuing?.handSize);
      const existing = this.levels.get(name);
      if (existing && existing.exempt === exempt) {
        const limitChanged = existing.limits.lower !== limits.lower || existing.limits.upper !== limits.upper;
        Object.assign(existing, { uid: p.metadata.uid ?? '', limits, maxSeats, quiescing: false });
        if (limitChanged) existing.currentLimit = Math.min(limits.upper, Math.max(limits.lower, existing.currentLimit));
        existing.queueSet.reconfigure(exempt ? Infinity : existing.currentLimit, queuing);
      } else {
        const currentLimit = limits.initial;
        this.levels.set(name, {
          name, uid: p.metadata.uid ?? '', exempt, limits, maxSeats, currentLimit, smoothedDemand: 0, quiescing: false,
          queueSet: new QueueSet(exempt ? Infinity : currentLimit, queuing, exempt),
        });
      }
      this.reportLimits(this.levels.get(name)!);
    }
    for (const [name, l] of this.levels) if (!seen.has(name)) l.quiescing = true;
    this.dropQuiesced();
    // Dangling schemas (their level does not exist) match nothing, as in kube.
    this.flowSchemas = fss.filter((f) => this.levels.has(f.spec?.priorityLevelConfiguration?.name) && !this.levels.get(f.spec.priorityLevelConfiguration.name)!.quiescing)
      .sort(byMatchingPrecedence);
  }

  private dropQuiesced(): void {
    for (const [name, l] of this.levels) {
      if (l.quiescing && l.queueSet.requestsExecuting === 0 && l.queueSet.requestsWaiting === 0) this.levels.delete(name);
    }
  }

  private reportLimits(l: PriorityLevelState): void {
    if (!this.metrics) return;
    const labels = { priority_level: l.name };
    this.metrics.nominalLimit.set(labels, l.limits.nominal);
    this.metrics.lowerLimit.set(labels, l.limits.lower);
    this.metrics.upperLimit.set(labels, l.limits.upper);
    this.metrics.currentLimit.set(labels, l.exempt ? l.limits.nominal : l.currentLimit);
  }

  /** The first FlowSchema (by matchingPrecedence, then name) that matches; catch-all matches everything. */
  classify(d: RequestDigest): Classification {
    for (const fs of this.flowSchemas) {
      if (!matchesFlowSchema(d, fs)) continue;
      return {
        flowSchema: { name: fs.metadata.name, uid: fs.metadata.uid ?? '' },
        priorityLevel: this.levels.get(fs.spec.priorityLevelConfiguration.name)!,
        distinguisher: flowDistinguisher(d, fs),
      };
    }
    // Unreachable while catch-all is imagined; kept total for a request no rule names.
    return { flowSchema: { name: 'catch-all', uid: '' }, priorityLevel: this.levels.get('catch-all')!, distinguisher: d.user.name };
  }

  /**
   * kube's updateBorrowingLocked: each limited level gets at least its lower limit and what it used
   * (up to nominal); what is left of the server's seats goes by smoothed demand, within each upper limit.
   */
  adjustBorrowing(): void {
    const periodStart = this.periodStart;
    this.periodStart = performance.now();
    const nominalSum = [...this.levels.values()].filter((l) => !l.quiescing).reduce((s, l) => s + l.limits.nominal, 0);
    let remaining = nominalSum;
    const limited: PriorityLevelState[] = [];
    const items: AllocItem[] = [];
    let lowerSum = 0;
    let minCurrentSum = 0;
    const minCurrent = new Map<PriorityLevelState, number>();
    for (const l of this.levels.values()) {
      const demand = l.queueSet.takeSeatDemand(periodStart);
      const high = Math.round(demand.highWatermark);
      l.smoothedDemand = Math.max(demand.average + demand.stdDev, seatDemandSmoothing * l.smoothedDemand + (1 - seatDemandSmoothing) * (demand.average + demand.stdDev));
      if (l.quiescing) continue;
      if (l.exempt) {
        remaining -= Math.max(l.limits.lower, high);
        continue;
      }
      const m = Math.max(l.limits.lower, Math.min(l.limits.nominal, high));
      minCurrent.set(l, m);
      limited.push(l);
      items.push({ lowerBound: m, upperBound: l.limits.upper, target: Math.max(m, l.smoothedDemand) });
      lowerSum += l.limits.lower;
      minCurrentSum += m;
    }
    let allocs: number[];
    if (remaining <= lowerSum) allocs = limited.map((l) => l.limits.lower);
    else if (remaining <= minCurrentSum) {
      const share = (remaining - lowerSum) / (minCurrentSum - lowerSum);
      allocs = limited.map((l) => l.limits.lower + Math.round((minCurrent.get(l)! - l.limits.lower) * share));
    } else allocs = allocateConcurrency(nominalSum, items).map((a) => Math.round(a));
    limited.forEach((l, i) => {
      l.currentLimit = allocs[i];
      l.queueSet.reconfigure(l.currentLimit, queuingOf(this.plObjects.get(l.name)?.spec ?? mandatoryPriorityLevels.find((m) => m.metadata.name === l.name)?.spec ?? {}));
      this.reportLimits(l);
    });
    this.dropQuiesced();
  }

  /** Follows the configuration in the watch cache, and reallocates seats every 10 s. */
  follow(cache: WatchCache): void {
    const reload = () => {
      this.fsObjects = new Map(cache.entries(flowSchemaPrefix).map((e) => [e.key, parse(e)]));
      this.plObjects = new Map(cache.entries(priorityLevelPrefix).map((e) => [e.key.slice(priorityLevelPrefix.length), parse(e)]));
      this.reconfigureSoon();
    };
    this.stopFollowing.push(cache.subscribe((events) => {
      let changed = false;
      for (const ev of events) {
        const map = ev.key.startsWith(flowSchemaPrefix) ? this.fsObjects : ev.key.startsWith(priorityLevelPrefix) ? this.plObjects : undefined;
        if (!map) continue;
        const k = map === this.plObjects ? ev.key.slice(priorityLevelPrefix.length) : ev.key;
        if (ev.type === 'DELETED') map.delete(k);
        else map.set(k, parse(ev.entry));
        changed = true;
      }
      if (changed) this.reconfigureSoon();
    }));
    this.stopFollowing.push(cache.onReset(reload));
    void cache.start().then(() => {
      if (cache.ready) reload();
    });
    this.timer = setInterval(() => this.adjustBorrowing(), borrowingAdjustmentPeriodMs);
    this.timer.unref();
  }

  /** A batch of events reconfigures once. */
  private reconfigureSoon(): void {
    if (this.pendingReconfigure) return;
    this.pendingReconfigure = true;
    setImmediate(() => {
      this.pendingReconfigure = false;
      const flowSchemas = [...this.fsObjects.values()];
      this.configure(flowSchemas, [...this.plObjects.values()]);
      this.onConfigured?.(flowSchemas, new Set([...this.levels.values()].filter((l) => !l.quiescing).map((l) => l.name)));
    });
  }

  stop(): void {
    clearInterval(this.timer);
    for (const s of this.stopFollowing.splice(0)) s();
  }

  /** A request released its seats: a deleted level whose last request this was goes away. */
  released(l: PriorityLevelState): void {
    if (l.quiescing) this.dropQuiesced();
  }
}
