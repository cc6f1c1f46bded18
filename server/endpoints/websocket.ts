// WATCH over WebSocket, as kube-apiserver accepts it: each WatchEvent is one text message.
// (k6 can only drive watches this way.)
import { ApiError, errors } from '../api/errors.js';
import { stringifyJSON } from '../api/json.js';
import type { KubeObject } from '../api/object.js';
import { Exchange, type ExchangeAudit } from '../http/exchange.js';
import { requestInfo } from '../http/request-info.js';
import type { TemplatedApp, WebSocket } from '../http/uws.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { GenericStore } from '../registry/store.js';
import { startWatch, type WatchEventType } from '../registry/watch.js';
import { watchOptions } from './handlers/watch.js';

interface WatchSocketData {
  path: string;
  query: string;
  stop?: () => void;
  closed: boolean;
  /** The request's audit, when audited: its ResponseComplete waits for the socket to close, as kube's hijacked connection. */
  audit?: ExchangeAudit;
  /** Ends the upgraded exchange (its request metrics) when the socket closes. */
  connectionClosed: () => void;
}

/** `chain` is the server's handler chain: an upgrade passes the same filters as any request before it is accepted. */
export function serveWatchWebSockets(app: TemplatedApp, types: TypeRegistry, store: GenericStore, chain: (ex: Exchange) => Promise<void>,
  frontProxyListener = false): void {
  app.ws<WatchSocketData>('/*', {
    compression: 0,
    maxPayloadLength: 64 * 1024,
    idleTimeout: 0,
    // Our own limit (--watch-max-queued-bytes) cuts a slow watcher off; uWS would drop messages silently past this one.
    maxBackpressure: 1024 * 1024 * 1024,
    upgrade: (res, req, context) => {
      const path = req.getUrl();
      const query = req.getQuery() ?? '';
      const key = req.getHeader('sec-websocket-key');
      const protocols = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      // Only the first offered subprotocol we know is echoed; plain text frames either way.
      const protocol = protocols.split(',').map((p) => p.trim()).find((p) => p === 'v4.channel.k8s.io' || p === '') ?? '';
      const ex = new Exchange(res, req, frontProxyListener);
      ex.upgrade = () => ex.switchProtocols((r) => r.upgrade<WatchSocketData>({ path, query, closed: false, audit: ex.audit, connectionClosed: () => ex.connectionClosed() }, key, protocol, extensions, context));
      chain(ex).catch((e) => {
        if (!ex.hasStarted) ex.sendError(e);
      });
    },
    open: (ws: WebSocket<WatchSocketData>) => {
      void openWatch(ws, types, store);
    },
    message: () => undefined,
    close: (ws: WebSocket<WatchSocketData>) => {
      const data = ws.getUserData();
      data.closed = true;
      data.stop?.();
      data.audit?.connectionClosed();
      data.connectionClosed();
    },
  });
}

async function openWatch(ws: WebSocket<WatchSocketData>, types: TypeRegistry, store: GenericStore): Promise<void> {
  const data = ws.getUserData();
  const query = new URLSearchParams(data.query);
  const send = (text: string) => {
    if (!data.closed) ws.send(text, false);
  };
  try {
    const info = requestInfo('GET', data.path, query);
    if (!info.isResourceRequest || info.verb !== 'watch') throw errors.badRequest('only watch requests can be upgraded to a WebSocket');
    const rt = types.lookup(info.apiGroup, info.apiVersion, info.resource);
    if (!rt || rt.virtual) throw errors.notFoundPath();
    const stop = await startWatch(store, rt, info.namespace, watchOptions(query, info.name), {
      event(type: WatchEventType, object: string | KubeObject) {
        send(`{"type":"${type}","object":${typeof object === 'string' ? object : stringifyJSON(object)}}`);
      },
      queuedBytes: () => (data.closed ? 0 : ws.getBufferedAmount()),
      close: () => {
        if (!data.closed) {
          data.closed = true;
          ws.end(1000);
        }
      },
    });
    if (data.closed) stop();
    else data.stop = stop;
  } catch (e) {
    const err = e instanceof ApiError ? e : errors.internal(String(e));
    send(`{"type":"ERROR","object":${JSON.stringify(err.toStatus())}}`);
    if (!data.closed) {
      data.closed = true;
      ws.end(1000);
    }
  }
}
