// Compacts etcd history older than the previous interval, as kube-apiserver's compactor does
// (--etcd-compaction-interval): each pass compacts to the revision the pass before it saw.
export interface Compactable {
  currentRevision(): Promise<number>;
  compact(revision: number): Promise<void>;
}

export class Compactor {
  private timer?: NodeJS.Timeout;
  private lastCandidate = 0;

  constructor(private readonly storage: Compactable, private readonly intervalSeconds: number) {}

  start(): void {
    if (this.intervalSeconds <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.compact(), this.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async compact(): Promise<void> {
    try {
      const rev = await this.storage.currentRevision();
      if (this.lastCandidate > 0) await this.storage.compact(this.lastCandidate).catch(() => undefined);
      this.lastCandidate = rev;
    } catch {
      // etcd away: try next interval.
    }
  }
}
