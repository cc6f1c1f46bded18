import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientErrorStatus } from '../../lb/http/edges.js';
import { fitHeaderLines, tooManyHeaderLines, upstreamHeaders } from '../../lb/proxy/headers.js';

function request(headers: http.IncomingHttpHeaders): http.IncomingMessage {
  return { headers, socket: { remoteAddress: '10.1.2.3' } } as unknown as http.IncomingMessage;
}

describe('the head sent upstream', () => {
  it('drops hop-by-hop headers and client-claimed identity, adds X-Forwarded-*', () => {
    const h = upstreamHeaders(request({
      host: 'lb', connection: 'keep-alive, x-trace', 'keep-alive': 'timeout=5', 'x-trace': '1', accept: 'application/json',
      'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters', 'x-remote-extra-scopes': 'x', 'x-forwarded-for': '192.168.0.9',
    }));
    expect(h).toEqual({ host: 'lb', accept: 'application/json', 'x-forwarded-for': '192.168.0.9, 10.1.2.3', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'lb' });
  });

  it('keeps the upgrade headers of an upgrade', () => {
    const h = upstreamHeaders(request({ host: 'lb', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' }), true);
    expect(h).toMatchObject({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' });
  });

  it('fits many headers into the instance limit, keeping what kube reads', () => {
    const many: http.OutgoingHttpHeaders = { accept: 'application/json', authorization: 'Bearer t', 'impersonate-user': 'u' };
    for (let i = 0; i < 100; i++) many[`x-custom-${i}`] = 'v';
    const fitted = fitHeaderLines(many);
    expect(fitted).toEqual({ accept: 'application/json', authorization: 'Bearer t', 'impersonate-user': 'u' });
    const few = { accept: 'a', 'x-custom': 'b' };
    expect(fitHeaderLines(few)).toBe(few);
    const extras: http.OutgoingHttpHeaders = {};
    for (let i = 0; i < 60; i++) extras[`impersonate-extra-k${i}`] = 'v';
    expect(tooManyHeaderLines(fitHeaderLines(extras))).toBe(true);
  });

  it('past uWS\'s 4 KiB head, drops the headers kube does not read (kube takes a 1 MiB head)', () => {
    const huge: http.OutgoingHttpHeaders = { accept: 'application/json', authorization: 'Bearer t', 'x-huge': 'h'.repeat(1048576) };
    expect(fitHeaderLines(huge, 60)).toEqual({ accept: 'application/json', authorization: 'Bearer t' });
    // The request line counts: a 3 KiB header fits beside a short one, not beside a 2 KiB URL.
    const mid: http.OutgoingHttpHeaders = { accept: 'a', 'x-mid': 'm'.repeat(3000) };
    expect(fitHeaderLines(mid, 60)).toBe(mid);
    expect(fitHeaderLines(mid, 2048)).toEqual({ accept: 'a' });
    // What kube reads is kept however large: a long token is sent as it is.
    const token: http.OutgoingHttpHeaders = { authorization: `Bearer ${'t'.repeat(8000)}`, 'x-other': 'o' };
    expect(fitHeaderLines(token, 60)).toEqual({ authorization: token.authorization });
    const viaRequest = upstreamHeaders({ ...request({ host: 'lb', 'x-huge': 'h'.repeat(6000) }), method: 'GET', url: '/api' } as http.IncomingMessage);
    expect(viaRequest['x-huge']).toBeUndefined();
    expect(viaRequest.host).toBe('lb');
  });

  it('answers parser failures as Status', () => {
    expect(clientErrorStatus('HPE_INVALID_METHOD')).toMatchObject({ code: 405, reason: 'MethodNotAllowed' });
    expect(clientErrorStatus('HPE_UNEXPECTED_CONTENT_LENGTH')).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(clientErrorStatus('HPE_HEADER_OVERFLOW')).toMatchObject({ code: 431 });
    expect(clientErrorStatus('ECONNRESET')).toBeUndefined();
  });
});
