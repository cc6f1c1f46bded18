// The auditor the audit filter records through: the policy's decision for a request, and the
// backends every event goes to (log and webhook, either or both).
import type { Attributes } from '../authorization/authorizer.js';
import type { AuditEvent } from './event.js';
import type { RequestAuditConfig } from './policy.js';

export interface Auditor {
  /** False without a policy file or a backend: the filter then does nothing at all (kube's default). */
  readonly enabled: boolean;
  evaluate(attrs: Attributes): RequestAuditConfig;
  /** Hands one event to every backend; the blocking log backend has written it when this returns. */
  process(event: AuditEvent): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
