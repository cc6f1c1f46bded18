// The type registry's vocabulary: what one served resource is, and the strategy that makes it differ.
import type { FieldError } from '../api/errors.js';
import type { AuthorizationServices } from '../authorization/authorizer.js';
import type { UserInfo } from '../authentication/user.js';
import type { KubeObject } from '../api/object.js';
import type { TableDefinition } from '../table/types.js';
import type { ControllerManagerPresence } from './controller-manager.js';
import type { TypeRegistry } from './registry.js';
import type { DeleteOptions, GenericStore } from './store.js';
import type { SubresourceStrategy } from './subresources/storage.js';

/** Everything a strategy hook may need about the request it runs in. */
export interface StrategyContext {
  /** The namespace from the path, '' for cluster-scoped. */
  namespace: string;
  /** Allocators and other shared state backed by etcd. */
  services: StrategyServices;
  dryRun: boolean;
  /** The store and the registry, for strategies that act on other objects (namespace deletion). */
  store: GenericStore;
  types: TypeRegistry;
  /** Whether the real kube-controller-manager runs: the duties the server does in its place step aside. */
  controllerManager: ControllerManagerPresence;
  /** Who makes the request (unset for the server's own writes). */
  user?: UserInfo;
  /** The instance's authorizer and rule resolver (the RBAC escalation check); unset in a store without security. */
  authorization?: AuthorizationServices;
}

/** Shared, etcd-backed facilities a strategy can use (ClusterIP and NodePort allocation). */
export interface StrategyServices {
  /** A dry run checks and picks without taking. `parent` is the Service the IPAddress object names. */
  allocateClusterIP(requested?: string, dryRun?: boolean, parent?: ClusterIPParent): Promise<string>;
  releaseClusterIP(ip: string): Promise<void>;
  allocateNodePort(requested?: number, dryRun?: boolean): Promise<number>;
  releaseNodePort(port: number): Promise<void>;
}

/** The Service a ClusterIP is allocated for. */
export interface ClusterIPParent { namespace: string; name: string }

/**
 * How one resource differs from the generic store. Every hook is optional; read it like
 * kube-apiserver's strategy.go checklist.
 */
export interface Strategy {
  /** Apply API defaults (Deployment replicas, Pod restartPolicy...). Runs on create and update. */
  defaults?(obj: KubeObject): void;
  /** Clear what a client may not set on create (status for types with a status subresource). */
  prepareForCreate?(obj: KubeObject): void;
  /** Carry over what a main-resource update may not change (status) from the old object. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Semantic rules the schema cannot express, on create and update (`old` set on update). Field paths are `spec.template.spec.containers[0].image`. */
  validate?(obj: KubeObject, old?: KubeObject): FieldError[];
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** Asynchronous work before a create is persisted (ClusterIP allocation...). */
  beforeCreate?(obj: KubeObject, ctx: StrategyContext): Promise<void>;
  beforeUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): Promise<void>;
  /**
   * After an update's write: committed, release what the old object held and the new one does not;
   * not committed (conflict, error), release what beforeUpdate took for the new one.
   */
  afterUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext, committed: boolean): Promise<void>;
  /** Runs before a delete is carried out: refuse it, or clean up what depends on the object. */
  beforeDelete?(obj: KubeObject, ctx: StrategyContext): Promise<void>;
  /**
   * Graceful deletion, kube's CheckGracefulDelete: keep the object, marked with a deletionTimestamp,
   * instead of removing it now (pods on a node, namespaces with content). Undefined removes it now.
   */
  checkGracefulDelete?(obj: KubeObject, options: DeleteOptions, ctx: StrategyContext): Promise<GracefulDeletion | undefined>;
  /**
   * An update of an object being deleted that leaves no finalizer deletes it; this may hold it back
   * (a namespace while spec.finalizers remain, kube's ShouldDeleteNamespaceDuringUpdate).
   */
  deleteDuringUpdate?(obj: KubeObject): boolean;
  /** Release what beforeCreate took, after a delete or a failed create. */
  afterDelete?(obj: KubeObject, ctx: StrategyContext): Promise<void>;
  /** Fields kube-apiserver lets a field selector use beyond metadata.name and metadata.namespace. */
  selectableFields?: Record<string, (obj: KubeObject) => string | undefined>;
  /** Columns for `kubectl get`. Without one, the default NAME/AGE table is served. */
  table?: TableDefinition;
  /** metadata.generation is kept (1 on create, +1 on every change outside metadata and status). */
  trackGeneration?: boolean;
  /** Status changes bump generation too (a custom resource without a status subresource, as kube counts it). */
  generationCountsStatus?: boolean;
  /** Top-level fields whose changes do not bump generation, besides metadata and status. */
  generationIgnores?: string[];
  /** Unconditional PUT that names no resourceVersion is allowed (true for almost every type). */
  allowUnconditionalUpdate?: boolean;
  /** PUT of a missing object creates it (endpoints, leases...). */
  allowCreateOnUpdate?: boolean;
  /**
   * What a DELETE that names no propagation does to dependents (kube's DefaultGarbageCollectionPolicy):
   * unset deletes them in the background; OrphanDependents for kinds kept for compatibility (core/v1
   * ReplicationController, batch/v1 Job); Unsupported where the garbage collector takes no part (events).
   */
  garbageCollectionPolicy?: 'OrphanDependents' | 'Unsupported';
  /**
   * This resource's own storage for a subresource, in place of the shared one of that name (kube's
   * per-resource StatusStrategy: a CSR's /status and /approval each keep what the other may change).
   */
  subresourceStrategies?: Record<string, SubresourceStrategy>;
}

