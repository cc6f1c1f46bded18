// Admission webhooks against a real HTTPS webhook server of this test's own (node:https, a CA made
// here): a mutating webhook's JSONPatch lands, a validating webhook denies with kube's text,
// failurePolicy Fail refuses a webhook that times out and Ignore admits, a dry run reaches the
// webhook with dryRun true, namespace and object selectors skip, a `service` reference resolves
// through the Service's Endpoints, and the configuration kinds never call webhooks themselves.
// Configurations are followed through the watch cache, so each test waits for its webhook to take
// effect before it asserts; each test works in namespaces of its own that its selectors name.
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { issue, newCA } from '../../pki/pki.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectl, kubectlAsync } from '../support/kubectl.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

let cluster: TestCluster;
let webhook: https.Server;
let port: number;
let caBundle: string;
/** Every AdmissionReview the webhook server received, by path. */
const received: Array<{ path: string; review: Obj }> = [];
const sockets = new Set<Socket>();
let seq = 0;

const patchOf = (ops: unknown[]) => Buffer.from(JSON.stringify(ops)).toString('base64');

/** The test's webhooks, by path: each answers the review or, for /hang, never answers. */
function answer(path: string, review: Obj): Obj | undefined {
  const req = review.request as Obj;
  const allow = { uid: req.uid, allowed: true };
  switch (path) {
    case '/add-label': {
      const labels = req.object?.metadata?.labels;
      const ops = labels ? [] : [{ op: 'add', path: '/metadata/labels', value: {} }];
      ops.push({ op: 'add', path: '/metadata/labels/webhook-added', value: 'yes' });
      return { ...allow, patchType: 'JSONPatch', patch: patchOf(ops), warnings: ['label added by the test webhook'] };
    }
    case '/count-reinvocations':
      return allow;
    case '/deny':
      if (req.object?.metadata?.labels?.deny === 'true') {
        return { uid: req.uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: `no thanks: ${req.object.metadata.name}` } };
      }
      return allow;
    case '/hang':
      return undefined;
    default:
      return allow;
  }
}

beforeAll(async () => {
  cluster = await startCluster(1);
  const ca = newCA('admission-webhooks-test-ca');
  const serving = issue(ca, { commonName: 'webhook', usage: 'server', dnsNames: ['localhost', 'webhook.wh-system.svc'], ips: ['127.0.0.1'] });
  caBundle = Buffer.from(ca.certPem).toString('base64');
  webhook = https.createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString()) as Obj;
      const path = (req.url ?? '').split('?')[0];
      received.push({ path, review });
      const response = answer(path, review);
      if (!response) return; // never answers
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  webhook.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
  port = (webhook.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => webhook?.close(r));
  await cluster?.stop();
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Obj; warning: string }> {
  const res = await fetch(`${cluster.url}${path}`, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) as Obj : {}, warning: res.headers.get('warning') ?? '' };
}

async function namespace(name: string, labels: Record<string, string> = { test: name }): Promise<void> {
  const r = await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
}

const configMap = (name: string, labels?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data: { a: 'b' } });
const createConfigMap = (ns: string, name: string, labels?: Record<string, string>, query = '') =>
  api('POST', `/api/v1/namespaces/${ns}/configmaps${query}`, configMap(name, labels));
const fresh = (prefix: string) => `${prefix}-${++seq}`;

/** One webhook on CREATE of configmaps in namespaces labelled test=<ns>, calling `path` on the test server. */
function hook(name: string, ns: string, path: string, extra: Obj = {}): Obj {
  return {
    name, admissionReviewVersions: ['v1'], sideEffects: 'None',
    clientConfig: { url: `https://127.0.0.1:${port}${path}`, caBundle },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
    namespaceSelector: { matchLabels: { test: ns } },
    ...extra,
  };
}

