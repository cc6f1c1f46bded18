// The built-in signers, as kube-controller-manager's csrsigning controller, run by the server itself
// (every instance): an Approved, not Failed, not yet issued request for one of kube's four signer
// names is checked against that signer's rules and either signed with --cluster-signing-cert-file/
// --cluster-signing-key-file or marked Failed. Writes go through /status with the resourceVersion
// read, so when several instances race, one wins and the others' conflicts are dropped. While a real
// kube-controller-manager runs, it signs instead.
import { readFileSync } from 'node:fs';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { WriteOptions } from '../registry/options.js';
import type { GenericStore } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';
import type { Watch } from '../storage/interface.js';
import { legacyUnknownSignerName } from './validation.js';
import { kubeAPIServerClientSignerName } from './admission.js';
import { bytesOf, type ParsedRequest, parseRequest } from './request.js';
import { loadCA, type SigningCA, signRequest } from './sign.js';
import { logger } from '../logging/logger.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const kubeletServingSignerName = 'kubernetes.io/kubelet-serving';
export const kubeletClientSignerName = 'kubernetes.io/kube-apiserver-client-kubelet';

const sameSet = (a: string[], b: string[]) => new Set(a).size === new Set(b).size && b.every((u) => a.includes(u));
const usagesDidNotMatch = (required: string[]) => `usages did not match [${[...required].sort().join(' ')}]`;

/** kube's ValidateKubeletServingCSR. */
function kubeletServing(req: ParsedRequest, usages: string[]): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (!req.dnsNames.length && !req.ipAddresses.length) return 'DNS or IP subjectAltName is required';
  if (req.emailAddresses.length) return 'Email subjectAltNames are not allowed';
  if (req.uris.length) return 'URI subjectAltNames are not allowed';
  const required = ['digital signature', 'key encipherment', 'server auth'];
  if (!sameSet(usages, required) && !sameSet(usages, ['digital signature', 'server auth'])) return usagesDidNotMatch(required);
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  return undefined;
}

/** kube's ValidateKubeletClientCSR. */
function kubeletClient(req: ParsedRequest, usages: string[]): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (req.dnsNames.length) return 'DNS subjectAltNames are not allowed';
  if (req.emailAddresses.length) return 'Email subjectAltNames are not allowed';
  if (req.ipAddresses.length) return 'IP subjectAltNames are not allowed';
  if (req.uris.length) return 'URI subjectAltNames are not allowed';
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  const required = ['digital signature', 'key encipherment', 'client auth'];
  if (!sameSet(usages, required) && !sameSet(usages, ['digital signature', 'client auth'])) return usagesDidNotMatch(required);
  return undefined;
}

/** kube's validAPIServerClientUsages. */
function apiServerClient(_req: ParsedRequest, usages: string[]): string | undefined {
  for (const u of usages) {
    if (u !== 'digital signature' && u !== 'key encipherment' && u !== 'client auth') return `invalid usage for client certificate: ${u}`;
  }
  return usages.includes('client auth') ? undefined : 'missing required usage for client certificate: client auth';
}

/** Each built-in signer's rules: the reason a request is refused, or undefined. */
export const signerRules: Record<string, (req: ParsedRequest, usages: string[]) => string | undefined> = {
  [kubeletServingSignerName]: kubeletServing,
  [kubeletClientSignerName]: kubeletClient,
  [kubeAPIServerClientSignerName]: apiServerClient,
  [legacyUnknownSignerName]: () => undefined,
};

const minDurationSeconds = 600;

/** kube's signer.duration: the requested expirationSeconds within [10 minutes, --cluster-signing-duration]. */
export function signingDurationSeconds(expirationSeconds: number | undefined, maxSeconds: number): number {
  if (expirationSeconds === undefined) return maxSeconds;
  return Math.max(minDurationSeconds, Math.min(expirationSeconds, maxSeconds));
}

const hasTrue = (csr: KubeObject, type: string) => ((csr.status as Obj | undefined)?.conditions ?? []).some((c: Obj) => c.type === type && c.status === 'True');

