// The launcher's security setup (the default; --plain-http turns it off): the PKI in kubeadm's
// layout under <cluster-dir>/pki, TLS on the LB and every instance, client certificates verified at
// the LB and carried to the instances as the front proxy's identity, RBAC, anonymous requests only
// for health, version and the service-account issuer's discovery, and the admin kubeconfig with a
// system:masters client certificate. And the stores closed to everyone else: etcd with client and
// peer TLS and client certificates (kubeadm's flags), Redis over TLS with one ACL user and a password,
// and the fan-out stream's entries signed with a key only the API servers hold.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { ensureEtcdPKI, type EtcdPkiFiles, etcdPkiFiles } from '../../pki/etcd.js';
import { ensurePKI, type PkiFiles, pkiFiles, type PkiOptions, writeClientKubeconfig } from '../../pki/pki.js';
import { ensureRedisPKI, redisPkiFiles, type RedisPkiFiles, redisUser } from '../../pki/redis.js';
import { defaultAuditPolicy } from '../../server/audit/default-policy.js';
import { jwksPath, openIDConfigurationPath } from '../../server/authentication/serviceaccount/discovery.js';
import type { LauncherOptions } from './options.js';
import type { ProbeCredentials } from './processes.js';

/** The paths anonymous requests may use (kube's AuthenticationConfiguration anonymous.conditions). */
export const anonymousPaths = ['/healthz', '/livez', '/readyz', '/version', openIDConfigurationPath, jwksPath];

/** The in-cluster names of the API server and the first Service IP, as kubeadm puts them in apiserver.crt. */
const clusterNames = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost'];
const serviceIP = '10.96.0.1';
export const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';
/** The server's default --redis-key-prefix: the only keys the launcher's Redis user may touch. */
const redisKeyPrefix = 'kube-apiserver-ts:';

export interface SecurityFiles {
  pki: PkiFiles;
  etcd: EtcdPkiFiles;
  redis: RedisPkiFiles;
  authenticationConfig: string;
  auditPolicy: string;
  adminKubeconfig: string;
  /** Each controller component's own identity, as kubeadm's controller-manager.conf and scheduler.conf. */
  controllerManagerKubeconfig: string;
  schedulerKubeconfig: string;
  /** kwok and the node registration: kubelets for every simulated node at once (kubeadm has no such part). */
  controllersKubeconfig: string;
}

export function securityFiles(opts: LauncherOptions): SecurityFiles {
  return securityFilesIn(opts.clusterDir);
}

/** The same layout under any directory: the launcher's cluster dir, or /etc/kubernetes in the compose containers. */
export function securityFilesIn(dir: string): SecurityFiles {
  return {
    pki: pkiFiles(path.join(dir, 'pki')),
    etcd: etcdPkiFiles(path.join(dir, 'pki')),
    redis: redisPkiFiles(path.join(dir, 'pki')),
    authenticationConfig: path.join(dir, 'authentication-config.yaml'),
    auditPolicy: path.join(dir, 'audit-policy.yaml'),
    adminKubeconfig: path.join(dir, 'kubeconfig'),
    controllerManagerKubeconfig: path.join(dir, 'controller-manager.kubeconfig'),
    schedulerKubeconfig: path.join(dir, 'scheduler.kubeconfig'),
    controllersKubeconfig: path.join(dir, 'controllers.kubeconfig'),
  };
}

/** What the serving certificates must name: the API servers' and LB's (one certificate), etcd's, Redis's (none: no Redis). */
export interface ServingNames {
  apiserver: PkiOptions;
  etcd: PkiOptions;
  redis?: PkiOptions;
}

/** Makes what is missing: the PKI (a CA is never replaced) and the authentication configuration. */
export function prepareSecurity(opts: LauncherOptions): SecurityFiles {
  const files = securityFiles(opts);
  const ips = [...new Set([opts.bindAddress, '127.0.0.1', serviceIP])].filter((ip) => ip !== '0.0.0.0');
  // The stores listen on the bind address; clients also reach them as localhost / 127.0.0.1.
  const storeIPs = [...new Set([opts.bindAddress, '127.0.0.1'])].filter((ip) => ip !== '0.0.0.0');
  const members = Array.from({ length: opts.etcdMembers }, (_, i) => `etcd-${i + 1}`);
  prepareSecurityFiles(files, {
    apiserver: { dnsNames: clusterNames, ips },
    etcd: { dnsNames: ['localhost', ...members], ips: storeIPs },
    ...(opts.redis ? { redis: { dnsNames: ['localhost', 'redis'], ips: storeIPs } } : {}),
  });
  return files;
}

/**
 * The compose file's names (its service names, reached on the compose network, and the host's
 * 127.0.0.1 through the published port) plus `sans` (KTS_SANS: more names or IPs for the LB).
 */
