// Retry-After for a priority level's 429s (kube's droppedRequestsTracker): 1 s, doubling (up to 60 s)
// while the level keeps dropping at least 3 requests per second of the current value, and coming back
// down a second at a time once it drops fewer.
const maxRetryAfter = 60;

class LevelDrops {
  retryAfter = 1;
  private retryAfterUpdated = 0;
  private currentSecond = 0;
  private currentCount = 0;
  private history: Array<{ second: number; count: number }> = [];

  record(second: number): void {
    if (second === this.currentSecond) {
      this.currentCount++;
      return;
    }
    this.history.push({ second: this.currentSecond, count: this.currentCount });
    const keep = Math.min(2 * this.retryAfter, maxRetryAfter);
    while (this.history.length && second - this.history[0].second > keep) this.history.shift();
    this.currentSecond = second;
    this.currentCount = 1;
    let dropped = 0;
    for (let i = this.history.length - 1; i >= 0; i--) {
      if (second - this.history[i].second > this.retryAfter) break;
      if (this.history[i].second < second) dropped += this.history[i].count;
    }
    if (second - this.retryAfterUpdated >= this.retryAfter && dropped >= 3 * this.retryAfter) {
      this.retryAfter = Math.min(this.retryAfter * 2, maxRetryAfter);
      this.retryAfterUpdated = second;
    } else if (dropped < this.retryAfter && this.retryAfter > 1) this.retryAfter--;
  }
}

export class DroppedRequests {
  private readonly levels = new Map<string, LevelDrops>();

  record(priorityLevel: string, now = Date.now()): void {
    let l = this.levels.get(priorityLevel);
    if (!l) this.levels.set(priorityLevel, l = new LevelDrops());
    l.record(Math.floor(now / 1000));
  }

  retryAfter(priorityLevel: string): number {
    return this.levels.get(priorityLevel)?.retryAfter ?? 1;
  }
}
