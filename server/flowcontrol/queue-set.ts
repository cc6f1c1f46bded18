// One priority level's queues (kube's fairqueuing/queueset, simplified): a request takes `seats` of the
// level's concurrency limit; when they are not free it waits in the shortest queue of the hand its flow
// is dealt (shuffle sharding), and queues are served fairly by the seats each has been given, so one
// flow's flood waits behind itself. A level that rejects (limitResponse Reject) has no queues.
import { dealHand } from './shuffle-sharding.js';

export interface QueuingConfig {
  queues: number;
  handSize: number;
  queueLengthLimit: number;
}

/** kube's rejection reasons (apiserver_flowcontrol_rejected_requests_total's `reason`). */
export type RejectReason = 'queue-full' | 'concurrency-limit' | 'time-out' | 'cancelled';

/** A dispatched request calls `release` once it is over: its seats go to whoever waits. */
export type Admission = { dispatched: true; queued: boolean; release(): void } | { dispatched: false; reason: RejectReason; queued: boolean };

interface Waiting {
  seats: number;
  queue: Queue;
  settle(a: Admission): void;
}

interface Queue {
  waiting: Waiting[];
  seatsWaiting: number;
  seatsExecuting: number;
  /** Seats this queue has been given, in the level's virtual time: the fair-queuing order. */
  virtualFinish: number;
}

/** Seat demand (executing + waiting) over time, for kube's borrowing between levels. */
export interface SeatDemand {
  highWatermark: number;
  average: number;
  stdDev: number;
}

export class QueueSet {
  seatsInUse = 0;
  requestsExecuting = 0;
  requestsWaiting = 0;
  seatsWaiting = 0;
  private queues: Queue[] = [];
  private virtualNow = 0;
  private demandSince = performance.now();
  private demandIntegral = 0;
  private demandSquares = 0;
  private demandHigh = 0;

  /** `queuing` undefined: no queues (Reject); `exempt`: never limited, only counted. */
  constructor(public concurrencyLimit: number, private queuing: QueuingConfig | undefined, readonly exempt = false) {
    this.configureQueues(queuing);
  }

  /** A new configuration: the limit applies at once; waiting requests keep their turn, dealt into the new queues. */
  reconfigure(concurrencyLimit: number, queuing: QueuingConfig | undefined): void {
    this.concurrencyLimit = concurrencyLimit;
    const same = queuing && this.queuing && queuing.queues === this.queuing.queues && queuing.handSize === this.queuing.handSize;
    this.queuing = queuing;
    if (!same) {
      const old = this.queues.flatMap((q) => q.waiting);
      this.configureQueues(queuing);
      // Without queues now (Reject) or with other ones: what waited goes to the first queue, in order.
      for (const w of old) {
        if (!this.queues.length) w.settle({ dispatched: false, reason: 'concurrency-limit', queued: true });
        else {
          w.queue = this.queues[0];
          w.queue.waiting.push(w);
          w.queue.seatsWaiting += w.seats;
        }
      }
      if (!this.queues.length) {
        this.noteDemand();
        this.requestsWaiting = 0;
        this.seatsWaiting = 0;
      }
    }
    this.dispatch();
  }

  private configureQueues(queuing: QueuingConfig | undefined): void {
    this.queues = queuing ? Array.from({ length: queuing.queues }, () => ({ waiting: [], seatsWaiting: 0, seatsExecuting: 0, virtualFinish: this.virtualNow })) : [];
  }

