// Two kube-controller-manager controllers the server runs itself while no real controller manager
// does: the serviceaccount controller (a `default` ServiceAccount in every namespace) and the
// root-ca-cert-publisher (a `kube-root-ca.crt` ConfigMap with the cluster CA in every namespace),
// both of which every pod's kube-api-access volume needs. Every instance may run it: creates that
// find the object there, and updates that lose a conflict, mean another writer was first.
import { readFileSync } from 'node:fs';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { PrefixFollower } from '../../registry/follower.js';
import type { GenericStore, WriteOptions } from '../../registry/store.js';
import type { ResourceType } from '../../registry/types.js';
import type { PostStartContext } from '../post-start.js';

export const rootCAConfigMapName = 'kube-root-ca.crt';
const descriptionAnnotation = 'kubernetes.io/description';
const description = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. '
  + 'No other usage is guaranteed across distributions of Kubernetes clusters.';
const debounceMs = 20;
/** A full pass also runs this often: a deleted ServiceAccount or ConfigMap comes back, as kube's controllers watch them. */
const resyncMs = 5000;
const systemWrite = (): WriteOptions => ({ dryRun: false, fieldValidation: 'Ignore', warnings: [] });

export class NamespaceDefaultsController {
  private readonly follower: PrefixFollower;
  private readonly dirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private resync?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly store: GenericStore,
    private readonly types: { namespaces: ResourceType; serviceaccounts: ResourceType; configmaps: ResourceType },
    /** The PEM bundle kube-root-ca.crt publishes; unset: no ConfigMap (no CA to publish). */
    private readonly rootCA: string | undefined,
  ) {
    this.follower = new PrefixFollower(store, types.namespaces, { changed: (_key, obj) => obj && this.schedule([obj.metadata.name!]) });
  }

  async start(): Promise<void> {
    this.resync = setInterval(() => this.schedule([...this.follower.values()].map((ns) => ns.metadata.name!)), resyncMs);
    this.resync.unref();
    await this.follower.start();
    this.schedule([...this.follower.values()].map((ns) => ns.metadata.name!));
  }

  stop(): void {
    this.follower.stop();
    clearInterval(this.resync);
    clearTimeout(this.timer);
  }

  private schedule(namespaces: string[]): void {
    for (const ns of namespaces) this.dirty.add(ns);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pass();
    }, debounceMs);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    if (this.running) return; // the running pass reschedules what is dirty when it ends
    this.running = true;
    const names = [...this.dirty];
    this.dirty.clear();
    try {
      if (await this.store.controllerManager.active()) return; // its own controllers do this
      for (const name of names) {
        const ns = this.follower.get(`/${name}`); // the follower's namespace/name key of a cluster-scoped object
        if (!ns || ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') continue;
        await this.ensureServiceAccount(name);
        if (this.rootCA !== undefined) await this.ensureRootCA(name);
      }
    } catch {
      // etcd away or stopping: the resync tries again.
    } finally {
      this.running = false;
      if (this.dirty.size) this.schedule([]);
    }
  }

  private async current(rt: ResourceType, namespace: string, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.store.get(rt, namespace, name, '0');
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  private async ensureServiceAccount(namespace: string): Promise<void> {
    if (await this.current(this.types.serviceaccounts, namespace, 'default')) return;
    await ignoreRaces(this.store.create(this.types.serviceaccounts, namespace,
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } }, systemWrite()));
  }

  private async ensureRootCA(namespace: string): Promise<void> {
    const data = { 'ca.crt': this.rootCA! };
    const cm = await this.current(this.types.configmaps, namespace, rootCAConfigMapName);
    if (!cm) {
      await ignoreRaces(this.store.create(this.types.configmaps, namespace, {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: rootCAConfigMapName, namespace, annotations: { [descriptionAnnotation]: description } }, data,
      }, systemWrite()));
      return;
    }
    if (JSON.stringify(cm.data ?? {}) === JSON.stringify(data) && cm.metadata.annotations?.[descriptionAnnotation]) return;
    const updated = { ...cm, data, metadata: { ...cm.metadata, annotations: { ...cm.metadata.annotations, [descriptionAnnotation]: description } } };
    await ignoreRaces(this.store.update(this.types.configmaps, namespace, rootCAConfigMapName, updated, systemWrite()));
  }
}

/** Another instance or the controller manager was first, or the namespace is going: nothing to do. */
async function ignoreRaces(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (e) {
    if (!(e instanceof ApiError && (e.code === 409 || e.code === 404 || e.code === 403))) throw e;
  }
}

const running = new WeakMap<GenericStore, NamespaceDefaultsController>();

export async function startNamespaceDefaults(ctx: PostStartContext): Promise<void> {
  const namespaces = ctx.types.lookup('', 'v1', 'namespaces');
  const serviceaccounts = ctx.types.lookup('', 'v1', 'serviceaccounts');
  const configmaps = ctx.types.lookup('', 'v1', 'configmaps');
  if (!namespaces || !serviceaccounts || !configmaps || running.has(ctx.store)) return;
  // kube's root CA: --root-ca-file of the controller manager, the cluster CA; ours is the --client-ca-file bundle.
  const caFile = ctx.config.security.clientCAFile;
  const controller = new NamespaceDefaultsController(ctx.store, { namespaces, serviceaccounts, configmaps }, caFile ? readFileSync(caFile, 'utf8') : undefined);
  running.set(ctx.store, controller);
  await controller.start();
}

export function stopNamespaceDefaults(store: GenericStore): void {
  running.get(store)?.stop();
  running.delete(store);
}
