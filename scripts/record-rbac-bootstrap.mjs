// Records the RBAC policy kube-apiserver bootstraps (its rbac/bootstrap-roles post-start hook) from
// the real kube-apiserver into server/resources/rbac/bootstrap-policy.json, which our own
// post-start hook creates. Only what the server itself writes: objects labelled
// kubernetes.io/bootstrapping=rbac-defaults, without uid, resourceVersion, creationTimestamp or
// managedFields. The aggregated roles (admin, edit, view...) have no rules here: the aggregation
// controller fills them.
//   node scripts/record-rbac-bootstrap.mjs                 (starts a peer, stops it after)
//   node scripts/record-rbac-bootstrap.mjs --url https://127.0.0.1:PORT --token TOKEN
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPeer } from '../bench/peer/peer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'server/resources/rbac/bootstrap-policy.json');
const opt = (name) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : undefined; };

let url = opt('--url');
let token = opt('--token');
let peer;
if (!url) {
  peer = await startPeer();
  process.on('exit', () => { for (const pid of Object.values(peer.pids)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } });
  ({ url, token } = peer);
}

function get(p) {
  return new Promise((resolve, reject) => {
    https.get(new URL(p, url), { rejectUnauthorized: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString())) : reject(new Error(`${p}: ${res.statusCode}`))));
    }).on('error', reject);
  });
}

const version = await get('/version');
const policy = { kubeVersion: version.gitVersion };
for (const [kind, resource] of [['ClusterRole', 'clusterroles'], ['ClusterRoleBinding', 'clusterrolebindings'], ['Role', 'roles'], ['RoleBinding', 'rolebindings']]) {
  const list = await get(`/apis/rbac.authorization.k8s.io/v1/${resource}`);
  policy[resource] = list.items
    .filter((o) => o.metadata.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults')
    .map((o) => {
      const { uid, resourceVersion, creationTimestamp, managedFields, ...metadata } = o.metadata;
      return { apiVersion: 'rbac.authorization.k8s.io/v1', kind, ...o, metadata };
    })
    .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
}
writeFileSync(out, `${JSON.stringify(policy, null, 1)}\n`);
console.error(`${path.relative(root, out)}: ${['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'].map((r) => `${policy[r].length} ${r}`).join(', ')} from ${version.gitVersion}`);
process.exit(0);
