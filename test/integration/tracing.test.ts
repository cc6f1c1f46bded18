// OpenTelemetry traces through the LB: a small OTLP/HTTP receiver of the test's own takes what the
// LB (OTLP protobuf) and an instance (OTLP JSON) export; one request's spans share the client's
// trace ID, the LB's span is the instance's parent, and the instance's has children for
// authentication, authorization, admission and etcd; the fan-out's Redis calls are spans. The instance logs the request in JSON with
// its audit ID and trace ID (--logging-format=json -v=3).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiServerProcess, type Etcd, startApiServer, startEtcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { issue, newCA } from '../../pki/pki.js';
import { type LbProcess, startLb } from '../support/lb.js';
import { type RedisServer, startRedis } from '../support/redis.js';

interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: Array<{ key: string; value: Record<string, unknown> }> }

/** What the receiver was sent: JSON exports parsed to spans, protobuf ones kept as bytes. */
const jsonSpans: OtlpSpan[] = [];
const protobufBodies: Buffer[] = [];
let receiver: http.Server;
let dir: string;
let etcd: Etcd;
let redis: RedisServer;
let apiserver: ApiServerProcess;
let lb: LbProcess;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url !== '/v1/traces') res.writeHead(404).end();
      else if ((req.headers['content-type'] ?? '').startsWith('application/json')) {
        const doc = JSON.parse(body.toString()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
        for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) jsonSpans.push(...ss.spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        protobufBodies.push(body);
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-tracing-'));
  etcd = await startEtcd(dir);
  redis = await startRedis();
  apiserver = await startApiServer(etcd.url, ['--logging-format=json', '-v=3', `--redis-url=${redis.url}`], { ...otel, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
  lb = await startLb([apiserver.url], [], { ...otel, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' });
}, 120_000);

afterAll(async () => {
  await lb?.stop();
  await apiserver?.stop();
  await etcd?.stop();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => receiver?.close(resolve));
});

it('one request\'s spans from the LB and the instance share the client\'s trace, with the etcd, authentication, authorization and admission children', async () => {
  const traceId = randomBytes(16).toString('hex');
  const clientSpanId = randomBytes(8).toString('hex');
  const res = await fetch(`${lb.url}/api/v1/namespaces/default/configmaps`, {
    method: 'POST', headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${clientSpanId}-01` },
    body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'traced' }, data: { a: 'b' } }),
  });
  expect(res.status).toBe(201);
  const auditID = res.headers.get('audit-id');

  const ofTrace = () => jsonSpans.filter((s) => s.traceId === traceId);
  await eventually(() => ofTrace().some((s) => s.name === 'KubernetesAPI') && ofTrace().some((s) => s.name === 'etcd create')
    && protobufBodies.some((b) => b.includes(Buffer.from(traceId, 'hex'))), { timeoutMs: 20_000, what: 'the request\'s spans exported' });

  const spans = ofTrace();
  const request = spans.find((s) => s.name === 'KubernetesAPI')!;
  // The instance's span is the LB's child, not the client's: the LB's span sits between them.
  expect(request.parentSpanId).toBeTruthy();
  expect(request.parentSpanId).not.toBe(clientSpanId);
  const lbExport = protobufBodies.find((b) => b.includes(Buffer.from(traceId, 'hex')))!;
  expect(lbExport.includes(Buffer.from(request.parentSpanId!, 'hex'))).toBe(true); // the LB's span ID
  expect(lbExport.includes(Buffer.from(clientSpanId, 'hex'))).toBe(true); // its parent: the client's span
  expect(lbExport.includes(Buffer.from('LoadBalancer'))).toBe(true);

  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const underRequest = (s: OtlpSpan): boolean => {
    for (let p = s.parentSpanId; p; p = byId.get(p)?.parentSpanId) if (p === request.spanId) return true;
    return false;
  };
  for (const name of ['authentication', 'authorization', 'admission (mutating)', 'admission (validating)', 'etcd create']) {
    const child = spans.find((s) => s.name === name);
    expect(child, name).toBeDefined();
    expect(underRequest(child!), `${name} under the request's span`).toBe(true);
  }
  // A filter's span covers its own work only: what runs after it (the next filters, the handler) is not its child.
  for (const name of ['authorization', 'admission (mutating)', 'etcd create']) expect(spans.find((s) => s.name === name)!.parentSpanId, name).toBe(request.spanId);
  const status = request.attributes?.find((a) => a.key === 'http.response.status_code')?.value;
  expect(status).toEqual({ intValue: 201 });
  expect(request.attributes).toEqual(expect.arrayContaining([{ key: 'k8s.verb', value: { stringValue: 'create' } }, { key: 'k8s.resource', value: { stringValue: 'configmaps' } },
    { key: 'k8s.audit_id', value: { stringValue: auditID } }]));

  // kube's httplog line, in JSON, with the audit ID and the trace ID.
  await eventually(() => apiserver.logs().includes(traceId), { timeoutMs: 10_000, what: 'the request\'s log line' });
  const line = apiserver.logs().split('\n').find((l) => l.includes(traceId))!;
  expect(JSON.parse(line)).toMatchObject({ ts: expect.any(Number), v: 3, msg: 'HTTP', verb: 'POST', URI: '/api/v1/namespaces/default/configmaps',
    'audit-ID': auditID, traceID: traceId, resp: 201, latency: expect.stringMatching(/^[0-9.]+(µs|ms|s)$/) });
}, 60_000);

it('a GET served from the watch cache still shows its etcd call (the consistent read\'s revision)', async () => {
  const traceId = randomBytes(16).toString('hex');
  const res = await fetch(`${lb.url}/api/v1/namespaces/default/configmaps/traced`, { headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
  expect(res.status).toBe(200);
  await eventually(() => jsonSpans.some((s) => s.traceId === traceId && s.name.startsWith('etcd ')), { timeoutMs: 20_000, what: 'the GET\'s etcd span' });
});

it('a client\'s unsampled traceparent is honoured: nothing of that trace is exported', async () => {
  const traceId = randomBytes(16).toString('hex');
  const res = await fetch(`${lb.url}/api/v1/namespaces/default/configmaps/traced`, { headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-00` } });
  expect(res.status).toBe(200);
  // A later sampled request's spans arriving shows the exporters have flushed past the unsampled one.
  const marker = randomBytes(16).toString('hex');
  await fetch(`${lb.url}/api/v1/namespaces/default/configmaps/traced`, { headers: { traceparent: `00-${marker}-${randomBytes(8).toString('hex')}-01` } });
  await eventually(() => jsonSpans.some((s) => s.traceId === marker) && protobufBodies.some((b) => b.includes(Buffer.from(marker, 'hex'))), { timeoutMs: 20_000, what: 'the marker request\'s spans' });
  expect(jsonSpans.some((s) => s.traceId === traceId)).toBe(false);
  expect(protobufBodies.some((b) => b.includes(Buffer.from(traceId, 'hex')))).toBe(false);
});

it('the fan-out\'s Redis commands are spans (its background work: traces of their own)', async () => {
  // The instance publishes every etcd event to the Redis stream (XADD) and keeps its heartbeat (SET).
  await eventually(() => jsonSpans.some((s) => s.name === 'redis XADD') && jsonSpans.some((s) => s.name === 'redis SET'), { timeoutMs: 20_000, what: 'Redis spans' });
  const xadd = jsonSpans.find((s) => s.name === 'redis XADD')!;
  expect(xadd.attributes).toContainEqual({ key: 'db.system.name', value: { stringValue: 'redis' } });
});

it('kube\'s --tracing-config-file: spans go over OTLP gRPC to its endpoint, every request sampled at 1000000 per million', async () => {
  // A gRPC receiver of the test's own: TraceService/Export, the request kept as bytes.
  const exports: Buffer[] = [];
  const server = new grpc.Server();
  const raw = (b: Buffer) => b;
  server.addService({
    export: { path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export', requestStream: false, responseStream: false,
      requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw },
  } as grpc.ServiceDefinition, {
    export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
      exports.push(call.request);
      done(null, Buffer.alloc(0));
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const file = path.join(dir, 'tracing.yaml');
  writeFileSync(file, `apiVersion: apiserver.config.k8s.io/v1\nkind: TracingConfiguration\nendpoint: 127.0.0.1:${port}\nsamplingRatePerMillion: 1000000\n`);
  const traced = await startApiServer(etcd.url, [`--tracing-config-file=${file}`], { OTEL_BSP_SCHEDULE_DELAY: '100' });
  try {
    // No traceparent: the instance's own sampler (ratio 1) decides.
    const res = await fetch(`${traced.url}/api/v1/namespaces/default/configmaps/traced`);
    expect(res.status).toBe(200);
    await eventually(() => exports.some((b) => b.includes(Buffer.from('KubernetesAPI')) && b.includes(Buffer.from('etcd list'))), { timeoutMs: 20_000, what: 'spans over gRPC' });
  } finally {
    await traced.stop();
    server.forceShutdown();
  }
}, 90_000);

it('an admission webhook call is a span of the request, and the webhook is sent the trace in its traceparent', async () => {
  const ca = newCA('tracing-test-webhook-ca');
  const serving = issue(ca, { commonName: 'webhook', usage: 'server', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const seen: string[] = [];
  const webhook = https.createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(String(req.headers.traceparent ?? ''));
      const review = JSON.parse(Buffer.concat(chunks).toString()) as { request: { uid: string } };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } }));
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  try {
    const port = (webhook.address() as AddressInfo).port;
    const config = {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'traced' },
      webhooks: [{
        name: 'traced.example.com', sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail',
        clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: Buffer.from(ca.certPem).toString('base64') },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
        objectSelector: { matchLabels: { traced: 'webhook' } },
      }],
    };
    const made = await fetch(`${lb.url}/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config),
    });
    expect(made.status).toBe(201);
    const traceId = randomBytes(16).toString('hex');
    let n = 0;
    // The configuration reaches the instance through its watch: create until the webhook is called.
    await eventually(async () => {
      const res = await fetch(`${lb.url}/api/v1/namespaces/default/configmaps`, {
        method: 'POST', headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `webhooked-${n++}`, labels: { traced: 'webhook' } } }),
      });
      return res.status === 201 && seen.length > 0;
    }, { timeoutMs: 20_000, what: 'the webhook called' });
    expect(seen.at(-1)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const webhookSpanId = seen.at(-1)!.split('-')[2];
    await eventually(() => jsonSpans.some((s) => s.spanId === webhookSpanId), { timeoutMs: 20_000, what: 'the webhook call\'s span' });
    const span = jsonSpans.find((s) => s.spanId === webhookSpanId)!;
    expect(span).toMatchObject({ name: 'admission webhook', traceId });
    expect(jsonSpans.find((s) => s.spanId === span.parentSpanId)?.name).toBe('admission (validating)');
  } finally {
    webhook.closeAllConnections();
    await new Promise((resolve) => webhook.close(resolve));
  }
}, 60_000);