async function configuration(kind: 'Mutating' | 'Validating', name: string, webhooks: Obj[]): Promise<Obj> {
  const resource = `${kind.toLowerCase()}webhookconfigurations`;
  const r = await api('POST', `/apis/admissionregistration.k8s.io/v1/${resource}`, {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name }, webhooks,
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json;
}

const reviewsFor = (path: string, objectName: string) => received.filter((r) => r.path === path && (r.review.request.name === objectName || r.review.request.object?.metadata?.name === objectName));

it('serves both configuration kinds with kube\'s defaults, validation and table', async () => {
  const created = await configuration('Mutating', 'defaults', [hook('defaults.example.com', 'nowhere', '/record')]);
  expect(created.webhooks[0]).toMatchObject({ failurePolicy: 'Fail', matchPolicy: 'Equivalent', timeoutSeconds: 10, reinvocationPolicy: 'Never', objectSelector: {} });
  expect(created.webhooks[0].rules[0].scope).toBe('*');
  const bad = await api('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'bad' },
    webhooks: [{ name: 'short', admissionReviewVersions: ['v2'], clientConfig: { url: 'http://example.com/x', service: { namespace: 'a', name: 'b' } }, timeoutSeconds: 31 }],
  });
  expect(bad.status).toBe(422);
  const causes = (bad.json.details.causes as Obj[]).map((c) => `${c.field}: ${c.message}`);
  expect(causes).toEqual(expect.arrayContaining([
    'webhooks[0].name: Invalid value: "short": should be a domain with at least three segments separated by dots',
    'webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun',
    'webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds',
    'webhooks[0].clientConfig: Required value: exactly one of url or service is required',
    'webhooks[0].admissionReviewVersions: Invalid value: ["v2"]: must include at least one of v1, v1beta1',
  ]));
  const table = kubectl(cluster.kubeconfig, ['get', 'mutatingwebhookconfigurations']);
  expect(table.stdout).toMatch(/^NAME\s+WEBHOOKS\s+AGE\ndefaults\s+1\s+\d+s\n$/);
  expect(kubectl(cluster.kubeconfig, ['api-resources', '--api-group=admissionregistration.k8s.io']).stdout).toMatch(/mutatingwebhookconfigurations[\s\S]*validatingwebhookconfigurations/);
});

it('a mutating webhook adds a label with a JSONPatch, and its warning reaches the client', async () => {
  await namespace('mutate');
  await configuration('Mutating', 'add-label', [hook('add-label.example.com', 'mutate', '/add-label')]);
  let last: Awaited<ReturnType<typeof createConfigMap>> | undefined;
  await eventually(async () => {
    last = await createConfigMap('mutate', fresh('cm'));
    return last.json.metadata?.labels?.['webhook-added'] === 'yes';
  }, { what: 'the mutating webhook to label a new configmap' });
  expect(last!.status).toBe(201);
  expect(last!.warning).toContain('label added by the test webhook');
  const name = last!.json.metadata.name as string;
  const stored = await api('GET', `/api/v1/namespaces/mutate/configmaps/${name}`);
  expect(stored.json.metadata.labels).toEqual({ 'webhook-added': 'yes' });
  // What the webhook was sent: kube's AdmissionRequest.
  const req = reviewsFor('/add-label', name)[0].review.request as Obj;
  expect(req).toMatchObject({
    kind: { group: '', version: 'v1', kind: 'ConfigMap' }, resource: { group: '', version: 'v1', resource: 'configmaps' },
    requestKind: { group: '', version: 'v1', kind: 'ConfigMap' }, requestResource: { group: '', version: 'v1', resource: 'configmaps' },
    name, namespace: 'mutate', operation: 'CREATE', dryRun: false, oldObject: null,
    options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'mutate' }, data: { a: 'b' } },
  });
  expect(req.uid).toMatch(/^[0-9a-f-]{36}$/);
  expect(req.userInfo.username).toBeTruthy();
});

