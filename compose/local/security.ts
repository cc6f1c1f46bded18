// The launcher's security setup (the default; --plain-http turns it off): the PKI in kubeadm's
// layout under <cluster-dir>/pki, TLS on the LB and every instance, client certificates verified at
// the LB and carried to the instances as the front proxy's identity, RBAC, anonymous requests only
// for health, version and the service-account issuer's discovery, and the admin kubeconfig with a
// system:masters client certificate.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensurePKI, type PkiFiles, pkiFiles, writeClientKubeconfig } from '../../pki/pki.js';
import { defaultAuditPolicy } from '../../server/audit/default-policy.js';
import { jwksPath, openIDConfigurationPath } from '../../server/authentication/serviceaccount/discovery.js';
import type { LauncherOptions } from './options.js';

/** The paths anonymous requests may use (kube's AuthenticationConfiguration anonymous.conditions). */
export const anonymousPaths = ['/healthz', '/livez', '/readyz', '/version', openIDConfigurationPath, jwksPath];

/** The in-cluster names of the API server and the first Service IP, as kubeadm puts them in apiserver.crt. */
const clusterNames = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost'];
const serviceIP = '10.96.0.1';
export const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';

export interface SecurityFiles {
  pki: PkiFiles;
  authenticationConfig: string;
  auditPolicy: string;
  adminKubeconfig: string;
  controllersKubeconfig: string;
}

export function securityFiles(opts: LauncherOptions): SecurityFiles {
  const dir = opts.clusterDir;
  return {
    pki: pkiFiles(path.join(dir, 'pki')),
    authenticationConfig: path.join(dir, 'authentication-config.yaml'),
    auditPolicy: path.join(dir, 'audit-policy.yaml'),
    adminKubeconfig: path.join(dir, 'kubeconfig'),
    controllersKubeconfig: path.join(dir, 'controllers.kubeconfig'),
  };
}

/** Makes what is missing: the PKI (a CA is never replaced) and the authentication configuration. */
export function prepareSecurity(opts: LauncherOptions): SecurityFiles {
  const files = securityFiles(opts);
  const ips = [...new Set([opts.bindAddress, '127.0.0.1', serviceIP])].filter((ip) => ip !== '0.0.0.0');
  ensurePKI(files.pki.dir, { dnsNames: clusterNames, ips });
  writeFileSync(files.authenticationConfig, [
    'apiVersion: apiserver.config.k8s.io/v1', 'kind: AuthenticationConfiguration', 'anonymous:', '  enabled: true', '  conditions:',
    ...anonymousPaths.map((p) => `  - path: ${p}`), '',
  ].join('\n'));
  // The default policy is written once; an edited one is kept.
  if (!existsSync(files.auditPolicy)) writeFileSync(files.auditPolicy, defaultAuditPolicy);
  return files;
}

/**
 * The admin kubeconfig (kubernetes-admin, O=system:masters, as kubeadm's admin.conf) and the
 * controllers' one, pointing at `server`. Kept while they name the same server and CA.
 */
export function writeKubeconfigs(files: SecurityFiles, server: string, controllers: boolean): void {
  const ca = Buffer.from(readFileSync(files.pki.caCert)).toString('base64');
  const current = (f: string) => existsSync(f) && readFileSync(f, 'utf8').includes(`server: ${server}\n`) && readFileSync(f, 'utf8').includes(ca);
  if (!current(files.adminKubeconfig)) writeClientKubeconfig(files.pki, files.adminKubeconfig, server, 'kubernetes-admin', ['system:masters']);
  // The controller manager runs every controller under its own identity (--use-service-account-credentials=false),
  // which needs more than kube's system:kube-controller-manager role grants: it gets a system:masters certificate.
  if (controllers && !current(files.controllersKubeconfig)) {
    writeClientKubeconfig(files.pki, files.controllersKubeconfig, server, 'system:kube-controller-manager', ['system:masters']);
  }
}

export function apiserverSecurityFlags(files: SecurityFiles): string[] {
  const p = files.pki;
  return [
    `--tls-cert-file=${p.servingCert}`, `--tls-private-key-file=${p.servingKey}`, `--client-ca-file=${p.caCert}`,
    `--requestheader-client-ca-file=${p.frontProxyCACert}`, '--requestheader-allowed-names=front-proxy-client',
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