export function composeServingNames(apiservers: number, etcdMembers: number, sans: string[]): ServingNames {
  const numbered = (base: string, n: number) => Array.from({ length: n }, (_, i) => `${base}-${i + 1}`);
  return {
    apiserver: { dnsNames: [...new Set([...clusterNames, 'lb', ...numbered('apiserver', apiservers), ...sans.filter((s) => !isIP(s))])],
      ips: [...new Set(['127.0.0.1', serviceIP, ...sans.filter((s) => isIP(s))])] },
    etcd: { dnsNames: ['localhost', ...numbered('etcd', etcdMembers)], ips: ['127.0.0.1'] },
    redis: { dnsNames: ['localhost', 'redis'], ips: ['127.0.0.1'] },
  };
}

/** The PKI with these names, the authentication configuration and (once) the audit policy. */
export function prepareSecurityFiles(files: SecurityFiles, names: ServingNames): void {
  ensurePKI(files.pki.dir, names.apiserver);
  ensureEtcdPKI(files.pki.dir, names.etcd);
  if (names.redis) ensureRedisPKI(files.pki.dir, names.redis, `${redisKeyPrefix}*`);
  writeFileSync(files.authenticationConfig, [
    'apiVersion: apiserver.config.k8s.io/v1', 'kind: AuthenticationConfiguration', 'anonymous:', '  enabled: true', '  conditions:',
    ...anonymousPaths.map((p) => `  - path: ${p}`), '',
  ].join('\n'));
  // The default policy is written once; an edited one is kept.
  if (!existsSync(files.auditPolicy)) writeFileSync(files.auditPolicy, defaultAuditPolicy);
}

/**
 * The admin kubeconfig (kubernetes-admin, O=system:masters, as kubeadm's admin.conf) and the
 * controllers' one, pointing at `server` (the controllers' at `controllersServer` when they reach
 * the LB by another name, as in compose). Kept while they name the same server and CA.
 */
export function writeKubeconfigs(files: SecurityFiles, server: string, controllers: boolean, controllersServer = server): void {
  const ca = Buffer.from(readFileSync(files.pki.caCert)).toString('base64');
  const current = (f: string, s: string) => existsSync(f) && readFileSync(f, 'utf8').includes(`server: ${s}\n`) && readFileSync(f, 'utf8').includes(ca);
  if (!current(files.adminKubeconfig, server)) writeClientKubeconfig(files.pki, files.adminKubeconfig, server, 'kubernetes-admin', ['system:masters']);
  if (!controllers) return;
  // As kubeadm: the controller manager and the scheduler as the users kube's bootstrap RBAC names, no group;
  // the controller manager runs each controller as its own service account (--use-service-account-credentials).
  if (!current(files.controllerManagerKubeconfig, controllersServer)) {
    writeClientKubeconfig(files.pki, files.controllerManagerKubeconfig, controllersServer, 'system:kube-controller-manager', []);
  }
  if (!current(files.schedulerKubeconfig, controllersServer)) writeClientKubeconfig(files.pki, files.schedulerKubeconfig, controllersServer, 'system:kube-scheduler', []);
  // kwok plays the kubelet of every simulated node (no one system:node:<name> identity fits): system:masters.
  if (!current(files.controllersKubeconfig, controllersServer)) {
    writeClientKubeconfig(files.pki, files.controllersKubeconfig, controllersServer, 'system:kwok-controller', ['system:masters']);
  }
}

export function apiserverSecurityFlags(files: SecurityFiles): string[] {
  const p = files.pki;
  return [
    `--tls-cert-file=${p.servingCert}`, `--tls-private-key-file=${p.servingKey}`, `--client-ca-file=${p.caCert}`,
    `--requestheader-client-ca-file=${p.frontProxyCACert}`, '--requestheader-allowed-names=front-proxy-client',
    // The aggregator presents the front-proxy client certificate to extension API servers, as kubeadm sets it,
    // and calls them at an endpoint of their Service: no cluster IP routes here.
    `--proxy-client-cert-file=${p.frontProxyClientCert}`, `--proxy-client-key-file=${p.frontProxyClientKey}`, '--enable-aggregator-routing=true',
    `--service-account-key-file=${p.saPub}`, `--service-account-signing-key-file=${p.saKey}`, `--service-account-issuer=${serviceAccountIssuer}`,
    `--authentication-config=${files.authenticationConfig}`, '--authorization-mode=RBAC',
    `--cluster-signing-cert-file=${p.caCert}`, `--cluster-signing-key-file=${p.caKey}`,
    // Audit: the launcher's policy; each instance's log (--audit-log-path, added per instance) rotates at 100 MB, 5 kept.
    `--audit-policy-file=${files.auditPolicy}`, '--audit-log-maxsize=100', '--audit-log-maxbackup=5',
  ];
}