it('reinvocationPolicy IfNeeded calls a webhook again when a later one changed the object', async () => {
  await namespace('reinvoke');
  // Sorted by configuration name: "a-counter" runs before "b-labeller", whose patch then calls it again.
  await configuration('Mutating', 'a-counter', [hook('counter.example.com', 'reinvoke', '/count-reinvocations', { reinvocationPolicy: 'IfNeeded' })]);
  await configuration('Mutating', 'b-labeller', [hook('labeller.example.com', 'reinvoke', '/add-label')]);
  let name = '';
  await eventually(async () => {
    name = fresh('cm');
    const r = await createConfigMap('reinvoke', name);
    return r.json.metadata?.labels?.['webhook-added'] === 'yes' && reviewsFor('/count-reinvocations', name).length > 0;
  }, { what: 'both mutating webhooks to be called' });
  const calls = reviewsFor('/count-reinvocations', name);
  expect(calls).toHaveLength(2);
  expect(calls[0].review.request.object.metadata.labels).toBeUndefined();
  expect(calls[1].review.request.object.metadata.labels).toEqual({ 'webhook-added': 'yes' });
});

it('a validating webhook denies with its message as kube words it', async () => {
  await namespace('validate');
  await configuration('Validating', 'deny', [hook('deny.example.com', 'validate', '/deny')]);
  let denied: Awaited<ReturnType<typeof createConfigMap>> | undefined;
  await eventually(async () => {
    denied = await createConfigMap('validate', fresh('cm'), { deny: 'true' });
    return denied.status !== 201;
  }, { what: 'the validating webhook to deny' });
  expect(denied!.status).toBe(403);
  expect(denied!.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403,
    message: `admission webhook "deny.example.com" denied the request: no thanks: ${denied!.json.message.split('no thanks: ')[1]}` });
  expect(denied!.json.message).toMatch(/^admission webhook "deny\.example\.com" denied the request: no thanks: cm-\d+$/);
  // Allowed objects pass; kubectl prints the denial as kube's.
  expect((await createConfigMap('validate', fresh('cm'))).status).toBe(201);
  const k = await kubectlAsync(cluster.kubeconfig, ['-n', 'validate', 'create', '-f', '-'], JSON.stringify(configMap('by-kubectl', { deny: 'true' })));
  expect(k.code).not.toBe(0);
  expect(k.stderr).toContain('admission webhook "deny.example.com" denied the request: no thanks: by-kubectl');
});

it('failurePolicy Fail refuses when the webhook times out, and Ignore admits', async () => {
  await namespace('timeout');
  const config = await configuration('Validating', 'hang', [hook('hang.example.com', 'timeout', '/hang', { timeoutSeconds: 1, failurePolicy: 'Fail' })]);
  let refused: Awaited<ReturnType<typeof createConfigMap>> | undefined;
  await eventually(async () => {
    refused = await createConfigMap('timeout', fresh('cm'));
    return refused.status !== 201;
  }, { what: 'the hanging webhook with failurePolicy Fail to refuse' });
  expect(refused!.status).toBe(500);
  expect(refused!.json.reason).toBe('InternalError');
  expect(refused!.json.message).toBe(`Internal error occurred: failed calling webhook "hang.example.com": failed to call webhook: Post "https://127.0.0.1:${port}/hang?timeout=1s": context deadline exceeded`);
  expect(received.some((r) => r.path === '/hang')).toBe(true);

  config.webhooks[0].failurePolicy = 'Ignore';
  const put = await api('PUT', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/hang', config);
  expect(put.status, JSON.stringify(put.json)).toBe(200);
  let admitted = '';
  await eventually(async () => {
    const name = fresh('cm');
    const r = await createConfigMap('timeout', name);
    if (r.status === 201) admitted = name;
    return r.status === 201;
  }, { what: 'failurePolicy Ignore to admit' });
  // Admitted after the webhook was called (and did not answer), not because it was skipped.
  expect(reviewsFor('/hang', admitted)).toHaveLength(1);
});

it('a dry run reaches the webhook with dryRun true and stores nothing', async () => {
  await namespace('dryrun');
  await configuration('Validating', 'record-dryrun', [hook('record-dryrun.example.com', 'dryrun', '/record')]);
  let name = '';
  await eventually(async () => {
    name = fresh('cm');
    const r = await createConfigMap('dryrun', name, undefined, '?dryRun=All');
    expect(r.status).toBe(201);
    return reviewsFor('/record', name).length > 0;
  }, { what: 'the dry run to reach the webhook' });
  const req = reviewsFor('/record', name)[0].review.request as Obj;
  expect(req.dryRun).toBe(true);
  expect(req.options).toEqual({ kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', dryRun: ['All'], fieldManager: expect.any(String) });
  expect((await api('GET', `/api/v1/namespaces/dryrun/configmaps/${name}`)).status).toBe(404);
});

it('namespaceSelector and objectSelector skip what they do not select', async () => {
  await namespace('selected', { env: 'webhooked' });
  await namespace('unselected', { env: 'other' });
  await configuration('Validating', 'selectors', [hook('selectors.example.com', 'x', '/record', {
    namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['webhooked'] }] },
    objectSelector: { matchLabels: { hook: 'yes' } },
  })]);
  await eventually(async () => {
    const name = fresh('cm');
    await createConfigMap('selected', name, { hook: 'yes' });
    return reviewsFor('/record', name).length > 0;
  }, { what: 'the selected configmap to reach the webhook' });
  const noLabel = fresh('cm');
  const otherNamespace = fresh('cm');
  expect((await createConfigMap('selected', noLabel)).status).toBe(201);
  expect((await createConfigMap('unselected', otherNamespace, { hook: 'yes' })).status).toBe(201);
  // A later selected request is seen: the ones before it were skipped, not late.
  const after = fresh('cm');
  expect((await createConfigMap('selected', after, { hook: 'yes' })).status).toBe(201);
  expect(reviewsFor('/record', after)).toHaveLength(1);
  expect(reviewsFor('/record', noLabel)).toHaveLength(0);
  expect(reviewsFor('/record', otherNamespace)).toHaveLength(0);
});

