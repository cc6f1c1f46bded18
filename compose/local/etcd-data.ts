// An etcd member keeps its cluster's peer URLs in its data directory, and ignores --initial-cluster
// once it has data: a cluster made with http:// peers (before the launcher closed etcd with TLS, or
// under --plain-http) cannot start with https:// ones, or the other way round, as its members could
// not reach each other. The launcher remembers the peer URLs it made the data with and, when they
// change, restores every member from the newest member's database with the new ones (etcdctl
// snapshot restore), keeping the old data directories aside.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LauncherOptions } from './options.js';
import type { EtcdMember } from './topology.js';

/** `<cluster-dir>/etcd-initial-cluster`: the --initial-cluster the members' data was made with. */
export const initialClusterFile = (opts: LauncherOptions) => path.join(opts.clusterDir, 'etcd-initial-cluster');

export const initialCluster = (members: EtcdMember[]) => members.map((m) => `${m.name}=${m.peerUrl}`).join(',');

/** Where a member keeps its data (one member: the directory a single etcd always had). */
export function etcdDataDir(opts: LauncherOptions, member: EtcdMember, count: number): string {
  return path.join(opts.clusterDir, count === 1 ? 'etcd' : member.name);
}

/**
 * Makes the members' data fit `members`' peer URLs: nothing to do for a new cluster or unchanged
 * URLs; otherwise each member is restored from the newest database. Returns what it did, for the log.
 */
export function adaptEtcdData(opts: LauncherOptions, members: EtcdMember[], etcdctl = 'etcdctl'): string | undefined {
  const wanted = initialCluster(members);
  const dirs = members.map((m) => etcdDataDir(opts, m, members.length));
  const dbs = dirs.map((d) => path.join(d, 'member', 'snap', 'db')).filter((db) => existsSync(db));
  const file = initialClusterFile(opts);
  // Data without a record is the launcher's from before it kept one: http:// peers on these ports.
  const made = existsSync(file) ? readFileSync(file, 'utf8').trim() : wanted.replaceAll('https://', 'http://');
  if (!dbs.length || made === wanted) {
    writeFileSync(file, wanted + '\n');
    return undefined;
  }
  // Every member has applied the same entries after a clean stop; the newest database is the safest pick after a crash.
  const newest = dbs.reduce((a, b) => (statSync(b).mtimeMs > statSync(a).mtimeMs ? b : a));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const snapshot = path.join(opts.clusterDir, `etcd-snapshot-${stamp}.db`);
  writeFileSync(snapshot, readFileSync(newest));
  for (const dir of dirs) if (existsSync(dir)) renameSync(dir, `${dir}.${stamp}`);
  for (const [i, m] of members.entries()) {
    execFileSync(etcdctl, ['snapshot', 'restore', snapshot, '--skip-hash-check', `--name=${m.name}`, `--data-dir=${dirs[i]}`,
      `--initial-cluster=${wanted}`, `--initial-advertise-peer-urls=${m.peerUrl}`, '--initial-cluster-token=kube-apiserver-ts'],
    { env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['ignore', 'ignore', 'pipe'] });
  }
  writeFileSync(file, wanted + '\n');
  return `etcd's data was made with peers ${made}; restored every member from ${newest} for ${wanted} (the old data kept as ${dirs.map((d) => `${path.basename(d)}.${stamp}`).join(', ')}; the snapshot ${snapshot})`;
}
