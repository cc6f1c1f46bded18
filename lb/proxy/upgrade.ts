// Upgraded connections (WebSocket watches, exec/attach/port-forward): the instance's 101 is relayed
// and then the two sockets are piped both ways, so each side's backpressure pauses the other.
import http from 'node:http';
import type net from 'node:net';
import type { Backend } from '../balancer/backend.js';
import { type BackendPool, watchLoad } from '../balancer/pool.js';
import { rawStatusResponse, statuses } from '../http/status.js';
import { tooManyHeaderLines, upstreamHeaders } from './headers.js';
import { isConnectFailure } from './retry.js';

export class UpgradeTunnels {
  readonly open = new Set<net.Socket>();

  constructor(private readonly pool: BackendPool, private readonly retries: number) {}

  handle(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const headers = upstreamHeaders(req, true);
    if (tooManyHeaderLines(headers)) {
      socket.end(rawStatusResponse(statuses.headersTooLarge()));
      return;
    }
    const tried = new Set<Backend>();
    socket.on('error', () => undefined);
    const attempt = (lastError?: string): void => {
      if (socket.destroyed) return;
      const b = this.pool.pick(tried, watchLoad);
      if (!b) {
        socket.end(rawStatusResponse(lastError ? statuses.badGateway(lastError) : statuses.noBackend()));
        return;
      }
      tried.add(b);
      b.requests++;
      b.rate.mark();
      // A connection of its own: an upgraded socket never goes back to a keep-alive pool.
      const upstream = b.request({ method: req.method, path: req.url, headers, agent: false });
      upstream.end();
      const abandon = () => upstream.destroy();
      socket.once('close', abandon);
      upstream.on('upgrade', (ures, usocket, uhead) => {
        socket.off('close', abandon);
        if (socket.destroyed) {
          usocket.destroy();
          return;
        }
        let headText = `HTTP/1.1 101 ${ures.statusMessage || 'Switching Protocols'}\r\n`;
        for (let i = 0; i < ures.rawHeaders.length; i += 2) headText += `${ures.rawHeaders[i]}: ${ures.rawHeaders[i + 1]}\r\n`;
        socket.write(`${headText}\r\n`);
        if (uhead.length) socket.write(uhead);
        if (head.length) usocket.write(head);
        this.track(b, socket, usocket);
      });
      upstream.on('response', (ures) => {
        // The instance answered without upgrading (an error or a plain watch): relay it and close.
        socket.off('close', abandon);
        const body: Buffer[] = [];
        ures.on('data', (c: Buffer) => body.push(c));
        ures.on('error', () => socket.destroy());
        ures.on('end', () => {
          const payload = Buffer.concat(body);
          let text = `HTTP/1.1 ${ures.statusCode} ${ures.statusMessage ?? ''}\r\n`;
          for (let i = 0; i < ures.rawHeaders.length; i += 2) {
            const name = ures.rawHeaders[i].toLowerCase();
            if (name === 'transfer-encoding' || name === 'content-length' || name === 'connection' || name === 'keep-alive') continue;
            text += `${ures.rawHeaders[i]}: ${ures.rawHeaders[i + 1]}\r\n`;
          }
          socket.write(`${text}Content-Length: ${payload.length}\r\nConnection: close\r\n\r\n`);
          socket.end(payload);
        });
      });
      upstream.on('error', (e: NodeJS.ErrnoException) => {
        socket.off('close', abandon);
        if (socket.destroyed) return;
        b.errors++;
        if (isConnectFailure(e)) {
          this.pool.eject(b, `connect: ${e.code}`);
          // Nothing reached the instance: another one may take it.
          if (tried.size <= this.retries) return attempt(`${b.name}: ${e.code}`);
        }
        socket.end(rawStatusResponse(statuses.badGateway(`${b.name}: ${e.code ?? e.message}`)));
      });
    };
    attempt();
  }

  private track(b: Backend, client: net.Socket, server: net.Socket): void {
    this.open.add(client);
    b.openTunnels++;
    client.setNoDelay(true);
    server.setNoDelay(true);
    server.on('error', () => undefined);
    client.pipe(server);
    server.pipe(client);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      this.open.delete(client);
      b.openTunnels--;
      client.destroy();
      server.destroy();
    };
    client.on('close', close);
    server.on('close', close);
  }

  destroyAll(): void {
    for (const s of [...this.open]) s.destroy();
  }
}
