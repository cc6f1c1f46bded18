// The admission chain, as kube's admission.Interface: an ordered list of plugins; every mutating
// plugin runs (in order) before any validating one. The generic store calls admit() before it
// persists a write's defaults and validation, and validate() right before the write.
import type { KubeObject } from '../api/object.js';
import type { UserInfo } from '../authentication/user.js';
import type { ResourceType } from '../registry/types.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** What a plugin is told about the request (kube's admission.Attributes). */
export interface AdmissionAttributes {
  operation: Operation;
  resource: ResourceType;
  subresource: string;
  namespace: string;
  name: string;
  /** The object being written (mutating plugins may change it). */
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  /** Who makes the request; unset for the server's own writes, which no plugin that asks the authorizer refuses. */
  user?: UserInfo;
  /** Warnings for the response's `Warning: 299` headers (webhooks add theirs). */
  warnings?: string[];
  /** Adds an annotation to the request's audit event (audited requests only). */
  annotate?: (key: string, value: string) => void;
  /** The field manager of a create or update (AdmissionReview's options.fieldManager). */
  fieldManager?: string;
}

export interface AdmissionPlugin {
  name: string;
  /** The operations this plugin looks at (kube's Handles). */
  handles(operation: Operation): boolean;
  /** Mutating admission: may change attrs.object, or refuse by throwing an ApiError. */
  admit?(attrs: AdmissionAttributes): Promise<void>;
  /** Validating admission: may only refuse, by throwing an ApiError. */
  validate?(attrs: AdmissionAttributes): Promise<void>;
}

export class AdmissionChain {
  constructor(readonly plugins: readonly AdmissionPlugin[]) {}

  async admit(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.admit && p.handles(attrs.operation)) await p.admit(attrs);
  }

  async validate(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.validate && p.handles(attrs.operation)) await p.validate(attrs);
  }
}
