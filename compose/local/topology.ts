// What the launcher runs, as plain data: the same topology as compose/docker-compose.yml, as local
// processes. The HA issue grows this list (3 etcd members, Redis, the load balancer); the rest of
// the launcher starts, waits for and stops whatever the list holds, in order.
import path from 'node:path';
import type { LauncherOptions } from './options.js';
import type { Role } from './state.js';

export interface ComponentSpec {
  name: string;
  role: Role;
  command: string;
  args: string[];
  /** What clients use (state.json). */
  url: string;
  /** Polled until it answers 2xx. */
  readyUrl: string;
  /** Every port it listens on, checked free before anything starts. */
  ports: number[];
}

export function topology(opts: LauncherOptions, root: string, node: string = process.execPath): ComponentSpec[] {
  const host = opts.bindAddress;
  const etcdUrl = `http://${host}:${opts.etcdPort}`;
  const peerUrl = `http://${host}:${opts.etcdPeerPort}`;
  const specs: ComponentSpec[] = [{
    name: 'etcd-1', role: 'etcd', command: 'etcd',
    args: [
      '--name=etcd-1', `--data-dir=${path.join(opts.clusterDir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`, `--initial-cluster=etcd-1=${peerUrl}`,
    ],
    url: etcdUrl, readyUrl: `${etcdUrl}/health`, ports: [opts.etcdPort, opts.etcdPeerPort],
  }];
  for (let i = 0; i < opts.apiservers; i++) {
    const port = opts.port + i;
    const name = `apiserver-${i + 1}`;
    const url = `http://${host}:${port}`;
    specs.push({
      name, role: 'apiserver', command: node,
      args: [path.join(root, 'dist/server/main.js'), ...apiserverFlags(etcdUrl, host, port, name)],
      url, readyUrl: `${url}/readyz`, ports: [port],
    });
  }
  return specs;
}

/** The flags an API server instance gets; compose/docker-compose.yml passes the same ones. */
export function apiserverFlags(etcdServers: string, bindAddress: string, securePort: number, instanceName: string): string[] {
  return [`--etcd-servers=${etcdServers}`, `--bind-address=${bindAddress}`, `--secure-port=${securePort}`, `--instance-name=${instanceName}`];
}
