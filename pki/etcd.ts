// etcd's PKI in kubeadm's layout and names: <pki>/etcd/ca.crt|key (the etcd CA), etcd/server.crt
// (serving clients), etcd/peer.crt (members to each other), etcd/healthcheck-client.crt (probes) and
// <pki>/apiserver-etcd-client.crt (the API servers). Made once; a CA is never replaced, a serving or
// peer certificate again when it lacks a name it must have now (another bind address, more members).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { currentLeaf, type Issued, issue, loadIssued, newCA, type PkiOptions, writeIssued } from './pki.js';

export function etcdPkiFiles(pkiDir: string) {
  const f = (name: string) => path.join(pkiDir, 'etcd', name);
  return {
    dir: path.join(pkiDir, 'etcd'),
    caCert: f('ca.crt'), caKey: f('ca.key'),
    serverCert: f('server.crt'), serverKey: f('server.key'),
    peerCert: f('peer.crt'), peerKey: f('peer.key'),
    healthcheckClientCert: f('healthcheck-client.crt'), healthcheckClientKey: f('healthcheck-client.key'),
    apiserverClientCert: path.join(pkiDir, 'apiserver-etcd-client.crt'), apiserverClientKey: path.join(pkiDir, 'apiserver-etcd-client.key'),
  };
}

export type EtcdPkiFiles = ReturnType<typeof etcdPkiFiles>;

/**
 * `names`: what server.crt and peer.crt must name (kubeadm: localhost, 127.0.0.1, the advertise
 * address and the member's name; here one pair serves every member on this host, so every member's name).
 */
export function ensureEtcdPKI(pkiDir: string, names: PkiOptions): EtcdPkiFiles {
  const files = etcdPkiFiles(pkiDir);
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  const ca = existsSync(files.caCert) ? loadIssued(files.caCert, files.caKey) : written(files.dir, 'ca', newCA('etcd-ca'));
  // A certificate stays while this CA signed it and it names all it must.
  const current = (cert: string, key: string, must?: PkiOptions) => currentLeaf(ca, cert, key, must);
  // kubeadm sets the serving and peer certificates' common name to the node's name.
  const serving = (cert: string, key: string, base: string) => {
    if (current(cert, key, names)) return;
    written(files.dir, base, issue(ca, { commonName: names.dnsNames.find((n) => n !== 'localhost') ?? 'etcd', usage: 'both', ...names }));
  };
  serving(files.serverCert, files.serverKey, 'server');
  serving(files.peerCert, files.peerKey, 'peer');
  if (!current(files.healthcheckClientCert, files.healthcheckClientKey)) {
    written(files.dir, 'healthcheck-client', issue(ca, { commonName: 'kube-etcd-healthcheck-client', usage: 'client' }));
  }
  if (!current(files.apiserverClientCert, files.apiserverClientKey)) {
    written(pkiDir, 'apiserver-etcd-client', issue(ca, { commonName: 'kube-apiserver-etcd-client', usage: 'client' }));
  }
  return files;
}

function written(dir: string, base: string, issued: Issued): Issued {
  writeIssued(dir, base, issued);
  return issued;
}
