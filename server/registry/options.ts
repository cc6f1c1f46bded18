// What a verb handler passes to the generic store: the write, list and delete options.
import type { UserInfo } from '../authentication/user.js';
import type { KubeObject } from '../api/object.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Warnings collected for `Warning: 299` headers. */
  warnings: string[];
  /**
   * The field manager a create, update or non-apply patch records in managedFields (an Update
   * operation); unset for writes that record none (the server's own, deletes, apply: it records its own).
   */
  fieldManager?: string;
  /** The subresource the manager's entry names when the store writes the parent (`scale`). */
  fieldManagerSubresource?: string;
  /** Who makes the request (the filters' user); unset for the server's own writes. */
  user?: UserInfo;
  /** Records an annotation on the request's audit event (admission webhooks); unset when not audited. */
  annotate?: (key: string, value: string) => void;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
  orphanDependents?: boolean;
}

export interface DeleteResult {
  /** The object as it is now: deleted, or still present and waiting on finalizers. */
  object: KubeObject;
  /** False when the object stays (finalizers, graceful deletion). */
  deleted: boolean;
}
