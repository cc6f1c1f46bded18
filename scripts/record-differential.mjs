// Records kube-apiserver's answers to the differential catalogue into test/differential/kube-answers.json.
// Re-run when the pinned release (KUBE_VERSION) or the catalogue changes:
//   bash bench/peer/build.sh && node scripts/record-differential.mjs
// Options: --only id,id   re-record these cases only (on one fresh peer; merged into the file)
//          --url URL [--token T] --out FILE   run against a server already running (e.g. ours, for a look)
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogue } from '../test/differential/catalogue.mjs';
import { runAll } from '../test/differential/runner.mjs';
import { startPeer } from '../bench/peer/peer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = opt('--only')?.split(',');
const out = opt('--out') ?? path.join(root, 'test/differential/kube-answers.json');
const cases = only ? catalogue.filter((c) => only.includes(c.id)) : catalogue;
if (only && cases.length !== only.length) throw new Error(`unknown case ids: ${only.filter((id) => !catalogue.some((c) => c.id === id))}`);

let peer;
let target;
let meta;
if (opt('--url')) {
  const u = new URL(opt('--url'));
  target = { host: u.hostname, port: Number(u.port), tls: u.protocol === 'https:', token: opt('--token') };
  meta = { server: opt('--url') };
} else {
  peer = await startPeer();
  process.on('exit', () => {
    for (const pid of Object.values(peer.pids)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  });
  target = { host: peer.host, port: peer.port, tls: true, token: peer.token };
  meta = { kubeVersion: peer.version, etcdVersion: peer.etcdVersion };
  console.error(`peer kube-apiserver ${peer.version} (etcd ${peer.etcdVersion}) on ${peer.url}, logs in ${peer.dir}`);
}

const t0 = Date.now();
let answers;
try {
  answers = await runAll(target, cases, (c, a) => console.error(`${c.id.padEnd(48)} ${a.code} ${a.reason}${a.written ? ' written' : ''}`));
} finally {
  await peer?.stop();
}
const previous = only && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { answers: {} };
const file = {
  ...meta,
  recordedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  cases: catalogue.length,
  answers: Object.fromEntries(catalogue.filter((c) => answers[c.id] || previous.answers[c.id]).map((c) => [c.id, answers[c.id] ?? previous.answers[c.id]])),
};
writeFileSync(out, JSON.stringify(file, null, 1) + '\n');
console.error(`recorded ${cases.length} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s into ${path.relative(process.cwd(), out)}`);
