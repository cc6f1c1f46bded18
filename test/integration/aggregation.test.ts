// API aggregation against an HTTPS extension server of this test's own (node:https, a CA made here):
// the server requires the front-proxy client certificate and reads the user from X-Remote-*, as a real
// extension server does from extension-apiserver-authentication. It is registered through an
// ExternalName Service at localhost (Endpoints may not name loopback addresses). Requests are proxied
// as the original user, watches stream, discovery lists the group, an unauthorized user is refused by
// us first (as kube's aggregator authorizes), and an outage makes only that group 503 and
// Available=False until the server is back. Also: the Local APIServices and the authentication ConfigMap.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issue, newCA, type Issued } from '../../pki/pki.js';
import { startApiServer, startEtcd, type ApiServerProcess, type Etcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectl, kubectlAsync, ok } from '../support/kubectl.js';
import { freePort } from '../support/ports.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const group = 'wardle.example.com';
const gv = `${group}/v1alpha1`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'kats-agg-'));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

let etcd: Etcd;
let apiserver: ApiServerProcess;
let kubeconfig: string;
let extension: https.Server | undefined;
let extensionPort: number;
let ca: Issued;
let frontProxyCA: Issued;
let clientCA: Issued;
const sockets = new Set<Socket>();
/** What the extension server received: path, the identity it was given, and whether a credential leaked through. */
const received: Array<{ method: string; url: string; user?: string; groups: string[]; authorization?: string; peerCN?: string; extra: Record<string, string> }> = [];

const resourceList = {
  kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv,
  resources: [
    { name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['create', 'delete', 'get', 'list', 'watch'] },
    { name: 'flunders/status', singularName: '', namespaced: true, kind: 'Flunder', verbs: ['get', 'update'] },
  ],
};

const flunderOpenAPI = {
  openapi: '3.0.0', info: { title: 'wardle', version: 'v0' },
  // kubectl explain finds the kind through a path's operation.
  paths: { [`/apis/${gv}/namespaces/{namespace}/flunders`]: { get: { 'x-kubernetes-group-version-kind': { group, version: 'v1alpha1', kind: 'Flunder' } } } },
  components: { schemas: { 'com.example.wardle.v1alpha1.Flunder': {
    type: 'object', description: 'A Flunder is the test kind of an extension server.',
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' },
      spec: { type: 'object', description: 'What a flunder wants.', properties: { reference: { type: 'string', description: 'Another flunder.' } } } },
    'x-kubernetes-group-version-kind': [{ group, version: 'v1alpha1', kind: 'Flunder' }],
  } } },
};

/** The extension server: front-proxy client certificate required, identity from X-Remote-*. */
function serveExtension(req: http.IncomingMessage, res: http.ServerResponse): void {
  const peer = (req.socket as TLSSocket).getPeerCertificate();
  const authorized = (req.socket as TLSSocket).authorized;
  const groups = req.headersDistinct['x-remote-group'] ?? [];
  const extra = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('x-remote-extra-')).map(([k, v]) => [k, String(v)]));
  received.push({ method: req.method!, url: req.url!, user: req.headers['x-remote-user'] as string | undefined, groups, authorization: req.headers.authorization, peerCN: String(peer?.subject?.CN), extra });
  if (!authorized || String(peer?.subject?.CN) !== 'front-proxy-client' || !req.headers['x-remote-user']) {
    res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 }));
    return;
  }
  const url = new URL(req.url!, 'https://x');
  const flunder = (name: string) => ({ apiVersion: gv, kind: 'Flunder', metadata: { name, namespace: 'default', resourceVersion: '5', annotations: { 'seen-as': String(req.headers['x-remote-user']) } } });
  if (url.pathname === '/openapi/v3') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ paths: { [`apis/${gv}`]: { serverRelativeURL: `/openapi/v3/apis/${gv}?hash=F1` } } }));
  } else if (url.pathname === `/openapi/v3/apis/${gv}`) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(flunderOpenAPI));
  } else if (url.pathname === `/apis/${gv}`) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(resourceList));
  } else if (url.pathname === `/apis/${gv}/namespaces/default/flunders` && url.searchParams.get('watch') === 'true') {
    // A watch: one event at once, then the stream stays open as a real watch does.
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.write(`${JSON.stringify({ type: 'ADDED', object: flunder('watched') })}\n`);
  } else if (url.pathname === `/apis/${gv}/namespaces/default/flunders` && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: gv, kind: 'FlunderList', metadata: { resourceVersion: '5' }, items: [flunder('one')] }));
  } else if (url.pathname === `/apis/${gv}/namespaces/default/flunders` && req.method === 'POST') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ...JSON.parse(body), status: { createdBy: req.headers['x-remote-user'] } })));
  } else {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
  }
}

