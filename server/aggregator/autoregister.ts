// kube's autoRegistrationController with its crdRegistrationController: a Local APIService for every
// built-in group/version (synced once at start, label automanaged=onstart) and for every served CRD
// version (kept continuously, automanaged=true, deleted when the version goes). Every instance runs it:
// creates that lose to another instance's are AlreadyExists, updates carry the resourceVersion they
// read, and every instance computes the same wanted set from the same etcd, so none of them fight.
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { PrefixFollower } from '../registry/follower.js';
import type { GenericStore, WriteOptions } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';
import { apiServiceName, builtinPriority, crdPriority, type APIServicePriority } from './priorities.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const autoRegisterManagedLabel = 'kube-aggregator.kubernetes.io/automanaged';
const manageOnStart = 'onstart';
const manageContinuously = 'true';
const debounceMs = 20;
const resyncMs = 10_000;
const writeOpts = (): WriteOptions => ({ dryRun: false, fieldValidation: 'Ignore', warnings: [], fieldManager: 'kube-apiserver' });

interface Wanted {
  name: string;
  group: string;
  version: string;
  priority: APIServicePriority;
  manage: string;
}

/** The built-in group/versions that get an APIService: those served here that kube has a priority for. */
export function builtinAPIServices(groupVersions: Array<{ group: string; version: string }>): Wanted[] {
  const out: Wanted[] = [];
  for (const { group, version } of groupVersions) {
    const priority = builtinPriority(group, version);
    if (priority) out.push({ name: apiServiceName(group, version), group, version, priority, manage: manageOnStart });
  }
  return out;
}

/** Every served version of every CRD, as crdregistration asks for it. */
export function crdAPIServices(crds: Iterable<KubeObject>): Wanted[] {
  const out = new Map<string, Wanted>();
  for (const crd of crds) {
    const spec = (crd.spec ?? {}) as Obj;
    for (const v of (spec.versions ?? []) as Obj[]) {
      if (!v.served) continue;
      const name = apiServiceName(spec.group, v.name);
      out.set(name, { name, group: spec.group, version: v.name, priority: crdPriority, manage: manageContinuously });
    }
  }
  return [...out.values()];
}

function desiredObject(w: Wanted): KubeObject {
  return {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
    metadata: { name: w.name, labels: { [autoRegisterManagedLabel]: w.manage } },
    spec: { group: w.group, version: w.version, groupPriorityMinimum: w.priority.group, versionPriority: w.priority.version },
  };
}

const specMatches = (cur: KubeObject, w: Wanted): boolean => {
  const s = (cur.spec ?? {}) as Obj;
  return !s.service && s.group === w.group && s.version === w.version && s.groupPriorityMinimum === w.priority.group
    && s.versionPriority === w.priority.version && !s.caBundle && !s.insecureSkipTLSVerify;
};

export class AutoRegistration {
  private readonly apiServicesFollower: PrefixFollower;
  private readonly crdFollower: PrefixFollower;
  /** APIServices that existed when this instance started (kube's apiServicesAtStart). */
  private atStart?: Set<string>;
  /** onstart APIServices this instance has synced once. */
  private readonly syncedOnce = new Set<string>();
  private timer?: NodeJS.Timeout;
  private resync?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private firstPass?: () => void;
  readonly done: Promise<void>;

  constructor(private readonly store: GenericStore, private readonly apiservices: ResourceType, crds: ResourceType, private readonly builtins: Wanted[]) {
    this.apiServicesFollower = new PrefixFollower(store, apiservices, { changed: () => this.schedule() });
    this.crdFollower = new PrefixFollower(store, crds, { changed: () => this.schedule() });
    this.done = new Promise((r) => (this.firstPass = r));
  }

  async start(): Promise<void> {
    this.resync = setInterval(() => this.schedule(), resyncMs);
    this.resync.unref();
    await Promise.all([this.apiServicesFollower.start(), this.crdFollower.start()]);
    this.atStart = new Set([...this.apiServicesFollower.values()].map((o) => o.metadata.name!));
    this.schedule();
  }

  stop(): void {
    this.apiServicesFollower.stop();
    this.crdFollower.stop();
    clearInterval(this.resync);
    clearTimeout(this.timer);
    this.firstPass?.();
  }

  private schedule(): void {
    if (this.timer || !this.atStart) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pass();
    }, debounceMs);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      const wanted = new Map<string, Wanted>();
      for (const w of this.builtins) wanted.set(w.name, w);
      for (const w of crdAPIServices(this.crdFollower.values())) if (!wanted.has(w.name)) wanted.set(w.name, w);
      const names = new Set([...wanted.keys(), ...[...this.apiServicesFollower.values()].map((o) => o.metadata.name!)]);
      for (const name of names) {
        try {
          await this.check(name, wanted.get(name));
        } catch (e) {
          // Another instance was first: its write's event brings a new pass.
          if (!(e instanceof ApiError && ['Conflict', 'NotFound', 'AlreadyExists'].includes(e.reason))) throw e;
        }
      }
    } catch {
      // etcd away or stopping: the resync tries again
    } finally {
      this.running = false;
      // Start-up waits for one pass, not for its success: a failing write must not hold up readiness forever.
      this.firstPass?.();
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }

  /** kube's checkAPIService table: create, leave, delete or update one APIService. */
  private async check(name: string, desired: Wanted | undefined): Promise<void> {
    const cur = this.apiServicesFollower.get(`/${name}`);
    const hasSynced = this.syncedOnce.has(name);
    if (!cur && !desired) return;
    if (desired?.manage === manageOnStart && hasSynced) return;
    if (!cur) {
      await this.store.create(this.apiservices, '', desiredObject(desired!), writeOpts());
      this.syncedOnce.add(name);
      return;
    }
    const managed = cur.metadata.labels?.[autoRegisterManagedLabel];
    if (managed !== manageOnStart && managed !== manageContinuously) return;
    if (managed === manageOnStart && (!this.atStart!.has(name) || hasSynced)) return;
    if (!desired) {
      await this.store.delete(this.apiservices, '', name, { preconditions: { uid: cur.metadata.uid } }, writeOpts());
      this.syncedOnce.add(name);
      return;
    }
    if (!specMatches(cur, desired)) {
      const spec = { ...(cur.spec as Obj) };
      for (const k of ['service', 'caBundle', 'insecureSkipTLSVerify']) delete spec[k];
      Object.assign(spec, desiredObject(desired).spec);
      await this.store.update(this.apiservices, '', name, { ...cur, spec }, writeOpts());
    }
    this.syncedOnce.add(name);
  }
}
