// What the launcher runs, as plain data: the same topology as compose/docker-compose.yml, as local
// processes: the etcd cluster, Redis, the API servers and the load balancer in front of them. The
// rest of the launcher starts, waits for, supervises and stops whatever the list holds, in order.
import path from 'node:path';
import type { LauncherOptions } from './options.js';
import { controllerPorts, controllerSpecs } from './controllers.js';
import { etcdDataDir } from './etcd-data.js';
import type { ProbeCredentials } from './processes.js';
import { apiserverSecurityFlags, apiserverStoreFlags, etcdProbe, etcdSecurityFlags, lbSecurityFlags, redisProbe, redisSecurityArgs, redisURL, securityFiles } from './security.js';
import type { Role } from './state.js';

export interface ComponentSpec {
  name: string;
  role: Role;
  command: string;
  args: string[];
  /** What clients use (state.json). */
  url: string;
  /** Polled until it answers 2xx (or PONG). */
  readyUrl: string;
  /** What the readiness check presents: etcd and Redis admit only clients with the cluster's certificates and password. */
  probe?: ProbeCredentials;
  /** Every port it listens on, checked free before anything starts. */
  ports: number[];
  /** Added to its environment (the launcher's OTEL_* for the API servers and the LB). */
  env?: NodeJS.ProcessEnv;
}

/** One member of the etcd cluster: its name and where it listens. */
export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
}

export function topology(opts: LauncherOptions, root: string, node: string = process.execPath, env: NodeJS.ProcessEnv = process.env): ComponentSpec[] {
  const otel = otelEnvironment(env);
  const host = opts.bindAddress;
  const security = opts.tls ? securityFiles(opts) : undefined;
  const scheme = security ? 'https' : 'http';
  const members = etcdMembers(opts);
  const specs: ComponentSpec[] = members.map((m) => ({
    name: m.name, role: 'etcd', command: 'etcd',
    args: [...etcdFlags(m, members, etcdDataDir(opts, m, members.length)), ...(security ? etcdSecurityFlags(security) : [])],
    url: m.clientUrl, readyUrl: `${m.clientUrl}/health`, ports: [Number(new URL(m.clientUrl).port), Number(new URL(m.peerUrl).port)],
    ...(security ? { probe: etcdProbe(security) } : {}),
  }));
  const etcdServers = members.map((m) => m.clientUrl).join(',');
  const redisUrl = opts.redis ? (security ? redisURL(host, opts.redisPort) : `redis://${host}:${opts.redisPort}`) : undefined;
  if (redisUrl) {
    specs.push({
      name: 'redis', role: 'redis', command: 'redis-server',
      // A cache and a stream only: nothing on disk, any loss is repaired from etcd.
      args: ['--bind', host, '--save', '', '--appendonly', 'no',
        ...(security ? redisSecurityArgs(security, opts.redisPort) : ['--port', String(opts.redisPort), '--protected-mode', 'no'])],
      url: redisUrl, readyUrl: redisUrl, ports: [opts.redisPort],
      ...(security ? { probe: redisProbe(security) } : {}),
    });
  }
  const backends: string[] = [];
  for (let i = 1; i <= opts.apiservers; i++) {
    const port = opts.port + i;
    // With TLS the LB talks to each instance's front-proxy listener, the only one that reads X-Remote-* headers.
    const frontProxyPort = frontProxyPortOf(opts, i);
    const name = `apiserver-${i}`;
    const url = `${scheme}://${host}:${port}`;
    backends.push(security ? `${scheme}://${host}:${frontProxyPort}` : url);
    specs.push({
      name, role: 'apiserver', command: node,
      args: [path.join(root, 'dist/server/main.js'), ...apiserverFlags(etcdServers, host, port, name, redisUrl),
        ...(security ? [...apiserverSecurityFlags(security), ...apiserverStoreFlags(security, opts.redis), `--front-proxy-port=${frontProxyPort}`,
          `--audit-log-path=${path.join(opts.clusterDir, 'logs', `audit-${name}.log`)}`] : []), ...telemetryFlags(opts)],
      url, readyUrl: `${url}/readyz`, ports: security ? [port, frontProxyPort] : [port], env: otel,
    });
  }
  const lbUrl = `${scheme}://${host}:${opts.port}`;
  specs.push({
    name: 'lb', role: 'lb', command: node,
    args: [path.join(root, 'dist/lb/main.js'), ...lbFlags(host, opts.port, backends), ...(security ? lbSecurityFlags(security) : []),
      // /lb/stats for whoever may read the cluster dir (on the client listener: system:masters certificates only).
      `--stats-listen=${lbStatsSocket(opts)}`, ...telemetryFlags(opts)],
    url: lbUrl, readyUrl: `${lbUrl}/lb/healthz`, ports: [opts.port], env: otel,
  });
  if (opts.controllers) specs.push(...controllerSpecs(opts, controllerKubeconfigs(opts), controllerPorts(opts)));
  return specs;
}

