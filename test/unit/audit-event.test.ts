// Audit events as kube writes them: field order and presence per level and stage, the source IP
// chain, microsecond timestamps, impersonation, Status answers, managed fields; and the log
// backend's lumberjack rotation (names, size limit, backups kept).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupName, listBackups, LogBackend } from '../../server/audit/backends/log.js';
import { type AuditEvent, microTime, sourceIPs } from '../../server/audit/event.js';
import { RequestAudit } from '../../server/audit/request.js';
import type { Exchange } from '../../server/http/exchange.js';
import { requestInfo } from '../../server/http/request-info.js';

const alice = { name: 'alice', uid: 'u1', groups: ['dev', 'system:authenticated'] };

function fakeExchange(method: string, uri: string, headers: Record<string, string> = {}): Exchange {
  const [p, q = ''] = uri.split('?');
  return {
    method, path: p, query: new URLSearchParams(q), requestURI: uri, headers, auditID: 'id-1', receivedAt: Date.UTC(2026, 10, 25, 5, 0, 0, 123) + 0.456,
    requestInfo: requestInfo(method, p, new URLSearchParams(q)), authenticatedUser: alice, user: alice, remoteAddress: () => '::ffff:10.0.0.9',
  } as unknown as Exchange;
}

describe('audit event pieces', () => {
  it('microsecond RFC 3339 timestamps in UTC', () => {
    expect(microTime(Date.UTC(2026, 10, 25, 5, 0, 0, 123) + 0.456)).toBe('2026-11-25T05:00:00.123456Z');
    expect(microTime(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00.000000Z');
  });

  it('source IPs: the forwarded chain, X-Real-Ip when new, then the peer unless it ends the chain', () => {
    expect(sourceIPs(undefined, undefined, '127.0.0.1')).toEqual(['127.0.0.1']);
    expect(sourceIPs('1.2.3.4, bogus, 5.6.7.8', undefined, '::ffff:127.0.0.1')).toEqual(['1.2.3.4', '5.6.7.8', '127.0.0.1']);
    expect(sourceIPs('1.2.3.4', '1.2.3.4', '1.2.3.4')).toEqual(['1.2.3.4']);
    expect(sourceIPs('1.2.3.4', '9.9.9.9', '::1')).toEqual(['1.2.3.4', '9.9.9.9', '::1']);
  });
});

describe('RequestAudit events', () => {
  const record = (level: 'Metadata' | 'Request' | 'RequestResponse', ex: Exchange, omitStages: string[] = [], longRunning = false, omitManagedFields = false) => {
    const events: AuditEvent[] = [];
    const rec = new RequestAudit(ex, { level, omitStages: omitStages as never, omitManagedFields }, (e) => events.push(JSON.parse(JSON.stringify(e))), longRunning);
    return { rec, events };
  };

  it('Metadata: kube\'s fields in kube\'s order, no bodies, the decision annotations on later stages', () => {
    const ex = fakeExchange('POST', '/api/v1/namespaces/default/configmaps?fieldManager=x', { 'user-agent': 'kubectl/v1.35.0', 'x-forwarded-for': '192.168.1.1' });
    const { rec, events } = record('Metadata', ex);
    rec.stage('RequestReceived');
    rec.requestBody(Buffer.from('{"kind":"ConfigMap","data":{"k":"secret"}}'), 'application/json');
    rec.annotate('authorization.k8s.io/decision', 'allow');
    rec.annotate('authorization.k8s.io/reason', '');
    rec.responding(201, '{"kind":"ConfigMap","data":{"k":"secret"}}', 'application/json');
    rec.finish(); // already complete: nothing more
    expect(events.map((e) => e.stage)).toEqual(['RequestReceived', 'ResponseComplete']);
    const [received, done] = events;
    expect(Object.keys(received)).toEqual(['kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'sourceIPs', 'userAgent', 'objectRef', 'requestReceivedTimestamp', 'stageTimestamp']);
    expect(received).toMatchObject({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'id-1', requestURI: '/api/v1/namespaces/default/configmaps?fieldManager=x', verb: 'create',
      user: { username: 'alice', uid: 'u1', groups: ['dev', 'system:authenticated'] }, sourceIPs: ['192.168.1.1', '10.0.0.9'], userAgent: 'kubectl/v1.35.0',
      objectRef: { resource: 'configmaps', namespace: 'default', apiVersion: 'v1' }, requestReceivedTimestamp: '2026-11-25T05:00:00.123456Z', stageTimestamp: '2026-11-25T05:00:00.123456Z',
    });
    expect(Object.keys(done)).toEqual(['kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'sourceIPs', 'userAgent', 'objectRef', 'responseStatus', 'requestReceivedTimestamp', 'stageTimestamp', 'annotations']);
    expect(done.responseStatus).toEqual({ metadata: {}, code: 201 });
    expect(done.annotations).toEqual({ 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' });
    expect(JSON.stringify(events)).not.toContain('secret');
  });

  it('Request and RequestResponse carry the bodies; failures carry the Status fields; managed fields can be left out', () => {
    const ex = fakeExchange('PUT', '/apis/apps/v1/namespaces/a/deployments/d/scale');
    const body = '{"kind":"Scale","metadata":{"name":"d","managedFields":[{"manager":"m"}]},"spec":{"replicas":2}}';
    const req = record('Request', ex);
    req.rec.requestBody(Buffer.from(body), 'application/json');
    req.rec.responding(409, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"conflict","reason":"Conflict","details":{"name":"d"},"code":409}', 'application/json');
    expect(req.events[0].objectRef).toEqual({ resource: 'deployments', namespace: 'a', name: 'd', apiGroup: 'apps', apiVersion: 'v1', subresource: 'scale' });
    expect(req.events[0].requestObject).toEqual(JSON.parse(body));
    expect(req.events[0].responseObject).toBeUndefined();
    expect(req.events[0].responseStatus).toEqual({ metadata: {}, status: 'Failure', message: 'conflict', reason: 'Conflict', details: { name: 'd' }, code: 409 });

    const full = record('RequestResponse', ex, [], false, true);
    full.rec.requestBody(Buffer.from(body), 'application/json');
    full.rec.responding(200, body, 'application/json');
    expect(full.events[0].requestObject).toEqual({ kind: 'Scale', metadata: { name: 'd' }, spec: { replicas: 2 } });
    expect(full.events[0].responseObject).toEqual({ kind: 'Scale', metadata: { name: 'd' }, spec: { replicas: 2 } });
  });

  it('the request object names what the URL does not (create) and carries uid and resourceVersion (update), at Metadata too', () => {
    const create = record('Metadata', fakeExchange('POST', '/api/v1/namespaces/default/configmaps'));
    create.rec.requestBody(Buffer.from('{"kind":"ConfigMap","metadata":{"name":"c1"}}'), 'application/json');
    create.rec.responding(201, '{}', 'application/json');
    expect(create.events[0].objectRef).toEqual({ resource: 'configmaps', namespace: 'default', name: 'c1', apiVersion: 'v1' });
    expect(create.events[0].requestObject).toBeUndefined();
    const update = record('Metadata', fakeExchange('PUT', '/api/v1/namespaces/default/configmaps/c1'));
    update.rec.requestBody(Buffer.from('{"kind":"ConfigMap","metadata":{"name":"c1","uid":"u-9","resourceVersion":"42"}}'), 'application/json');
    update.rec.responding(200, '{}', 'application/json');
    expect(JSON.stringify(update.events[0].objectRef)).toBe('{"resource":"configmaps","namespace":"default","name":"c1","uid":"u-9","apiVersion":"v1","resourceVersion":"42"}');
  });

  it('long-running: ResponseStarted when the stream starts, ResponseComplete when it ends; omitted stages are not written', () => {
    const ex = fakeExchange('GET', '/api/v1/pods?watch=true');
    const { rec, events } = record('Metadata', ex, ['RequestReceived'], true);
    rec.stage('RequestReceived');
    rec.responding(200, undefined, 'application/json');
    rec.finish();
    expect(events.map((e) => [e.stage, e.verb, e.responseStatus?.code])).toEqual([['ResponseStarted', 'watch', 200], ['ResponseComplete', 'watch', 200]]);
  });

  it('impersonation: user is who authenticated, impersonatedUser who the request acts as; an unanswered request is "Connection closed early"', () => {
    const ex = fakeExchange('GET', '/healthz');
    const { rec, events } = record('Metadata', ex);
    (ex as { user: unknown }).user = { name: 'bob', groups: ['x'] };
    rec.finish();
    expect(events[0]).toMatchObject({ user: { username: 'alice' }, impersonatedUser: { username: 'bob', groups: ['x'] }, verb: 'get', responseStatus: { status: 'Success', message: 'Connection closed early', code: 200 } });
    expect(events[0].objectRef).toBeUndefined();
  });

  it('a panic is its own stage with a 500', () => {
    const { rec, events } = record('Metadata', fakeExchange('GET', '/api/v1/pods'));
    rec.panic(new Error('boom'));
    rec.responding(500, '{}', 'application/json');
    expect(events.map((e) => e.stage)).toEqual(['Panic']);
    expect(events[0].responseStatus).toEqual({ metadata: {}, status: 'Failure', message: "APIServer panic'd: boom", reason: 'InternalError', code: 500 });
  });
});

describe('log backend rotation (lumberjack\'s)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'audit-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names backups <name>-<UTC time><ext>', () => {
    expect(backupName('/var/log/audit.log', new Date(Date.UTC(2026, 10, 25, 5, 6, 7, 89)))).toBe('/var/log/audit-2026-11-25T05-06-07.089.log');
  });

  it('the legacy format is kube\'s EventString line', () => {
    const file = path.join(dir, 'legacy.log');
    const log = new LogBackend({ path: file, maxSizeMB: 1, maxBackups: 0, maxAgeDays: 0, format: 'legacy' });
    log.open();
    log.process([{
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: 'id-1', stage: 'ResponseComplete', requestURI: '/api/v1/namespaces/a/pods', verb: 'list',
      user: { username: 'alice', groups: ['dev', 'system:authenticated'] }, sourceIPs: ['1.2.3.4', '127.0.0.1'], userAgent: 'kubectl', objectRef: { resource: 'pods', namespace: 'a' },
      responseStatus: { metadata: {}, code: 200 }, requestReceivedTimestamp: '2026-11-25T05:00:00.123400Z', stageTimestamp: '2026-11-25T05:00:00.200000Z',
    }]);
    log.close();
    expect(readFileSync(file, 'utf8')).toBe('2026-11-25T05:00:00.1234Z AUDIT: id="id-1" stage="ResponseComplete" ip="1.2.3.4" method="list" user="alice" ' +
      'groups="\\"dev\\",\\"system:authenticated\\"" as="<self>" asgroups="<lookup>" user-agent="kubectl" namespace="a" uri="/api/v1/namespaces/a/pods" response="200"\n');
    rmSync(file);
  });

  it('rotates past maxsize MB and keeps maxbackup files', async () => {
    const file = path.join(dir, 'audit.log');
    const log = new LogBackend({ path: file, maxSizeMB: 1, maxBackups: 2, maxAgeDays: 0, format: 'json' });
    log.open();
    const big = { kind: 'Event', auditID: 'x', pad: 'p'.repeat(100 * 1024) } as unknown as AuditEvent;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 10; i++) log.process([big]); // ~1 MB: the next round starts a new file
      await new Promise((r) => setTimeout(r, 5)); // distinct millisecond names
    }
    log.close();
    const backups = listBackups(file);
    expect(backups).toHaveLength(2);
    expect(readdirSync(dir).sort()).toEqual([...backups.map((b) => b.file), 'audit.log'].sort());
    for (const f of readdirSync(dir)) {
      const size = readFileSync(path.join(dir, f)).length;
      expect(size).toBeLessThanOrEqual(1024 * 1024);
      expect(size).toBeGreaterThan(0);
    }
  });
});
