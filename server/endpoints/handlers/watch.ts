// WATCH over chunked HTTP: one JSON WatchEvent per line, or one Table per event for `kubectl get -w`.
import { parseExactJSON, stringifyJSON } from '../../api/json.js';
import type { KubeObject } from '../../api/object.js';
import { negotiate } from '../../http/negotiate.js';
import { asPartialObjectMetadata, partialApiVersion } from '../../table/partial.js';
import { startWatch, type WatchEventType, type WatchOptions, type WatchSink } from '../../registry/watch.js';
import { toTable } from '../../table/convert.js';
import type { HandlerContext } from './context.js';
import { includeObject } from './context.js';
import { queryBool, queryInt64, queryOptionalBool } from './query.js';

/** The longest timer Node keeps (2^31-1 ms): a longer timeoutSeconds keeps the watch open that long, not 1 ms. */
const maxTimeoutSeconds = Math.floor((2 ** 31 - 1) / 1000);

/** ListOptions for a watch, converted as kube's parameter codec does: a malformed number is 400. */
export function watchOptions(q: URLSearchParams, name: string): WatchOptions {
  const timeout = queryInt64(q, 'timeoutSeconds');
  return {
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    allowWatchBookmarks: queryBool(q, 'allowWatchBookmarks'),
    sendInitialEvents: queryOptionalBool(q, 'sendInitialEvents'),
    timeoutSeconds: timeout ? Math.min(timeout, maxTimeoutSeconds) : undefined,
    name: name || undefined,
  };
}

// One event goes to every watcher of it: its line is built once, not once per watcher. The key is
// the cached object text itself (V8 keeps a string's hash, so the lookup does not rehash it).
const eventLines = new Map<WatchEventType, Map<string, string>>();

function eventLine(type: WatchEventType, text: string): string {
  let lines = eventLines.get(type);
  if (!lines) eventLines.set(type, (lines = new Map()));
  let line = lines.get(text);
  if (line === undefined) {
    if (lines.size >= 512) lines.clear();
    line = `{"type":"${type}","object":${text}}\n`;
    lines.set(text, line);
  }
  return line;
}

export async function watch(ctx: HandlerContext): Promise<void> {
  const { ex, rt } = ctx;
  const rep = negotiate(ex.headers.accept, true);
  const opts = watchOptions(ex.query, ctx.info.name);
  let sentColumns = false;
  const sink: WatchSink = {
    event(type: WatchEventType, object: string | KubeObject, parse?: () => KubeObject) {
      if (!ex.hasStarted) ex.beginStream(rep === 'table' ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json');
      if (rep === 'table' && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')) {
        const obj = parse ? parse() : (typeof object === 'string' ? parseExactJSON(object) as KubeObject : object);
        const table = toTable([obj], rt.strategy.table, { includeObject: includeObject(ctx) });
        // The header goes with the first event only, as kube-apiserver sends it.
        if (sentColumns) table.columnDefinitions = [];
        sentColumns = true;
        table.metadata = { resourceVersion: obj.metadata.resourceVersion };
        ex.write(`{"type":"${type}","object":${stringifyJSON(table)}}\n`);
        return;
      }
      if ((rep === 'partial' || rep === 'partial-v1beta1') && type !== 'ERROR') {
        // Metadata informers watch with as=PartialObjectMetadata: each event carries the metadata only.
        const obj = parse ? parse() : (typeof object === 'string' ? parseExactJSON(object) as KubeObject : object);
        ex.write(`{"type":"${type}","object":${stringifyJSON(asPartialObjectMetadata(obj, partialApiVersion(rep)))}}\n`);
        return;
      }
      ex.write(typeof object === 'string' ? eventLine(type, object) : `{"type":"${type}","object":${stringifyJSON(object)}}\n`);
    },
    queuedBytes: () => ex.queuedBytes,
    close: () => {
      if (!ex.hasStarted) ex.beginStream('application/json');
      ex.endStream();
    },
  };
  const stop = await startWatch(ctx.store, rt, ctx.info.namespace, opts, sink);
  if (ex.aborted) stop();
  ex.onAbort(stop);
  // Headers go out at once, so clients see the watch established even before the first event.
  if (!ex.hasStarted && !ex.aborted) ex.beginStream(rep === 'table' ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json');
}
