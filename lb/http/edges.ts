// Requests node's HTTP parser refuses, and methods kube never serves, answered as kube Status JSON
// (the API server's uWebSockets.js gets some of these wrong, so the LB answers them itself).
import type net from 'node:net';
import { rawStatusResponse, statuses } from './status.js';

/** The methods kube-apiserver routes; anything else is 405 there too. */
export const servedMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The server's 'clientError' handler: node's parser failed on what the client sent. */
export function answerClientError(err: NodeJS.ErrnoException & { bytesParsed?: number }, socket: net.Socket): void {
  if (!socket.writable || (socket as net.Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const s = clientErrorStatus(err.code ?? '');
  if (!s) {
    socket.destroy();
    return;
  }
  socket.end(rawStatusResponse(s));
}

export function clientErrorStatus(code: string) {
  switch (code) {
    case 'ECONNRESET':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return undefined;
    case 'HPE_INVALID_METHOD':
      return statuses.methodNotAllowed();
    case 'HPE_HEADER_OVERFLOW':
      return statuses.headersTooLarge();
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_CONTENT_LENGTH':
      return statuses.badRequest('conflicting or invalid Content-Length');
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return statuses.badRequest('invalid Transfer-Encoding');
    default:
      return statuses.badRequest(`malformed HTTP request (${code || 'parse error'})`);
  }
}