it('a webhook by service reference is called through the Service\'s Endpoints, verified as <name>.<namespace>.svc', async () => {
  await namespace('wh-system');
  await namespace('via-service');
  expect((await api('POST', '/api/v1/namespaces/wh-system/services', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'webhook' }, spec: { ports: [{ port: 443, targetPort: port }] },
  })).status).toBe(201);
  expect((await api('POST', '/api/v1/namespaces/wh-system/endpoints', {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'webhook' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port }] }],
  })).status).toBe(201);
  const viaService = hook('via-service.example.com', 'via-service', '', { clientConfig: { service: { namespace: 'wh-system', name: 'webhook', path: '/add-label' }, caBundle } });
  const created = await configuration('Mutating', 'via-service', [viaService]);
  expect(created.webhooks[0].clientConfig.service.port).toBe(443);
  await eventually(async () => {
    const r = await createConfigMap('via-service', fresh('cm'));
    return r.json.metadata?.labels?.['webhook-added'] === 'yes';
  }, { what: 'the webhook behind the Service to label a configmap' });
});

it('never calls webhooks for the webhook configuration kinds themselves', async () => {
  await namespace('exempt');
  await configuration('Validating', 'everything', [hook('everything.example.com', 'exempt', '/record', {
    rules: [{ operations: ['*'], apiGroups: ['', 'admissionregistration.k8s.io'], apiVersions: ['*'], resources: ['*'] }],
    namespaceSelector: {},
  })]);
  await eventually(async () => {
    const name = fresh('cm');
    await createConfigMap('exempt', name);
    return reviewsFor('/record', name).length > 0;
  }, { what: 'the catch-all webhook to take effect' });
  await configuration('Validating', 'not-reviewed', [hook('not-reviewed.example.com', 'nowhere', '/record')]);
  const after = fresh('cm');
  await createConfigMap('exempt', after);
  expect(reviewsFor('/record', after)).toHaveLength(1);
  expect(received.filter((r) => r.review.request.resource.group === 'admissionregistration.k8s.io')).toEqual([]);
  // Stop the catch-all: later tests' namespaces stay out of it.
  expect((await api('DELETE', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/everything')).status).toBe(200);
});
