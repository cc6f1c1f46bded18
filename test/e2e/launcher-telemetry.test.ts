// The launcher's OTEL_* environment reaches the API server and the LB it starts: a request through
// the LB is one trace, exported by both (their service names), and --logging-format=json reaches both.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { type LauncherCluster, runLauncher, startLauncherOnFreePorts } from '../support/launcher.js';

interface Exported { service: string; traceId: string; name: string }
const spans: Exported[] = [];
let receiver: http.Server;
let cluster: LauncherCluster;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const doc = JSON.parse(Buffer.concat(chunks).toString()) as {
        resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Array<{ traceId: string; name: string }> }> }>;
      };
      for (const rs of doc.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ service, traceId: s.traceId, name: s.name });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  cluster = await startLauncherOnFreePorts('kats-launcher-otel-', ['--plain-http', '--apiservers=1', '--etcd-members=1', '--no-redis', '--logging-format=json'],
    { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100' });
  if (cluster.started.code !== 0) throw new Error(`launcher: ${cluster.started.stderr}`);
}, 180_000);

afterAll(async () => {
  if (cluster) {
    await runLauncher(['stop', `--cluster-dir=${cluster.dir}`]);
    rmSync(cluster.dir, { recursive: true, force: true });
  }
  await new Promise((resolve) => receiver?.close(resolve));
}, 60_000);

it('a request through the LB is one trace exported by the LB and the API server', async () => {
  const traceId = randomBytes(16).toString('hex');
  const res = await fetch(`http://127.0.0.1:${cluster.port}/api/v1/namespaces`, { headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
  expect(res.status).toBe(200);
  await eventually(() => spans.some((s) => s.traceId === traceId && s.service === 'kube-apiserver-ts-lb')
    && spans.some((s) => s.traceId === traceId && s.service === 'apiserver' && s.name === 'KubernetesAPI'), { timeoutMs: 30_000, what: 'spans from the LB and the API server' });
});

it('--logging-format=json reaches the API server and the LB', () => {
  for (const name of ['apiserver-1', 'lb']) {
    const lines = readFileSync(path.join(cluster.dir, 'logs', `${name}.log`), 'utf8').split('\n').filter((l) => l.startsWith('{'));
    expect(lines.map((l) => JSON.parse(l).msg), name).toContainEqual(expect.stringContaining('serving on'));
  }
});
