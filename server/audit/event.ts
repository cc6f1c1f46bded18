// The audit.k8s.io/v1 Event, field for field and in the order kube serializes it, and the small
// pieces it is made of: microsecond timestamps and the source IP chain.
import { isIP } from 'node:net';
import { type APIUserInfo, apiUserInfo, type UserInfo } from '../authentication/user.js';
import type { Level, Stage } from './policy.js';

/** The event's user: authentication.k8s.io/v1 UserInfo. */
export type AuditUser = APIUserInfo;

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** The bounded part of a response's Status kube keeps (audit's responseStatus). */
export interface ResponseStatus {
  metadata: Record<string, never>;
  status?: string;
  message?: string;
  reason?: string;
  details?: unknown;
  code?: number;
}

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: Level;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: AuditUser;
  impersonatedUser?: AuditUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: ResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

export function eventList(items: AuditEvent[]): { kind: 'EventList'; apiVersion: 'audit.k8s.io/v1'; metadata: Record<string, never>; items: AuditEvent[] } {
  return { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items };
}

/** kube writes an empty extra map, which its JSON then leaves out: only non-empty fields appear. */
export function auditUser(u: UserInfo | undefined): AuditUser {
  // No user (failed authentication): kube's empty UserInfo, whose fields are all left out.
  if (!u) return {};
  return apiUserInfo(u);
}

/** Now, in milliseconds with a fraction: enough for a microsecond timestamp. */
export function nowMicros(): number {
  return performance.timeOrigin + performance.now();
}

/** metav1.MicroTime's JSON: RFC 3339 with six fraction digits, UTC. */
export function microTime(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.floor((ms - whole) * 1000);
  // toISOString is YYYY-MM-DDTHH:MM:SS.mmmZ: keep the milliseconds, add the microseconds.
  return `${new Date(whole).toISOString().slice(0, 23)}${micros < 10 ? '00' : micros < 100 ? '0' : ''}${micros}Z`;
}

/** kube's utilnet.SourceIPs: the X-Forwarded-For chain, X-Real-Ip when new, then the peer unless it ends the chain already. */
export function sourceIPs(forwardedFor: string | undefined, realIP: string | undefined, remote: string): string[] {
  const ips: string[] = [];
  for (const part of (forwardedFor ?? '').split(',')) {
    const ip = normalizeIP(part.trim());
    if (ip) ips.push(ip);
  }
  const real = normalizeIP((realIP ?? '').trim());
  if (real && !ips.includes(real)) ips.push(real);
  const peer = normalizeIP(remote);
  if (peer && ips[ips.length - 1] !== peer) ips.push(peer);
  return ips;
}

/** Go prints an IPv4-mapped IPv6 address as IPv4. */
function normalizeIP(s: string): string | undefined {
  if (!s || !isIP(s)) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  return mapped ? mapped[1] : s;
}
