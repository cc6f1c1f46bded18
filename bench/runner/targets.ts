// What the benchmark measures, brought up on free ports with temporary data, each on an etcd 3.6
// of its own: `lb` (the HA topology: 3 instances + Redis fan-out + the load balancer), `single`
// (one instance, no LB), `kube-apiserver` (the peer, bench/peer/peer.mjs), or an external server
// named by --target and a kubeconfig.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readKubeconfig } from '../../pki/kubeconfig.js';
import { stopPid } from '../../compose/local/processes.js';
import { apiserverFlags } from '../../compose/local/topology.js';
import { removeOnExit, repoRoot, stopOnExit, startApiServer, startApiServerOn, startEtcd, startLb, startRedis } from './processes.js';

export type TargetName = 'lb' | 'single' | 'kube-apiserver';
export const targetNames: TargetName[] = ['lb', 'single', 'kube-apiserver'];

/** An API server instance behind the LB that the failover scenario kills and brings back. */
export interface Instance { url: string; pid: number; restart(): Promise<void> }

export interface Target {
  name: string;
  url: string;
  token?: string;
  /** The API server processes (for memory figures); empty for an external target. */
  apiserverPids(): number[];
  /** Behind the LB only. */
  instances?: Instance[];
  etcdVersion?: string;
  stop(): Promise<void>;
}

interface Peer { dir: string; url: string; token: string; etcdVersion: string; version: string; pids: { apiserver: number; etcd: number }; stop(): Promise<void> }
interface PeerModule {
  startPeer(o: { detached: boolean }): Promise<Peer>;
  kubeApiserverPath(): string;
  etcdPath(): string;
}

// peer.mjs is plain JavaScript outside the build; load it from the source tree.
const peerModule = (): Promise<PeerModule> => import(pathToFileURL(path.join(repoRoot, 'bench/peer/peer.mjs')).href) as Promise<PeerModule>;

/**
 * Builds what is missing of the peer (kube-apiserver v1.35.0 when it is a target, and etcd 3.6,
 * which every target runs on) with bench/peer/build.sh: once per machine, a long Go build.
 */
export async function ensurePeerBuilt(withKubeApiserver: boolean): Promise<void> {
  const peer = await peerModule();
  const missing: string[] = [];
  if (peer.etcdPath() === 'etcd') missing.push('etcd');
  if (withKubeApiserver && !existsSync(peer.kubeApiserverPath())) missing.push('kube-apiserver');
  if (!missing.length) return;
  console.log(`building the peer's ${missing.join(' and ')} with bench/peer/build.sh (once; a long Go build)...`);
  execFileSync('bash', [path.join(repoRoot, 'bench/peer/build.sh'), ...missing], { stdio: 'inherit' });
}

/** The etcd 3.6 that bench/peer/build.sh built: both sides run on the same etcd. */
export async function etcdBinary(): Promise<string> {
  const etcd = (await peerModule()).etcdPath();
  if (etcd === 'etcd') throw new Error('no etcd 3.6 build in the peer cache: run bash bench/peer/build.sh etcd');
  return etcd;
}

/** `nodeArgs` go to node in our API servers and LB (--cpu-prof); the peer is Go and takes none. */
export async function startTarget(name: TargetName, nodeArgs: string[] = []): Promise<Target> {
  if (name === 'kube-apiserver') {
    const peer = await (await peerModule()).startPeer({ detached: false });
    const forget = Object.values(peer.pids).map(stopOnExit);
    removeOnExit(peer.dir);
    const stop = async () => {
      await peer.stop();
      for (const f of forget) f();
    };
    return { name, url: peer.url, token: peer.token, etcdVersion: peer.etcdVersion, apiserverPids: () => [peer.pids.apiserver], stop };
  }
  const etcd = await startEtcd(await etcdBinary());
  // Stopped when this target is done, so the next one has the machine to itself (API servers first).
  const stopAll = async (pids: number[]) => {
    for (const pid of [...pids, etcd.pid]) await stopPid(pid, 5000);
  };
  if (name === 'single') {
    const api = await startApiServer(etcd.url, [], nodeArgs);
    return { name, url: api.url, apiserverPids: () => [api.pid], stop: () => stopAll([api.pid]) };
  }
  const redis = await startRedis();
  const instances: Instance[] = [];
  for (let i = 1; i <= 3; i++) {
    // The launcher's flags minus the ports, which startApiServer picks.
    const flags = apiserverFlags(etcd.url, '127.0.0.1', 0, `apiserver-${i}`, redis.url).filter((f) => !/^--(etcd-servers|secure-port)=/.test(f));
    const api = await startApiServer(etcd.url, flags, nodeArgs);
    const instance: Instance = {
      url: api.url, pid: api.pid,
      restart: async () => {
        instance.pid = (await startApiServerOn(Number(new URL(api.url).port), etcd.url, flags, nodeArgs)).pid;
      },
    };
    instances.push(instance);
  }
  const lb = await startLb(instances.map((i) => i.url).join(','), nodeArgs);
  const pids = () => instances.map((i) => i.pid);
  return { name, url: lb.url, instances, apiserverPids: pids, stop: () => stopAll([lb.child.pid!, ...pids(), redis.pid]) };
}

/** A server that is already running: its URL, and the bearer token from a kubeconfig's current user. */
export function externalTarget(url: string, kubeconfig?: string, name = 'external'): Target {
  const token = kubeconfig ? readKubeconfig(kubeconfig).token : undefined;
  return { name, url: url.replace(/\/$/, ''), token, apiserverPids: () => [], stop: async () => {} };
}
