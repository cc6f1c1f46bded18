// Proxy overhead of the aggregation layer: the same GET sent N times straight to an HTTPS extension
// server and through one API server instance (authn by token, RBAC, proxy with the front-proxy
// certificate). Prints p50/p99 of both. Needs `npm run build`.
//   node bench/aggregation-proxy.mjs [N]
import https from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issue, newCA } from '../dist/pki/pki.js';
import { freePort, startProcess, stopProcess, waitReady } from '../dist/compose/local/processes.js';

const n = Number(process.argv[2] ?? 500);
const dir = mkdtempSync(path.join(os.tmpdir(), 'agg-bench-'));
const file = (name, text) => { const f = path.join(dir, name); writeFileSync(f, text); return f; };
const ca = newCA('bench-ca');
const fp = newCA('bench-front-proxy-ca');
const client = issue(fp, { commonName: 'front-proxy-client', usage: 'client' });
const serving = issue(ca, { commonName: 'api', usage: 'server', dnsNames: ['api.wardle.svc', 'localhost'], ips: ['127.0.0.1'] });
const body = JSON.stringify({ apiVersion: 'wardle.example.com/v1alpha1', kind: 'FlunderList', metadata: {}, items: [] });
const ext = https.createServer({ cert: serving.certPem, key: serving.keyPem, ca: fp.certPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
  if (req.url.startsWith('/apis/wardle.example.com/v1alpha1') && req.url.split('?')[0] === '/apis/wardle.example.com/v1alpha1') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'wardle.example.com/v1alpha1', resources: [] }));
  } else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
});
const extPort = await freePort();
await new Promise((r) => ext.listen(extPort, r));
const etcdPort = await freePort();
const peerPort = await freePort();
const etcd = startProcess({ name: 'etcd', command: 'etcd', args: ['--data-dir', path.join(dir, 'etcd'), '--listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`,
  '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-cluster', `default=http://127.0.0.1:${peerPort}`, '--log-level', 'error'] });
const apiPort = await freePort();
const apiserver = startProcess({ name: 'apiserver', command: process.execPath, args: ['dist/server/main.js', `--etcd-servers=http://127.0.0.1:${etcdPort}`, `--secure-port=${apiPort}`,
  `--tls-cert-file=${file('s.crt', serving.certPem)}`, `--tls-private-key-file=${file('s.key', serving.keyPem)}`, `--token-auth-file=${file('t.csv', 'tok,admin,u1,"system:masters"\n')}`,
  '--authorization-mode=RBAC', `--proxy-client-cert-file=${file('c.crt', client.certPem)}`, `--proxy-client-key-file=${file('c.key', client.keyPem)}`, '--event-loop-block-threshold=0'] });
const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: ca.certPem, cert: client.certPem, key: client.keyPem });
const call = (port, p, method = 'GET', data) => new Promise((resolve, reject) => {
  const req = https.request({ host: '127.0.0.1', port, path: p, method, agent, headers: { authorization: 'Bearer tok', 'x-remote-user': 'admin', 'content-type': 'application/json' } }, (res) => {
    let t = ''; res.on('data', (c) => (t += c)); res.on('end', () => resolve({ status: res.statusCode, text: t }));
  });
  req.on('error', reject); req.end(data);
});
try {
  await waitReady(apiserver, async () => (await call(apiPort, '/readyz').catch(() => ({ status: 0 }))).status === 200, { timeoutMs: 60000 });
  await call(apiPort, '/api/v1/namespaces', 'POST', JSON.stringify({ metadata: { name: 'wardle' } }));
  await call(apiPort, '/api/v1/namespaces/wardle/services', 'POST', JSON.stringify({ metadata: { name: 'api' }, spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ port: extPort }] } }));
  await call(apiPort, '/apis/apiregistration.k8s.io/v1/apiservices', 'POST', JSON.stringify({ metadata: { name: 'v1alpha1.wardle.example.com' },
    spec: { group: 'wardle.example.com', version: 'v1alpha1', groupPriorityMinimum: 1000, versionPriority: 15, caBundle: Buffer.from(ca.certPem).toString('base64'), service: { namespace: 'wardle', name: 'api', port: extPort } } }));
  const p = '/apis/wardle.example.com/v1alpha1/namespaces/default/flunders';
  for (let i = 0; i < 600 && (await call(apiPort, p)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  const measure = async (port) => {
    for (let i = 0; i < 50; i++) await call(port, p);
    const ms = [];
    for (let i = 0; i < n; i++) { const t = performance.now(); const r = await call(port, p); ms.push(performance.now() - t); if (r.status !== 200) throw new Error(`status ${r.status}`); }
    ms.sort((a, b) => a - b);
    return { p50: ms[Math.floor(n * 0.5)].toFixed(2), p99: ms[Math.floor(n * 0.99)].toFixed(2) };
  };
  const direct = await measure(extPort);
  const proxied = await measure(apiPort);
  console.log(JSON.stringify({ requests: n, directMs: direct, throughApiserverMs: proxied }));
} finally {
  agent.destroy(); ext.close();
  await stopProcess(apiserver.child); await stopProcess(etcd.child);
  rmSync(dir, { recursive: true, force: true });
}
