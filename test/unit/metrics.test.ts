// The request-metrics recorder: kube's labels for each kind of request (endpoints/metrics' CleanScope,
// CanonicalVerb, CleanVerb, cleanDryRun), what the filter records when a response is over, and one
// registry per server.
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../server/http/exchange.js';
import { requestInfo } from '../../server/http/request-info.js';
import { requestMetrics } from '../../server/filters/metrics.js';
import { APIServerMetrics, type MetricSources } from '../../server/metrics/apiserver-metrics.js';
import { requestLabels } from '../../server/metrics/request-labels.js';
import { StorageResources } from '../../server/metrics/storage-resources.js';
import { TypeRegistry } from '../../server/registry/registry.js';
import { registerBuiltins } from '../../server/resources/index.js';

const served = (info: { resource: string }) => info.resource !== 'nosuchthings';

function labels(method: string, url: string, headers: Record<string, string> = {}) {
  const [path, q = ''] = url.split('?');
  const query = new URLSearchParams(q);
  return requestLabels({ method, query, headers }, requestInfo(method, path, query), served);
}

const cm = '/api/v1/namespaces/default/configmaps';

describe('kube\'s request labels', () => {
  it.each([
    ['GET', `${cm}/a`, {}, 'GET', 'resource'],
    ['GET', cm, {}, 'LIST', 'namespace'],
    ['GET', '/api/v1/configmaps', {}, 'LIST', 'cluster'],
    ['GET', '/api/v1/namespaces', {}, 'LIST', 'cluster'],
    ['GET', `${cm}?watch=true`, {}, 'WATCH', 'namespace'],
    ['GET', '/api/v1/watch/namespaces/default/configmaps', {}, 'WATCH', 'namespace'],
    ['GET', `${cm}?watch=false`, {}, 'LIST', 'namespace'],
    ['POST', cm, {}, 'POST', 'resource'],
    ['PUT', `${cm}/a`, {}, 'PUT', 'resource'],
    ['PATCH', `${cm}/a`, { 'content-type': 'application/merge-patch+json' }, 'PATCH', 'resource'],
    ['PATCH', `${cm}/a`, { 'content-type': 'application/apply-patch+yaml' }, 'APPLY', 'resource'],
    ['DELETE', `${cm}/a`, {}, 'DELETE', 'resource'],
    ['DELETE', cm, {}, 'DELETE', 'namespace'],
    ['GET', '/api/v1/namespaces/default/pods/p/log', {}, 'CONNECT', 'resource'],
    ['OPTIONS', `${cm}/a`, {}, 'other', 'resource'],
  ])('%s %s %j: verb %s, scope %s', (method, url, headers, verb, scope) => {
    expect(labels(method, url, headers)).toMatchObject({ verb, scope, component: 'apiserver', group: '', version: 'v1', resource: url.includes('/pods/') ? 'pods' : url.includes('namespaces?') || url === '/api/v1/namespaces' ? 'namespaces' : 'configmaps' });
  });

  it('groups, versions and subresources', () => {
    expect(labels('PUT', '/apis/apps/v1/namespaces/x/deployments/d/scale')).toEqual({
      verb: 'PUT', dry_run: '', group: 'apps', version: 'v1', resource: 'deployments', subresource: 'scale', scope: 'resource', component: 'apiserver',
    });
  });

  it('dry_run: the values sorted and de-duplicated, "invalid" for anything but All', () => {
    expect(labels('POST', `${cm}?dryRun=All&dryRun=All`)?.dry_run).toBe('All');
    expect(labels('POST', `${cm}?dryRun=Some`)?.dry_run).toBe('invalid');
    expect(labels('POST', cm)?.dry_run).toBe('');
  });

  it('the health roots and aggregated discovery, as kube instruments them; no other path', () => {
    expect(labels('GET', '/readyz')).toEqual({ verb: 'GET', dry_run: '', group: '', version: '', resource: '', subresource: '/readyz', scope: '', component: '' });
    expect(labels('GET', '/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' }))
      .toMatchObject({ verb: 'GET', subresource: '/apis', component: 'apiserver' });
    for (const p of ['/readyz/etcd', '/metrics', '/version', '/apis', '/openapi/v2', '/anything']) expect(labels('GET', p), p).toBeUndefined();
  });

  it('a URL cannot add labels: unserved types and unknown subresources are not instrumented', () => {
    expect(labels('GET', '/api/v1/namespaces/default/nosuchthings')).toBeUndefined();
    expect(labels('GET', `${cm}/a/whatever`)).toBeUndefined();
  });
});

const sources: MetricSources = {
  inflight: () => ({ readOnly: 1, mutating: 0 }), objectCounts: () => [{ group: 'apps', resource: 'deployments', count: 3 }],
  watchCache: () => ({ objects: 3, historyEvents: 2, historyBytes: 100, revision: 7 }), openWatches: () => 0, feedMode: () => 'etcd',
};

