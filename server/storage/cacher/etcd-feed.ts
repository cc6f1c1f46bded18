// The etcd feed: one etcd watch on /registry/. etcd delivers every revision after the start, in
// order, on one stream; when that stream breaks, the feed ends instead of letting the etcd3 client
// reconnect by itself (it resumes from etcd's header revision, past events it never delivered).
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import type { EventFeed, FeedEvent, FeedHandlers } from './feed.js';

export class EtcdWatchFeed implements EventFeed {
  private watcher?: Watcher;
  private generation = 0;

  constructor(private readonly client: Etcd3, private readonly prefix: string) {}

  async follow(afterRevision: number, handlers: FeedHandlers): Promise<void> {
    await this.stop();
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    let last = afterRevision;
    let failed = false;
    const watcher = this.client.watch().prefix(this.prefix).startRevision(String(afterRevision + 1)).watcher();
    this.watcher = watcher;
    const connected = new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        reject(err);
        if (failed || !current()) return;
        failed = true;
        void this.stop();
        handlers.error(err);
      };
      watcher.on('connected', () => resolve());
      watcher.on('disconnected', (err: Error) => fail(new Error(`etcd watch disconnected: ${err?.message ?? err}`)));
      watcher.on('error', (err: Error) => fail(err));
    });
    watcher.on('data', (res: IWatchResponse) => {
      if (failed || !current() || !res.events.length) return;
      const events = res.events.map((ev): FeedEvent => {
        const kv = ev.kv as IKeyValue;
        return {
          type: ev.type === 'Delete' ? 'delete' : 'put',
          key: kv.key.toString(),
          // Copy: values are views into the whole gRPC response, which would otherwise stay alive.
          value: ev.type === 'Delete' ? Buffer.alloc(0) : Buffer.from(kv.value),
          modRevision: Number(kv.mod_revision),
          createRevision: Number(kv.create_revision),
        };
      });
      const prevRevision = last;
      last = events[events.length - 1].modRevision;
      handlers.batch({ events, prevRevision });
    });
    await connected;
  }

  async stop(): Promise<void> {
    this.generation++;
    const w = this.watcher;
    this.watcher = undefined;
    if (w) {
      w.removeAllListeners('data');
      await w.cancel().catch(() => undefined);
    }
  }
}