async function startExtension(port: number): Promise<void> {
  const serving = issue(ca, { commonName: 'api', usage: 'server', dnsNames: ['api.wardle.svc'] });
  extension = https.createServer({ cert: serving.certPem, key: serving.keyPem, ca: frontProxyCA.certPem, requestCert: true, rejectUnauthorized: false }, serveExtension);
  extension.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Every address, so "localhost" reaches it whichever family it resolves to.
  await new Promise<void>((r) => extension!.listen(port, r));
}

async function stopExtension(): Promise<void> {
  const server = extension;
  extension = undefined;
  if (!server) return;
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
}

function request(method: string, urlPath: string, token: string, body?: unknown, accept = 'application/json'): Promise<{ status: number; text: string; contentType: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${apiserver.url}${urlPath}`, { ca: ca.certPem, method, headers: { authorization: `Bearer ${token}`, accept, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, contentType: String(res.headers['content-type']) }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

const admin = (method: string, p: string, body?: unknown) => request(method, p, 'admin-token', body);

async function apiService(): Promise<Obj> {
  return JSON.parse((await admin('GET', `/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.${group}`)).text) as Obj;
}

const availability = async () => ((await apiService()).status?.conditions ?? []).find((c: Obj) => c.type === 'Available') as Obj | undefined;

beforeAll(async () => {
  ca = newCA('aggregation-test-ca');
  frontProxyCA = newCA('aggregation-test-front-proxy-ca');
  clientCA = newCA('aggregation-test-client-ca');
  const proxyClient = issue(frontProxyCA, { commonName: 'front-proxy-client', usage: 'client' });
  const tokens = file('tokens.csv', 'admin-token,admin,uid-admin,"system:masters"\nnobody-token,nobody,uid-nobody,"dev"\n');
  extensionPort = await freePort();
  await startExtension(extensionPort);
  etcd = await startEtcd(dir);
  const serving = issue(ca, { commonName: 'apiserver', usage: 'server', ips: ['127.0.0.1'] });
  apiserver = await startApiServer(etcd.url, [
    // TLS: kubectl sends a bearer token only over https.
    `--tls-cert-file=${file('apiserver.crt', serving.certPem)}`, `--tls-private-key-file=${file('apiserver.key', serving.keyPem)}`,
    `--token-auth-file=${tokens}`, '--authorization-mode=RBAC',
    `--client-ca-file=${file('client-ca.crt', clientCA.certPem)}`,
    `--requestheader-client-ca-file=${file('front-proxy-ca.crt', frontProxyCA.certPem)}`, '--requestheader-allowed-names=front-proxy-client',
    `--proxy-client-cert-file=${file('front-proxy-client.crt', proxyClient.certPem)}`, `--proxy-client-key-file=${file('front-proxy-client.key', proxyClient.keyPem)}`,
  ]);
  kubeconfig = file('kubeconfig', [
    'apiVersion: v1', 'kind: Config',
    'clusters:', `- cluster: {server: "${apiserver.url}", certificate-authority-data: "${Buffer.from(ca.certPem).toString('base64')}"}`, '  name: test',
    'contexts:', '- context: {cluster: test, user: admin, namespace: default}', '  name: test',
    'current-context: test',
    'users:', '- name: admin', '  user: {token: admin-token}', '',
  ].join('\n'));
  await eventually(async () => (await admin('GET', '/api/v1/namespaces/kube-system')).status === 200, { what: 'kube-system' });
  expect((await admin('POST', '/api/v1/namespaces', { metadata: { name: 'wardle' } })).status).toBe(201);
  expect((await admin('POST', '/api/v1/namespaces/wardle/services', {
    metadata: { name: 'api' }, spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ port: extensionPort }] },
  })).status).toBe(201);
  const created = await admin('POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
    metadata: { name: `v1alpha1.${group}` },
    spec: { group, version: 'v1alpha1', groupPriorityMinimum: 1000, versionPriority: 15, caBundle: Buffer.from(ca.certPem).toString('base64'),
      service: { namespace: 'wardle', name: 'api', port: extensionPort } },
  });
  expect(created.status, created.text).toBe(201);
}, 120_000);

afterAll(async () => {
  await stopExtension();
  await apiserver?.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('Local APIServices for every built-in group/version, as kubectl get apiservices prints them', async () => {
  await eventually(() => kubectl(kubeconfig, ['get', 'apiservice', 'v1.apps']).code === 0, { what: 'v1.apps' });
  const rows = ok(kubectl(kubeconfig, ['get', 'apiservices'])).trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
  expect(rows[0]).toEqual(['NAME', 'SERVICE', 'AVAILABLE', 'AGE']);
  expect(rows.find((r) => r[0] === 'v1.apps')?.slice(1, 3)).toEqual(['Local', 'True']);
  expect(rows.find((r) => r[0] === 'v1.')?.slice(1, 3)).toEqual(['Local', 'True']);
  expect(rows.find((r) => r[0] === 'v2.autoscaling')?.slice(1, 3)).toEqual(['Local', 'True']);
  const apps = JSON.parse((await admin('GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.apps')).text) as Obj;
  expect(apps.spec).toEqual({ group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 });
  // Its schema is in OpenAPI, as kube's.
  expect(ok(kubectl(kubeconfig, ['explain', 'apiservice.spec.groupPriorityMinimum']))).toContain('FIELD: groupPriorityMinimum <integer>');
});

it('publishes kube-system/extension-apiserver-authentication with kube keys and JSON lists', async () => {
  let cm: Obj = {};
  await eventually(async () => {
    const r = await admin('GET', '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication');
    cm = JSON.parse(r.text) as Obj;
    return r.status === 200;
  }, { what: 'the ConfigMap' });
  expect(Object.keys(cm.data).sort()).toEqual(['client-ca-file', 'requestheader-allowed-names', 'requestheader-client-ca-file', 'requestheader-extra-headers-prefix',
    'requestheader-group-headers', 'requestheader-username-headers']);
  expect(cm.data['requestheader-allowed-names']).toBe('["front-proxy-client"]');
  expect(cm.data['requestheader-username-headers']).toBe('["X-Remote-User"]');
  expect(cm.data['requestheader-group-headers']).toBe('["X-Remote-Group"]');
  expect(cm.data['requestheader-extra-headers-prefix']).toBe('["X-Remote-Extra-"]');
  expect(cm.data['requestheader-client-ca-file'].replace(/\s/g, '')).toBe(frontProxyCA.certPem.replace(/\s/g, ''));
  expect(cm.data['client-ca-file'].replace(/\s/g, '')).toBe(clientCA.certPem.replace(/\s/g, ''));
});

it('proxies to the extension server as the original user over the front-proxy certificate; streams a watch', async () => {
  await eventually(async () => (await availability())?.status === 'True', { what: 'Available=True' });
  expect(await availability()).toMatchObject({ status: 'True', reason: 'Passed', message: 'all checks passed' });
  // The availability check itself went as system:kube-aggregator.
  expect(received.some((r) => r.url === `/apis/${gv}` && r.user === 'system:kube-aggregator' && r.groups.includes('system:masters'))).toBe(true);

  const list = await admin('GET', `/apis/${gv}/namespaces/default/flunders`);
  expect(list.status, list.text).toBe(200);
  expect((JSON.parse(list.text) as Obj).items[0].metadata.annotations['seen-as']).toBe('admin');
  const seen = received.filter((r) => r.url === `/apis/${gv}/namespaces/default/flunders`).at(-1)!;
  expect(seen).toMatchObject({ user: 'admin', peerCN: 'front-proxy-client', authorization: undefined });
  expect(seen.groups).toEqual(['system:masters', 'system:authenticated']);

  const created = await admin('POST', `/apis/${gv}/namespaces/default/flunders`, { apiVersion: gv, kind: 'Flunder', metadata: { name: 'made' } });
  expect(created.status).toBe(201);
  expect((JSON.parse(created.text) as Obj).status).toEqual({ createdBy: 'admin' });

  // kubectl through us: get, and a watch whose first event arrives while the stream stays open.
  expect(ok(await kubectlAsync(kubeconfig, ['get', '--raw', `/apis/${gv}/namespaces/default/flunders`]))).toContain('"seen-as":"admin"');
  const firstEvent = await new Promise<string>((resolve, reject) => {
    const req = https.get(`${apiserver.url}/apis/${gv}/namespaces/default/flunders?watch=true`, { ca: ca.certPem, headers: { authorization: 'Bearer admin-token' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
        if (!text.includes('\n')) return;
        resolve(text);
        req.destroy();
      });
    });
    req.on('error', reject);
  });
  expect(JSON.parse(firstEvent.trim())).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'watched' } } });
});

it('refuses a user without RBAC itself (kube authorizes before it proxies); the extension server never sees the request', async () => {
  const before = received.length;
  const denied = await request('GET', `/apis/${gv}/namespaces/default/flunders`, 'nobody-token');
  expect(denied.status).toBe(403);
  expect((JSON.parse(denied.text) as Obj).message).toBe('flunders.wardle.example.com is forbidden: User "nobody" cannot list resource "flunders" in API group "wardle.example.com" in the namespace "default"');
  expect(received.slice(before).filter((r) => r.user === 'nobody')).toEqual([]);
});

it('lists the extension group in discovery by its priorities, with its resources once fetched', async () => {
  const groups = (JSON.parse((await admin('GET', '/apis')).text) as Obj).groups.map((g: Obj) => g.name) as string[];
  expect(groups[0]).toBe('apiregistration.k8s.io');
  expect(groups.slice(1, 4)).toEqual(['apps', 'events.k8s.io', 'authentication.k8s.io']);
  expect(groups).toContain(group);
  expect((JSON.parse((await admin('GET', `/apis/${group}`)).text) as Obj).preferredVersion).toEqual({ groupVersion: gv, version: 'v1alpha1' });
  await eventually(async () => {
    const doc = JSON.parse((await request('GET', '/apis', 'admin-token', undefined, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')).text) as Obj;
    const wardle = doc.items.find((i: Obj) => i.metadata.name === group);
    return wardle?.versions[0].freshness === 'Current' && wardle.versions[0].resources[0].resource === 'flunders'
      && wardle.versions[0].resources[0].subresources[0].subresource === 'status';
  }, { what: 'flunders in aggregated discovery' });
  const resources = ok(await kubectlAsync(kubeconfig, ['api-resources', `--api-group=${group}`]));
  expect(resources).toMatch(/flunders\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder/);
  // Its OpenAPI v3 document is merged in: kubectl explain works on its kinds.
  const index = JSON.parse((await admin('GET', '/openapi/v3')).text) as Obj;
  expect(index.paths[`apis/${gv}`].serverRelativeURL).toMatch(new RegExp(`^/openapi/v3/apis/${gv}\\?hash=[0-9A-F]+$`));
  expect(index.paths['apis/apps/v1']).toBeDefined();
  expect(ok(await kubectlAsync(kubeconfig, ['explain', 'flunders.spec']))).toContain('What a flunder wants.');
});

it('an outage makes only its group 503 and Available=False; it recovers on its own', async () => {
  await stopExtension();
  await eventually(async () => (await availability())?.status === 'False', { what: 'Available=False' });
  const down = await availability();
  expect(down?.reason).toBe('FailedDiscoveryCheck');
  expect(down?.message).toMatch(/^failing or missing response from https:\/\/localhost:\d+\/apis\/wardle\.example\.com\/v1alpha1: Get "https:\/\/localhost:\d+\/apis\/wardle\.example\.com\/v1alpha1": dial tcp localhost:\d+: connect: connection refused$/);
  const unavailable = await admin('GET', `/apis/${gv}/namespaces/default/flunders`);
  expect(unavailable).toEqual({ status: 503, text: 'service unavailable\n', contentType: 'text/plain; charset=utf-8' });
  // Everything else is served; discovery lists the group Stale.
  expect((await admin('GET', '/api/v1/namespaces/default')).status).toBe(200);
  expect((await admin('GET', '/apis')).status).toBe(200);
  const doc = JSON.parse((await request('GET', '/apis', 'admin-token', undefined, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')).text) as Obj;
  expect(doc.items.find((i: Obj) => i.metadata.name === group).versions).toEqual([{ version: 'v1alpha1', freshness: 'Stale' }]);
  expect(doc.items.find((i: Obj) => i.metadata.name === 'apps').versions[0].freshness).toBe('Current');
  expect(ok(await kubectlAsync(kubeconfig, ['get', 'apiservice', `v1alpha1.${group}`]))).toMatch(/wardle\/api\s+False \(FailedDiscoveryCheck\)/);

  await startExtension(extensionPort);
  await eventually(async () => (await availability())?.status === 'True', { what: 'Available=True again' });
  expect((await admin('GET', `/apis/${gv}/namespaces/default/flunders`)).status).toBe(200);
});

it('answers 503 with kube text for a Service that does not exist, and says why in the condition', async () => {
  const created = await admin('POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
    metadata: { name: 'v1.nowhere.example.com' },
    spec: { group: 'nowhere.example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 15, insecureSkipTLSVerify: true, service: { namespace: 'wardle', name: 'missing' } },
  });
  expect(created.status).toBe(201);
  let cond: Obj | undefined;
  await eventually(async () => {
    const o = JSON.parse((await admin('GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.nowhere.example.com')).text) as Obj;
    cond = (o.status?.conditions ?? [])[0];
    return cond?.status === 'False';
  }, { what: 'ServiceNotFound' });
  expect(cond).toMatchObject({ reason: 'ServiceNotFound', message: 'service/missing in "wardle" is not present' });
  expect(await admin('GET', '/apis/nowhere.example.com/v1/things')).toEqual({ status: 503, text: 'service unavailable\n', contentType: 'text/plain; charset=utf-8' });
});