export function lbSecurityFlags(files: SecurityFiles): string[] {
  const p = files.pki;
  return [
    `--tls-cert-file=${p.servingCert}`, `--tls-private-key-file=${p.servingKey}`, `--client-ca-file=${p.caCert}`, `--client-crl-file=${p.crl}`,
    `--backend-ca-file=${p.caCert}`, `--proxy-client-cert-file=${p.frontProxyClientCert}`, `--proxy-client-key-file=${p.frontProxyClientKey}`,
  ];
}

/** kubeadm's etcd flags: clients and peers over TLS, each required to present a certificate from the etcd CA. */
export function etcdSecurityFlags(files: SecurityFiles): string[] {
  const e = files.etcd;
  return [
    `--cert-file=${e.serverCert}`, `--key-file=${e.serverKey}`, '--client-cert-auth=true', `--trusted-ca-file=${e.caCert}`,
    `--peer-cert-file=${e.peerCert}`, `--peer-key-file=${e.peerKey}`, '--peer-client-cert-auth=true', `--peer-trusted-ca-file=${e.caCert}`,
  ];
}

/** The launcher's readiness checks of etcd present the health-check client certificate, as kubeadm's probes do. */
export function etcdProbe(files: SecurityFiles): ProbeCredentials {
  return { caFile: files.etcd.caCert, certFile: files.etcd.healthcheckClientCert, keyFile: files.etcd.healthcheckClientKey };
}

/** Where the API servers find Redis: TLS, as the ACL user (the password is never in a URL or on a command line). */
export function redisURL(host: string, port: number): string {
  return `rediss://${redisUser}@${host}:${port}`;
}

/** Redis over TLS only (client certificates from the Redis CA), the ACL file's one user, protected mode on. */
export function redisSecurityArgs(files: SecurityFiles, port: number): string[] {
  const r = files.redis;
  return ['--port', '0', '--tls-port', String(port), '--tls-cert-file', r.serverCert, '--tls-key-file', r.serverKey, '--tls-ca-cert-file', r.caCert,
    '--tls-auth-clients', 'yes', '--aclfile', r.aclFile, '--protected-mode', 'yes'];
}

export function redisProbe(files: SecurityFiles): ProbeCredentials {
  const r = files.redis;
  return { caFile: r.caCert, certFile: r.clientCert, keyFile: r.clientKey, passwordFile: r.password };
}

/** An API server's credentials for etcd (kube's --etcd-cafile/certfile/keyfile) and, with Redis, for Redis and the stream. */
export function apiserverStoreFlags(files: SecurityFiles, redis: boolean): string[] {
  const e = files.etcd;
  const r = files.redis;
  return [
    `--etcd-cafile=${e.caCert}`, `--etcd-certfile=${e.apiserverClientCert}`, `--etcd-keyfile=${e.apiserverClientKey}`,
    ...(redis ? [`--redis-password-file=${r.password}`, `--redis-ca-file=${r.caCert}`, `--redis-cert-file=${r.clientCert}`,
      `--redis-key-file=${r.clientKey}`, `--redis-stream-key-file=${r.streamKey}`] : []),
  ];
}

/** The parts of the control plane that read the PKI, each given only its own files in compose. */
export type SecurityRole = 'etcd' | 'redis' | 'apiserver' | 'lb' | 'controller-manager' | 'scheduler' | 'kwok';

/**
 * The files each part reads, taken from the flags and probes above (so a flag added there is a file
 * shipped here): compose copies each set into that service's own read-only volume.
 */
export function filesByRole(files: SecurityFiles): Record<SecurityRole, string[]> {
  const named = (...args: string[]) => [...new Set(args.map((a) => a.slice(a.indexOf('=') + 1)).filter((v) => path.isAbsolute(v)))];
  const probe = (p: ProbeCredentials) => Object.values(p).filter((v): v is string => typeof v === 'string');
  const p = files.pki;
  return {
    etcd: named(...etcdSecurityFlags(files), ...probe(etcdProbe(files))),
    redis: named(...redisSecurityArgs(files, 0), ...probe(redisProbe(files))),
    apiserver: named(...apiserverSecurityFlags(files), ...apiserverStoreFlags(files, true)),
    lb: named(...lbSecurityFlags(files)),
    // What compose/local/controllers.ts passes each component with TLS.
    'controller-manager': [files.controllerManagerKubeconfig, p.saKey, p.caCert, p.caKey],
    scheduler: [files.schedulerKubeconfig],
    kwok: [files.controllersKubeconfig],
  };
}