  /**
   * Admits a request now, queues it (the promise settles when it is dispatched or gives up after
   * `waitMs`), or rejects it. `onCancel` registers what cancels a wait (the client went away).
   */
  start(flowHash: bigint, seats: number, waitMs: number, onCancel?: (cancel: () => void) => void): Admission | Promise<Admission> {
    if (this.exempt) {
      return { dispatched: true, queued: false, release: this.take(seats, undefined) };
    }
    if (!this.queues.length || !this.queuing) {
      if (!this.canAccommodate(seats)) return { dispatched: false, reason: 'concurrency-limit', queued: false };
      return { dispatched: true, queued: false, release: this.take(seats, undefined) };
    }
    const queue = this.chooseQueue(flowHash, this.queuing.handSize);
    if (queue.waiting.length >= this.queuing.queueLengthLimit) return { dispatched: false, reason: 'queue-full', queued: false };
    // Nothing waits and the seats are free: no need to queue.
    if (this.requestsWaiting === 0 && this.canAccommodate(seats)) {
      queue.virtualFinish = Math.max(queue.virtualFinish, this.virtualNow) + seats;
      return { dispatched: true, queued: false, release: this.take(seats, queue) };
    }
    return new Promise<Admission>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const w: Waiting = {
        seats, queue,
        settle: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
      };
      if (!queue.waiting.length) queue.virtualFinish = Math.max(queue.virtualFinish, this.virtualNow);
      queue.waiting.push(w);
      queue.seatsWaiting += seats;
      this.noteDemand();
      this.requestsWaiting++;
      this.seatsWaiting += seats;
      const giveUp = (reason: RejectReason) => {
        if (!this.unqueue(w)) return;
        w.settle({ dispatched: false, reason, queued: true });
      };
      timer = setTimeout(() => giveUp('time-out'), waitMs);
      onCancel?.(() => giveUp('cancelled'));
      this.dispatch();
    });
  }

  /** Takes the seats; the returned function gives them back (once). */
  private take(seats: number, queue: Queue | undefined): () => void {
    this.noteDemand();
    this.seatsInUse += seats;
    this.requestsExecuting++;
    if (queue) queue.seatsExecuting += seats;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.noteDemand();
      this.seatsInUse -= seats;
      this.requestsExecuting--;
      if (queue) queue.seatsExecuting -= seats;
      this.dispatch();
    };
  }

  /** kube's canAccommodateSeatsLocked: a request wider than the whole limit goes when nothing else runs. */
  private canAccommodate(seats: number): boolean {
    if (seats > this.concurrencyLimit) return this.requestsExecuting === 0;
    return this.seatsInUse + seats <= this.concurrencyLimit;
  }

  /** The least loaded queue (waiting plus executing seats) of the flow's hand. */
  private chooseQueue(flowHash: bigint, handSize: number): Queue {
    let best: Queue | undefined;
    for (const i of dealHand(flowHash, this.queues.length, Math.min(handSize, this.queues.length))) {
      const q = this.queues[i];
      if (!best || q.seatsWaiting + q.seatsExecuting < best.seatsWaiting + best.seatsExecuting) best = q;
    }
    return best!;
  }

  private unqueue(w: Waiting): boolean {
    const i = w.queue.waiting.indexOf(w);
    if (i < 0) return false;
    this.noteDemand();
    w.queue.waiting.splice(i, 1);
    w.queue.seatsWaiting -= w.seats;
    this.requestsWaiting--;
    this.seatsWaiting -= w.seats;
    return true;
  }

  /** Fair queuing: the non-empty queue given the fewest seats so far goes next, while its head fits. */
  private dispatch(): void {
    while (this.requestsWaiting > 0) {
      let next: Queue | undefined;
      for (const q of this.queues) if (q.waiting.length && (!next || q.virtualFinish < next.virtualFinish)) next = q;
      if (!next) return;
      const head = next.waiting[0];
      if (!this.canAccommodate(head.seats)) return;
      this.unqueue(head);
      this.virtualNow = Math.max(this.virtualNow, next.virtualFinish);
      next.virtualFinish += head.seats;
      head.settle({ dispatched: true, queued: true, release: this.take(head.seats, next) });
    }
  }

  private noteDemand(): void {
    const now = performance.now();
    const demand = this.seatsInUse + this.seatsWaiting;
    const dt = now - this.demandSince;
    this.demandIntegral += demand * dt;
    this.demandSquares += demand * demand * dt;
    this.demandSince = now;
    this.demandHigh = Math.max(this.demandHigh, demand);
  }

  /** Seat demand since the last call (kube's seatDemandIntegrator.Reset), then starts a new period. */
  takeSeatDemand(periodStart: number): SeatDemand {
    this.noteDemand();
    const span = Math.max(1, performance.now() - periodStart);
    const average = this.demandIntegral / span;
    const variance = Math.max(0, this.demandSquares / span - average * average);
    const current = this.seatsInUse + this.seatsWaiting;
    const out = { highWatermark: Math.max(this.demandHigh, current), average, stdDev: Math.sqrt(variance) };
    this.demandIntegral = 0;
    this.demandSquares = 0;
    this.demandHigh = current;
    return out;
  }
}
