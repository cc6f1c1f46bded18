// A watch served straight from etcd, with the previous value of each key so a predicate can turn an
// object leaving the selection into DELETED. In a server the cacher serves watches; this one is the
// storage's own (tools, and the fallback when no cache can be trusted).
import type { IKeyValue, IWatchResponse } from 'etcd3';
import { type ApiError, errors } from '../../api/errors.js';
import type { StoredValue, Watch, WatchListener, WatchOptions } from '../interface.js';
import { parseResourceVersion } from '../resource-version.js';
import type { EtcdStorage } from './etcd3.js';

export async function watchEtcd(storage: EtcdStorage, prefix: string, opts: WatchOptions, listener: WatchListener): Promise<Watch> {
  const rv = opts.resourceVersion ?? '';
  const initialEvents = opts.sendInitialEvents ?? (rv === '' || rv === '0');
  const inScope = (key: string) => key.startsWith(prefix) && (!opts.key || key === opts.key);
  const matches = (sv: StoredValue) => inScope(sv.key) && (!opts.predicate || opts.predicate(sv));

  let from: number;
  if (initialEvents) {
    const list = await storage.list(prefix, {});
    for (const sv of list.items) if (matches(sv)) listener.event('ADDED', sv);
    if (opts.sendInitialEvents) listener.initialEventsEnd(list.revision);
    from = list.revision;
  } else {
    from = rv === '' || rv === '0' ? await storage.currentRevision() : parseResourceVersion(rv);
  }

  let last = from;
  let stopped = false;
  const watcher = storage.client.watch().prefix(prefix).withPreviousKV().startRevision(String(from + 1)).watcher();
  const end = (err?: ApiError) => {
    if (stopped) return;
    stopped = true;
    watcher.removeAllListeners('data');
    void watcher.cancel().catch(() => undefined);
    if (err) listener.error(err);
    listener.close();
  };
  watcher.on('data', (res: IWatchResponse) => {
    for (const ev of res.events) {
      if (stopped) return;
      const kv = ev.kv as IKeyValue;
      const rev = Number(kv.mod_revision);
      last = rev;
      const prev = ev.prev_kv ? stored(ev.prev_kv as IKeyValue) : undefined;
      const before = prev ? matches(prev) : false;
      if (ev.type === 'Delete') {
        if (before) listener.event('DELETED', { ...prev!, modRevision: rev });
        continue;
      }
      const now = stored(kv);
      const matchesNow = matches(now);
      if (matchesNow && before) listener.event('MODIFIED', now);
      else if (matchesNow) listener.event('ADDED', now);
      else if (before) listener.event('DELETED', now);
    }
  });
  // etcd's watch cannot be resumed without a gap by the client library: end it, as kube's etcd3 watcher does.
  watcher.on('disconnected', (err: Error) => end(errors.unavailable(`etcd watch disconnected: ${err?.message ?? err}`)));
  watcher.on('error', (err: Error) => end(/compact/i.test(err.message)
    ? errors.expired(`too old resource version: ${from}`)
    : errors.internal(err.message)));
  return { stop: () => end(), revision: () => last };
}

function stored(kv: IKeyValue): StoredValue {
  return { key: kv.key.toString(), value: Buffer.from(kv.value), modRevision: Number(kv.mod_revision), createRevision: Number(kv.create_revision) };
}
