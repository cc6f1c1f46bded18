// Builds a ResourceType from the few facts that differ per resource; everything else has kube-apiserver's defaults.
import { type ResourceType, standardVerbs, type Strategy } from '../registry/types.js';

export interface ResourceFacts {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  subresources?: ResourceType['subresources'];
  /** etcd prefix after `/registry/`; defaults to the resource name. */
  storage?: string;
  /** The apiVersion this is stored as, when several versions share one store. */
  storageVersion?: string;
  conversion?: ResourceType['conversion'];
  /** OpenAPI definition name; defaults to io.k8s.api.<group>.<version>.<Kind>. */
  definition?: string;
  nameRule?: ResourceType['nameRule'];
  strategy?: Strategy;
}

const groupPackages: Record<string, string> = {
  '': 'core',
  'rbac.authorization.k8s.io': 'rbac',
  'networking.k8s.io': 'networking',
  'coordination.k8s.io': 'coordination',
  'discovery.k8s.io': 'discovery',
  'scheduling.k8s.io': 'scheduling',
  'storage.k8s.io': 'storage',
  'events.k8s.io': 'events',
  'admissionregistration.k8s.io': 'admissionregistration',
  'certificates.k8s.io': 'certificates',
  'node.k8s.io': 'node',
  'resource.k8s.io': 'resource',
  'flowcontrol.apiserver.k8s.io': 'flowcontrol',
};

/** The name kube-apiserver's OpenAPI uses for a built-in kind. */
export function definitionName(group: string, version: string, kind: string): string {
  if (group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}.${kind}`;
  if (group === 'apiregistration.k8s.io') return `io.k8s.kube-aggregator.pkg.apis.apiregistration.${version}.${kind}`;
  const pkg = groupPackages[group] ?? group.split('.')[0];
  return `io.k8s.api.${pkg}.${version}.${kind}`;
}

export function defineResource(f: ResourceFacts): ResourceType {
  const singular = f.kind.toLowerCase();
  return {
    group: f.group,
    version: f.version,
    kind: f.kind,
    listKind: `${f.kind}List`,
    resource: f.resource,
    singular,
    namespaced: f.namespaced,
    shortNames: f.shortNames,
    categories: f.categories,
    verbs: f.verbs ?? standardVerbs,
    subresources: f.subresources,
    storagePrefix: `/registry/${f.storage ?? f.resource}`,
    storageVersion: f.storageVersion ?? (f.group ? `${f.group}/${f.version}` : f.version),
    conversion: f.conversion,
    definition: f.definition ?? definitionName(f.group, f.version, f.kind),
    nameRule: f.nameRule,
    strategy: f.strategy ?? {},
  };
}