/** What the signer does with one request now: nothing, fail it with a message, or sign it. */
export function decide(csr: KubeObject): { action: 'skip' } | { action: 'fail'; message: string } | { action: 'sign'; req: ParsedRequest } {
  const spec = (csr.spec ?? {}) as Obj;
  const rules = signerRules[spec.signerName as string];
  if (!rules || !hasTrue(csr, 'Approved') || hasTrue(csr, 'Failed') || (csr.status as Obj | undefined)?.certificate) return { action: 'skip' };
  const req = parseRequest(bytesOf(spec.request));
  const refused = rules(req, (spec.usages ?? []) as string[]);
  return refused ? { action: 'fail', message: refused } : { action: 'sign', req };
}

const systemWrite = (): WriteOptions => ({ dryRun: false, fieldValidation: 'Ignore', warnings: [], fieldManager: 'kube-controller-manager' });
const resyncMs = 10_000;

export class CertificateSigner {
  private watch?: Watch;
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(private readonly store: GenericStore, private readonly rt: ResourceType, private readonly ca: SigningCA,
    private readonly maxDurationSeconds: number) {}

  /** From the flags; undefined without both signing files (kube's signers then do not run). */
  static fromFlags(store: GenericStore, rt: ResourceType, certFile?: string, keyFile?: string, maxDurationSeconds = 365 * 24 * 3600): CertificateSigner | undefined {
    if (!certFile || !keyFile) return undefined;
    return new CertificateSigner(store, rt, loadCA(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8')), maxDurationSeconds);
  }

  /** Every change to a CSR kicks a pass; a periodic pass catches what a lost watch missed. */
  async start(): Promise<void> {
    this.timer = setInterval(() => { void this.ensureWatch(); this.kick(); }, resyncMs);
    this.timer.unref();
    await this.ensureWatch();
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.watch?.stop();
    this.watch = undefined;
  }

  private async ensureWatch(): Promise<void> {
    if (this.watch || this.stopped) return;
    try {
      const w = await this.store.storage.watch(`${this.rt.storagePrefix}/`, { resourceVersion: '0', sendInitialEvents: false }, {
        event: () => this.kick(),
        initialEventsEnd: () => undefined,
        error: () => undefined,
        close: () => { if (this.watch === w) this.watch = undefined; },
      });
      if (this.stopped) w.stop();
      else this.watch = w;
    } catch {
      // storage not ready: the next resync tries again
    }
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    this.running = true;
    void this.pass().finally(() => {
      this.running = false;
      if (this.again) { this.again = false; this.kick(); }
    });
  }

  /** One pass over the requests in the cache. */
  private async pass(): Promise<void> {
    let items: KubeObject[];
    try {
      if (await this.store.controllerManager.active()) return; // its csrsigning controller signs
      items = (await this.store.list(this.rt, '', { resourceVersion: '0' })).items;
    } catch {
      return;
    }
    for (const csr of items) {
      if (this.stopped) return;
      await this.handle(csr).catch((e) => {
        if (e instanceof ApiError && (e.code === 409 || e.code === 404)) return; // another instance did it, or it is gone
        logger.error(`certificate signer: ${csr.metadata.name}: ${(e as Error).message}`);
      });
    }
  }

  async handle(csr: KubeObject): Promise<void> {
    let decision: ReturnType<typeof decide>;
    try {
      decision = decide(csr);
    } catch (e) {
      throw new Error(`unable to parse csr "${csr.metadata.name}": ${(e as Error).message}`);
    }
    if (decision.action === 'skip') return;
    const next = structuredClone(csr);
    const status = (next.status ??= {}) as Obj;
    if (decision.action === 'fail') {
      status.conditions = [...(status.conditions ?? []), {
        type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: decision.message, lastUpdateTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      }];
    } else {
      const spec = (csr.spec ?? {}) as Obj;
      const seconds = signingDurationSeconds(spec.expirationSeconds as number | undefined, this.maxDurationSeconds);
      const pem = signRequest(this.ca, decision.req, (spec.usages ?? []) as string[], seconds * 1000);
      status.certificate = Buffer.from(pem).toString('base64');
    }
    // resourceVersion as read: a conflict means someone (another instance) changed it first.
    await this.store.update(this.rt, '', csr.metadata.name!, next, systemWrite(), 'status');
  }
}