/** How a graceful deletion marks the object it keeps. */
export interface GracefulDeletion {
  /** deletionGracePeriodSeconds; the deletionTimestamp is now plus this. */
  gracePeriodSeconds: number;
  /** Further changes to the marked object (a namespace's status.phase Terminating). */
  mark?(obj: KubeObject): void;
}

/** A version of a resource other than the one it is stored as, with its conversions. */
export interface VersionConversion {
  /** Stored object (storage version) to this version. */
  fromStorage(obj: KubeObject): KubeObject;
  /** This version to the stored shape. */
  toStorage(obj: KubeObject): KubeObject;
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Plural, lower case: `deployments`. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** Subresources served besides the main resource. */
  subresources?: { status?: boolean; scale?: ScaleSubresource; others?: SubresourceDef[] };
  /** etcd key prefix without trailing slash, kube-apiserver's: `/registry/services/specs`. */
  storagePrefix: string;
  /** The apiVersion objects are stored as; several served versions may share one store. */
  storageVersion: string;
  /** Present when this version differs from the storage version. */
  conversion?: VersionConversion;
  /** Name of the OpenAPI definition for this kind (`io.k8s.api.apps.v1.Deployment`). */
  definition: string;
  /**
   * A custom resource's OpenAPI v3 structural schema (the CRD version's openAPIV3Schema), set by whoever
   * builds the type at run time; server-side apply and strategic merge read a type's schema through
   * schemaFor (server/schema/navigate.ts): this when present, else the built-in `definition`.
   */
  schema?: Record<string, unknown>;
  strategy: Strategy;
  /** Kubernetes name rule for metadata.name (most are DNS subdomains). */
  nameRule?: 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment' | 'ip-address';
  /**
   * True when a resource has no storage of its own: only discovered, or served by handlers of its
   * own (bindings, componentstatuses; see server/endpoints/subresources.ts).
   */
  virtual?: boolean;
  /** A virtual resource kube's OpenAPI still documents (the review kinds: `kubectl create -f` validates against it). */
  inOpenAPI?: boolean;
  /** kube's storage for it has no TableConvertor (the review kinds): a request for a Table is 406 NotAcceptable. */
  noTable?: boolean;
  /** Served from a CustomResourceDefinition: objects without Go types, so no strategic merge patch (kube answers 415). */
  customResource?: boolean;
  /** A deprecated version: the Warning every request to it is answered with. */
  deprecationWarning?: string;
}

/** A subresource served by a handler of its own (pods/binding, pods/eviction, namespaces/finalize). */
export interface SubresourceDef {
  name: string;
  /** What its requests and responses are, as discovery names it (`policy/v1 Eviction`). */
  kind: { group: string; version: string; kind: string };
  verbs: string[];
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export const standardVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
