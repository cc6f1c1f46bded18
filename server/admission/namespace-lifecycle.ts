// NamespaceLifecycle, the first admission plugin: no new content in a namespace that does not
// exist or is being terminated (kube's plugin/pkg/admission/namespace/lifecycle).
import { errors } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { Storage } from '../storage/interface.js';
import type { AdmissionAttributes, AdmissionPlugin } from './chain.js';

export class NamespaceLifecycle implements AdmissionPlugin {
  readonly name = 'NamespaceLifecycle';

  constructor(private readonly storage: Storage, private readonly types: TypeRegistry) {}

  handles(operation: string): boolean {
    return operation === 'CREATE';
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    const rt = attrs.resource;
    const namespace = attrs.object?.metadata.namespace;
    if (!rt.namespaced || !namespace) return;
    const ns = await this.namespace(namespace);
    if (!ns) throw errors.notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw errors.forbidden(`${rt.resource}${rt.group ? '.' + rt.group : ''} "${''}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        { kind: rt.resource, group: rt.group || undefined });
    }
  }

  /** As kube's plugin: the cache first, then a fresh read when the cache has not seen it (yet). */
  private async namespace(name: string): Promise<KubeObject | undefined> {
    const nsType = this.types.lookup('', 'v1', 'namespaces');
    if (!nsType) return { metadata: { name } } as KubeObject;
    const key = `${nsType.storagePrefix}/${name}`;
    const cached = this.storage.ready() ? (await this.storage.get(key, { resourceVersion: '0' })).value : null;
    const value = cached ?? (await this.storage.get(key, { forUpdate: true })).value;
    return value ? (JSON.parse(value.value.toString()) as KubeObject) : undefined;
  }
}