/** The OpenTelemetry environment (OTEL_*) the API servers and the LB export their traces by. */
export function otelEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('OTEL_')));
}

/** The API servers' and the LB's logging and tracing flags, when the launcher was given them. */
function telemetryFlags(opts: LauncherOptions): string[] {
  return [
    ...opts.loggingFormat ? [`--logging-format=${opts.loggingFormat}`] : [],
    ...opts.verbosity !== undefined ? [`--v=${opts.verbosity}`] : [],
    ...opts.tracingConfigFile ? [`--tracing-config-file=${opts.tracingConfigFile}`] : [],
  ];
}

/** API server i's front-proxy listener: after the API servers' ports and the three the controllers take (controllerPorts). */
export function frontProxyPortOf(opts: LauncherOptions, i: number): number {
  return opts.port + opts.apiservers + 3 + i;
}

/** The LB's stats listener: a unix socket in the cluster dir, owner-only. */
export function lbStatsSocket(opts: LauncherOptions): string {
  return path.join(opts.clusterDir, 'lb-stats.sock');
}

/** The etcd cluster's members: member i listens on etcd-port + 2i (clients) and etcd-peer-port + 2i (peers), over TLS unless --plain-http. */
export function etcdMembers(opts: LauncherOptions): EtcdMember[] {
  const scheme = opts.tls ? 'https' : 'http';
  return Array.from({ length: opts.etcdMembers }, (_, i) => ({
    name: `etcd-${i + 1}`,
    clientUrl: `${scheme}://${opts.bindAddress}:${opts.etcdPort + 2 * i}`,
    peerUrl: `${scheme}://${opts.bindAddress}:${opts.etcdPeerPort + 2 * i}`,
  }));
}

/** The kubeconfig the controllers use: the load balancer, written before they start (with TLS, each its own identity). */
export function controllersKubeconfig(opts: LauncherOptions): string {
  return path.join(opts.clusterDir, 'controllers.kubeconfig');
}

export interface ControllerKubeconfigs {
  controllerManager: string;
  scheduler: string;
  kwok: string;
}

/** With TLS, each component's own client certificate (compose/local/security.ts); on plain HTTP one file for all. */
export function controllerKubeconfigs(opts: LauncherOptions): ControllerKubeconfigs {
  if (!opts.tls) return { controllerManager: controllersKubeconfig(opts), scheduler: controllersKubeconfig(opts), kwok: controllersKubeconfig(opts) };
  return { controllerManager: path.join(opts.clusterDir, 'controller-manager.kubeconfig'), scheduler: path.join(opts.clusterDir, 'scheduler.kubeconfig'),
    kwok: controllersKubeconfig(opts) };
}

/** The flags an etcd member gets; compose/docker-compose.yml passes the same ones (with service names). */
export function etcdFlags(member: EtcdMember, cluster: EtcdMember[], dataDir: string): string[] {
  return [
    `--name=${member.name}`, `--data-dir=${dataDir}`,
    `--listen-client-urls=${member.clientUrl}`, `--advertise-client-urls=${member.clientUrl}`,
    `--listen-peer-urls=${member.peerUrl}`, `--initial-advertise-peer-urls=${member.peerUrl}`,
    `--initial-cluster=${cluster.map((m) => `${m.name}=${m.peerUrl}`).join(',')}`,
    '--initial-cluster-state=new', '--initial-cluster-token=kube-apiserver-ts',
  ];
}

/** The flags an API server instance gets; compose/docker-compose.yml passes the same ones. */
export function apiserverFlags(etcdServers: string, bindAddress: string, securePort: number, instanceName: string, redisUrl?: string): string[] {
  const flags = [`--etcd-servers=${etcdServers}`, `--bind-address=${bindAddress}`, `--secure-port=${securePort}`, `--instance-name=${instanceName}`,
    // Behind the LB (it checks /readyz every 250 ms): fail readiness a second before the listener closes.
    '--shutdown-delay-duration=1s'];
  return redisUrl ? [...flags, `--redis-url=${redisUrl}`] : flags;
}

/** The flags the load balancer gets: where it listens, and every API server behind it. */
export function lbFlags(listenHost: string, port: number, backends: string[]): string[] {
  // kube-apiserver's head limit (Go's DefaultMaxHeaderBytes, 1 MiB plus 4 KiB of slack): clients get the same 431 where kube's would.
  return [`--listen=${listenHost}:${port}`, `--backends=${backends.join(',')}`, '--max-header-size=1052672'];
}
