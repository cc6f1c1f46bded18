// A cluster directory from before etcd had TLS (its members' data holds http:// peer URLs) keeps its
// data when `npm start` now runs etcd with TLS: the launcher restores the members with https:// peers.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRequest } from '../../compose/local/client.js';
import { etcdPkiFiles } from '../../pki/etcd.js';
import { type LauncherResult, runLauncher } from '../support/launcher.js';
import { gone } from '../support/pids.js';
import { freeRange } from '../support/ports.js';

describe('launcher: an etcd cluster made with plain peers, started with TLS', () => {
  let dir: string;
  let port: number;
  let etcdPort: number;
  const pids: number[] = [];
  const args = () => ['start', '--detach', `--port=${port}`, `--etcd-port=${etcdPort}`, '--etcd-members=3', '--no-redis', '--apiservers=1', `--cluster-dir=${dir}`];
  const remember = () => {
    const state = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as { supervisor: number; components: { pid: number }[] };
    pids.push(state.supervisor, ...state.components.map((c) => c.pid));
  };
  let plain: LauncherResult;
  let secured: LauncherResult;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'launcher-etcd-upgrade-'));
    port = await freeRange(2);
    etcdPort = await freeRange(6);
    plain = await runLauncher([...args(), '--plain-http']);
    if (plain.code !== 0) return;
    remember();
    const created = await clusterRequest(`http://127.0.0.1:${port}`, undefined, 'POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'kept' } }));
    expect(created.status).toBe(201);
    await runLauncher(['stop', `--cluster-dir=${dir}`]);
    // As the launcher left a cluster directory before it recorded its etcd peer URLs.
    rmSync(path.join(dir, 'etcd-initial-cluster'), { force: true });
    secured = await runLauncher(args());
    if (secured.code === 0) remember();
  }, 300000);

  afterAll(async () => {
    if (existsSync(path.join(dir, 'state.json'))) await runLauncher(['stop', `--cluster-dir=${dir}`]);
    for (const pid of pids) if (pid && !gone(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }, 60000);

  it('restores the members with https:// peers and keeps every object', async () => {
    expect(plain.code, plain.stderr).toBe(0);
    expect(secured.code, secured.stderr).toBe(0);
    const kept = await clusterRequest(`https://127.0.0.1:${port}`, path.join(dir, 'kubeconfig'), 'GET', '/api/v1/namespaces/default/configmaps/kept');
    expect(kept.status, kept.body).toBe(200);
    const etcd = etcdPkiFiles(path.join(dir, 'pki'));
    const members = await new Promise<string>((resolve, reject) => {
      const req = https.request(`https://127.0.0.1:${etcdPort}/v3/cluster/member/list`, { method: 'POST', agent: false,
        ca: readFileSync(etcd.caCert), cert: readFileSync(etcd.healthcheckClientCert), key: readFileSync(etcd.healthcheckClientKey) }, (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end('{}');
    });
    const peerURLs = (JSON.parse(members) as { members: { peerURLs: string[] }[] }).members.flatMap((m) => m.peerURLs).sort();
    expect(peerURLs).toEqual([0, 2, 4].map((i) => `https://127.0.0.1:${etcdPort + 1 + i}`));
    expect(readdirSync(dir)).toEqual(expect.arrayContaining([expect.stringMatching(/^etcd-1\.\d{4}-/), expect.stringMatching(/^etcd-snapshot-.*\.db$/)]));
  }, 60000);
});

