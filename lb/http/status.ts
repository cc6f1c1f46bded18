// kube's meta/v1 Status for the answers the LB gives itself, so kubectl prints them as it prints the API server's.
import type http from 'node:http';

export interface LbStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: { retryAfterSeconds?: number };
  code: number;
}

export function status(code: number, reason: string, message: string, retryAfterSeconds?: number): LbStatus {
  const s: LbStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (retryAfterSeconds !== undefined) s.details = { retryAfterSeconds };
  return s;
}

export const statuses = {
  noBackend: () => status(503, 'ServiceUnavailable', 'no API server instance is ready', 1),
  badGateway: (why: string) => status(502, 'InternalError', `the API server instance failed before answering: ${why}`),
  methodNotAllowed: () => status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
  badRequest: (why: string) => status(400, 'BadRequest', why),
  unauthorized: () => status(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (why: string) => status(403, 'Forbidden', `forbidden: ${why}`),
  notFound: () => status(404, 'NotFound', 'the server could not find the requested resource'),
  headersTooLarge: () => status(431, 'BadRequest', 'request header fields too large'),
  shuttingDown: () => status(503, 'ServiceUnavailable', 'the load balancer is shutting down', 1),
  internal: (why: string) => status(500, 'InternalError', why),
};

const reasonPhrases: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable',
};

export function sendStatus(res: http.ServerResponse, s: LbStatus): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(s);
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache, private' };
  if (s.details?.retryAfterSeconds) headers['retry-after'] = String(s.details.retryAfterSeconds);
  res.writeHead(s.code, headers);
  res.end(body);
}

/** The whole response as raw bytes, for a socket the HTTP parser has given up on. */
export function rawStatusResponse(s: LbStatus): string {
  const body = JSON.stringify(s);
  return `HTTP/1.1 ${s.code} ${reasonPhrases[s.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
