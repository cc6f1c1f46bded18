// The optional controllers of the topology (`--controllers`): the real kube-controller-manager and
// kube-scheduler at the pinned release and kwok for simulated nodes, each a client of the load
// balancer like any other, leader-elected through our Leases. compose/kube/build.sh builds them once
// with Go and caches them; the launcher registers the kwok nodes once everything is ready.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LauncherOptions } from './options.js';
import { clusterRequest } from './client.js';
import type { ComponentSpec, ControllerKubeconfigs } from './topology.js';

export const kubeVersion = process.env.KUBE_VERSION ?? 'v1.35.0';
export const kwokVersion = process.env.KWOK_VERSION ?? 'v0.7.0';
const cache = process.env.PEER_CACHE ?? path.join(os.homedir(), '.cache/kube-apiserver-ts/peer');

export interface ControllerBinaries { controllerManager: string; scheduler: string; kwok: string }

export function controllerBinaries(): ControllerBinaries {
  return {
    controllerManager: path.join(cache, kubeVersion, 'kube-controller-manager'),
    scheduler: path.join(cache, kubeVersion, 'kube-scheduler'),
    kwok: path.join(cache, `kwok-${kwokVersion}`, 'kwok'),
  };
}

/** Builds whatever is missing (once: several minutes of Go on a cold cache), with the build's output on our stderr. */
export async function ensureControllerBinaries(root: string): Promise<void> {
  const missing = Object.values(controllerBinaries()).filter((b) => !existsSync(b));
  if (!missing.length) return;
  console.error(`building the controllers once with Go (${missing.map((b) => path.basename(b)).join(', ')}); cached in ${cache}`);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('bash', [path.join(root, 'compose/kube/build.sh'), 'controllers'], {
      stdio: ['ignore', process.stderr, process.stderr], env: { ...process.env, KUBE_VERSION: kubeVersion, KWOK_VERSION: kwokVersion },
    });
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`building the controllers failed (exit ${code}); see the output above`);
}

/** The ports the controllers listen on, after the API servers': controller manager, scheduler, kwok. */
export function controllerPorts(opts: LauncherOptions): number[] {
  const first = opts.port + opts.apiservers + 1;
  return [first, first + 1, first + 2];
}

/** What controllerSpecs reads of the launcher's options (conformance/ runs the same three against the peer). */
export type ControllerOptions = Pick<LauncherOptions, 'bindAddress' | 'clusterDir' | 'tls'>;

/**
 * The three components, in start order. `kubeconfig` points at the load balancer; each serves its
 * health on its own port (the Kubernetes components over HTTPS with a self-signed certificate).
 * With TLS, the controller manager signs with `<clusterDir>/pki/` (sa.key, ca.crt, ca.key).
 */
export function controllerSpecs(opts: ControllerOptions, kubeconfig: ControllerKubeconfigs, ports: number[]): ComponentSpec[] {
  const bin = controllerBinaries();
  const host = opts.bindAddress;
  const [cmPort, schedPort, kwokPort] = ports;
  const certDir = (name: string) => path.join(opts.clusterDir, 'certs', name);
  // Their health endpoints answer anonymous requests; they have no token or TokenReview to check yet.
  const serving = (port: number, name: string) => [
    `--bind-address=${host}`, `--secure-port=${port}`, `--cert-dir=${certDir(name)}`,
    '--authentication-skip-lookup=true', '--authentication-tolerate-lookup-failure=true', '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
  ];
  return [
    {
      name: 'kube-controller-manager', role: 'controller', command: bin.controllerManager,
      // With TLS each controller runs as its own service account, under kube's bootstrap roles, as kubeadm runs it.
      args: [`--kubeconfig=${kubeconfig.controllerManager}`, '--leader-elect=true', `--use-service-account-credentials=${opts.tls}`,
        `--controllers=${controllerList(opts.tls).join(',')}`,
        // With TLS: legacy service-account token Secrets signed with the cluster's key; kube-root-ca.crt holds its CA.
        ...(opts.tls ? [`--service-account-private-key-file=${path.join(opts.clusterDir, 'pki', 'sa.key')}`, `--root-ca-file=${path.join(opts.clusterDir, 'pki', 'ca.crt')}`,
          `--cluster-signing-cert-file=${path.join(opts.clusterDir, 'pki', 'ca.crt')}`, `--cluster-signing-key-file=${path.join(opts.clusterDir, 'pki', 'ca.key')}`] : []),
        ...serving(cmPort, 'kube-controller-manager')],
      url: `https://${host}:${cmPort}`, readyUrl: `https://${host}:${cmPort}/healthz`, ports: [cmPort],
    },
    {
      name: 'kube-scheduler', role: 'controller', command: bin.scheduler,
      args: [`--kubeconfig=${kubeconfig.scheduler}`, '--leader-elect=true', ...serving(schedPort, 'kube-scheduler')],
      url: `https://${host}:${schedPort}`, readyUrl: `https://${host}:${schedPort}/healthz`, ports: [schedPort],
    },
    {
      name: 'kwok', role: 'controller', command: bin.kwok,
      // Only the nodes the launcher registers for it (annotated), so real kubelets could join beside them.
      args: [`--kubeconfig=${kubeconfig.kwok}`, '--manage-all-nodes=false', `--manage-nodes-with-annotation-selector=${kwokAnnotation}=fake`,
        `--server-address=${host}:${kwokPort}`],
      url: `http://${host}:${kwokPort}`, readyUrl: `http://${host}:${kwokPort}/healthz`, ports: [kwokPort],
    },
  ];
}

/**
 * Every controller on by default (ValidatingAdmissionPolicy status among them: it type-checks policies into
 * status.typeChecking, which the server itself does not). With TLS the CertificateSigningRequest controllers run with the cluster CA (--cluster-signing-*), and the API
 * servers' own signer and cleaner step aside for them; on plain HTTP there is no CA to sign with.
 */
const controllerList = (tls: boolean) => ['*',
  ...(tls ? [] : ['-certificatesigningrequest-approving-controller', '-certificatesigningrequest-cleaner-controller', '-certificatesigningrequest-signing-controller'])];

const kwokAnnotation = 'kwok.x-k8s.io/node';

/** A simulated node kwok keeps Ready and runs pods on; untainted, so ordinary workloads schedule onto it. */
export function kwokNode(name: string): Record<string, unknown> {
  const resources = { cpu: '32', memory: '256Gi', pods: '110' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name,
      annotations: { [kwokAnnotation]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': name, type: 'kwok' },
    },
    status: {
      allocatable: resources, capacity: resources,
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: `${kubeVersion}-kwok`, kubeProxyVersion: '' },
    },
  };
}

export function kwokNodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `kwok-node-${i + 1}`);
}

/** Registers `count` kwok nodes (kwok-node-1...) through the API; nodes already there stay. */
export async function registerKwokNodes(apiUrl: string, count: number, kubeconfigFile?: string): Promise<string[]> {
  const names = kwokNodeNames(count);
  for (const name of names) {
    const res = await clusterRequest(apiUrl, kubeconfigFile, 'POST', '/api/v1/nodes', JSON.stringify(kwokNode(name)));
    if (res.status >= 300 && res.status !== 409) throw new Error(`registering node ${name}: ${res.status} ${res.body}`);
  }
  return names;
}