/** An exchange as far as the metrics filter reads it; `answer` writes a response as Exchange.send does. */
function fakeExchange(method: string, url: string) {
  const [path, q = ''] = url.split('?');
  const query = new URLSearchParams(q);
  const finished: Array<() => void> = [];
  const ex = {
    method, path, query, headers: {}, receivedAt: performance.timeOrigin + performance.now(), status: 0, bytesWritten: 0,
    requestInfo: requestInfo(method, path, query),
    onFinished: (l: () => void) => finished.push(l),
  };
  return {
    ex: ex as unknown as Exchange,
    answer(status: number, bytes: number) {
      ex.status = status;
      ex.bytesWritten = bytes;
      for (const l of finished.splice(0)) l();
    },
  };
}

function sample(text: string, name: string, labelsText: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labelsText.split(',').every((kv) => l.includes(kv)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('the request-metrics filter and recorder', () => {
  it('counts each answered request with its code, duration and response size; a watch as long-running until it ends', async () => {
    const m = new APIServerMetrics(sources);
    const filter = requestMetrics(m, served);
    for (const [url, status, bytes] of [[cm, 200, 1500], [cm, 200, 20], [`${cm}/a`, 404, 180]] as const) {
      const { ex, answer } = fakeExchange('GET', url);
      await filter.filter(ex, async () => answer(status, bytes));
    }
    const w = fakeExchange('GET', `${cm}?watch=1`);
    await filter.filter(w.ex, async () => undefined);
    let text = await m.expose();
    expect(sample(text, 'apiserver_request_total', 'verb="LIST",scope="namespace",resource="configmaps",code="200"')).toBe(2);
    expect(sample(text, 'apiserver_request_total', 'verb="GET",scope="resource",code="404"')).toBe(1);
    expect(sample(text, 'apiserver_request_duration_seconds_count', 'verb="LIST",scope="namespace"')).toBe(2);
    // kube's buckets: 0.005 first, 60 last.
    expect(sample(text, 'apiserver_request_duration_seconds_bucket', 'verb="LIST",le="0.005"')).toBeDefined();
    expect(sample(text, 'apiserver_request_duration_seconds_bucket', 'verb="LIST",le="60"')).toBe(2);
    // Sizes: 1000-byte bucket holds the 20-byte list, 10000 both; no dry_run label, as kube's.
    expect(sample(text, 'apiserver_response_sizes_bucket', 'verb="LIST",le="1000"')).toBe(1);
    expect(sample(text, 'apiserver_response_sizes_bucket', 'verb="LIST",le="10000"')).toBe(2);
    expect(text).not.toMatch(/^apiserver_response_sizes_bucket\{[^}]*dry_run/m);
    expect(sample(text, 'apiserver_longrunning_requests', 'verb="WATCH",scope="namespace"')).toBe(1);
    expect(sample(text, 'apiserver_request_total', 'verb="WATCH"')).toBeUndefined();
    w.answer(200, 5000);
    text = await m.expose();
    expect(sample(text, 'apiserver_longrunning_requests', 'verb="WATCH"')).toBe(0);
    expect(sample(text, 'apiserver_request_total', 'verb="WATCH",code="200"')).toBe(1);
    expect(sample(text, 'apiserver_response_sizes_count', 'verb="WATCH"')).toBeUndefined();
  });

  it('leaves requests kube does not instrument alone', async () => {
    const m = new APIServerMetrics(sources);
    const { ex, answer } = fakeExchange('GET', '/version');
    await requestMetrics(m, served).filter(ex, async () => answer(200, 10));
    expect(await m.expose()).not.toMatch(/^apiserver_request_total\{/m);
  });

  it('keeps one registry per server', async () => {
    const a = new APIServerMetrics(sources);
    const b = new APIServerMetrics(sources);
    a.observeEtcd('get', '', 'configmaps', 0.01, false);
    expect(sample(await a.expose(), 'etcd_request_duration_seconds_count', 'operation="get",resource="configmaps"')).toBe(1);
    expect(sample(await b.expose(), 'etcd_request_duration_seconds_count', 'operation="get"')).toBeUndefined();
  });

  it('reports object counts under both of kube 1.35\'s names, and the process metrics', async () => {
    const text = await new APIServerMetrics(sources).expose();
    expect(text).toContain('apiserver_storage_objects{resource="deployments.apps"} 3');
    expect(text).toContain('apiserver_resource_objects{group="apps",resource="deployments"} 3');
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
  });
});

describe('storage keys to GroupResource', () => {
  const types = new TypeRegistry();
  registerBuiltins(types);
  const r = new StorageResources(types);
  it.each([
    ['/registry/configmaps/default/a', '', 'configmaps'],
    ['/registry/configmaps/', '', 'configmaps'],
    ['/registry/namespaces/default', '', 'namespaces'],
    ['/registry/services/specs/default/kubernetes', '', 'services'],
    ['/registry/services/endpoints/default/kubernetes', '', 'endpoints'],
    ['/registry/minions/n1', '', 'nodes'],
    ['/registry/deployments/default/d', 'apps', 'deployments'],
    ['/registry/events/default/e', '', 'events'],
    ['/registry/apiextensions.k8s.io/customresourcedefinitions/x.example.com', 'apiextensions.k8s.io', 'customresourcedefinitions'],
  ])('%s: %s %s', (key, group, resource) => {
    expect(r.resolve(key)).toEqual({ group, resource });
  });
});
