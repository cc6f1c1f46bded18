// The LB's bounds on what one client may hold (kube-apiserver's own server has the same kinds):
// connections at once, time to finish a TLS handshake and send a request head, time idle between
// keep-alive requests, and time a request body may stall. A response, a watch and an upgraded tunnel
// are never cut for being quiet: kube keeps them open as long as they live.
import type http from 'node:http';
import type net from 'node:net';
import type { LbConfig } from '../config.js';

/** node:http(s) server options for the head and keep-alive bounds. */
export function serverLimits(config: LbConfig): http.ServerOptions & { handshakeTimeout: number } {
  return {
    headersTimeout: config.headerTimeoutMs,
    // node's requestTimeout covers the whole body: it would cut a long upload that is flowing. Stalls are cut by stallGuard.
    requestTimeout: 0,
    keepAliveTimeout: config.idleTimeoutMs,
    // node checks the head deadline on this tick (30 s by default): often enough to keep the bound within a quarter of it.
    connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(config.headerTimeoutMs / 4))),
    handshakeTimeout: config.headerTimeoutMs,
  };
}

/** Caps the connections `server` holds; counts what it turned away. */
export class ConnectionCap {
  open = 0;
  dropped = 0;

  constructor(server: net.Server, readonly max: number) {
    // node closes a connection over the cap as soon as it is accepted, before TLS or HTTP.
    server.maxConnections = max;
    server.on('drop', () => this.dropped++);
    server.on('connection', (socket: net.Socket) => {
      this.open++;
      socket.once('close', () => this.open--);
    });
  }

  stats(): { open: number; max: number; dropped: number } {
    return { open: this.open, max: this.max, dropped: this.dropped };
  }
}

/**
 * Cuts the client's connection when the body it is sending stops for `ms`. Time spent paused because
 * the instance reads slowly (backpressure) is not the client's stall. Call once the body is being read.
 */
export function stallGuard(req: http.IncomingMessage, ms: number): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (req.readableFlowing !== true) return arm();
      req.socket.destroy();
    }, ms);
  };
  const done = () => {
    clearTimeout(timer);
    req.off('data', arm);
  };
  req.on('data', arm);
  req.once('end', done);
  req.once('close', done);
  arm();
}
