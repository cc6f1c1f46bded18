// One audited request (kube's AuditContext): what the policy decided for it, what it has seen so
// far (request body, response status and body, annotations), and one event per stage, built
// fresh each time so a backend may keep it. Only requests at Metadata or above get one.
import type { Exchange, ExchangeAudit } from '../http/exchange.js';
import type { RequestInfo } from '../http/request-info.js';
import { type AuditEvent, auditUser, microTime, nowMicros, type ObjectReference, type ResponseStatus, sourceIPs } from './event.js';
import { levelLess, type RequestAuditConfig, type Stage } from './policy.js';

export type EventSink = (event: AuditEvent) => void;

// kube's maxUserAgentLength and its suffix.
const maxUserAgentLength = 1024;

export class RequestAudit implements ExchangeAudit {
  private readonly sourceIPs: string[];
  private readonly received: string;
  private objectRef?: ObjectReference;
  private responseStatus?: ResponseStatus;
  private requestObject?: unknown;
  private responseObject?: unknown;
  private annotations?: Record<string, string>;
  private completed = false;
  private startedOnly = false;
  /** A 101: the request lasts until the upgraded connection closes. */
  private upgraded = false;
  private closed = false;

  constructor(
    private readonly ex: Exchange,
    private readonly config: RequestAuditConfig,
    private readonly sink: EventSink,
    private readonly longRunning: boolean,
  ) {
    this.sourceIPs = sourceIPs(ex.headers['x-forwarded-for'], ex.headers['x-real-ip'], ex.remoteAddress());
    this.objectRef = objectReference(ex.requestInfo!);
    this.received = microTime(ex.receivedAt);
  }

  requestBody(body: Buffer, contentType: string | undefined): void {
    if (!body.length) return;
    const obj = parseJSON(body, contentType);
    if (obj === undefined) return;
    // kube's LogRequestObject, at Metadata too: the decoded object names what the URL did not (a create's name).
    if (this.objectRef && this.ex.requestInfo!.verb !== 'patch') this.objectRef = withObjectMeta(this.objectRef, obj);
    if (levelLess(this.config.level, 'Request')) return;
    this.requestObject = this.config.omitManagedFields ? withoutManagedFields(obj) : obj;
  }

  responding(status: number, body: string | Buffer | undefined, contentType: string): void {
    if (this.completed) return;
    this.responseStatus = { metadata: {}, code: status };
    if (status === 101) this.upgraded = true;
    if (body !== undefined && (status >= 300 || startsAsStatus(body))) {
      // A Status answer (every failure, some deletes): kube keeps its bounded fields.
      const s = parseJSON(body, contentType) as Record<string, unknown> | undefined;
      if (s?.kind === 'Status') {
        this.responseStatus = { metadata: {}, status: s.status as string, message: s.message as string, reason: s.reason as string, details: s.details, code: (s.code as number) ?? status };
      }
    }
    if (body !== undefined && this.config.level === 'RequestResponse') {
      const obj = parseJSON(body, contentType);
      if (obj !== undefined) this.responseObject = this.config.omitManagedFields ? withoutManagedFields(obj) : obj;
    }
    if (this.longRunning || this.startedOnly) this.stage('ResponseStarted');
    if (this.startedOnly) this.completed = true;
    else if (body !== undefined) this.complete();
  }

  /**
   * Authentication failed (kube's WithFailedAuthenticationAudit): the 401 about to be sent is
   * recorded as ResponseStarted only, its Status replacing the attempted methods, as in kube.
   */
  failedAuthentication(attempted: string): void {
    this.responseStatus = { metadata: {}, message: attempted };
    this.startedOnly = true;
  }

  annotate(key: string, value: string): void {
    (this.annotations ??= {})[key] = value;
  }

  connectionClosed(): void {
    this.closed = true;
    this.finish();
  }

  /** The request is over (its handler returned): the last event, unless the response already carried it. */
  finish(): void {
    if (this.completed || (this.upgraded && !this.closed)) return;
    if (!this.responseStatus) {
      // Nothing was answered (the client went away): kube records a faked success.
      this.responseStatus = { metadata: {}, status: 'Success', message: 'Connection closed early', code: 200 };
      if (this.longRunning) this.stage('ResponseStarted');
    }
    this.complete();
  }

  /** The handler failed with something that is not an API error (kube's panic). */
  panic(e: unknown): void {
    if (this.completed) return;
    this.completed = true;
    this.responseStatus = { metadata: {}, status: 'Failure', message: `APIServer panic'd: ${(e as Error)?.message ?? e}`, reason: 'InternalError', code: 500 };
    this.stage('Panic');
  }

  private complete(): void {
    this.completed = true;
    this.stage('ResponseComplete');
  }

  stage(stage: Stage): void {
    if (this.config.omitStages.includes(stage)) return;
    const ex = this.ex;
    const impersonating = ex.user !== undefined && ex.authenticatedUser !== undefined && ex.user !== ex.authenticatedUser;
    const ua = ex.headers['user-agent'];
    const event: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: this.config.level,
      auditID: ex.auditID,
      stage,
      requestURI: ex.requestURI,
      verb: ex.requestInfo!.verb,
      user: auditUser(ex.authenticatedUser ?? ex.user),
      impersonatedUser: impersonating ? auditUser(ex.user) : undefined,
      sourceIPs: this.sourceIPs.length ? this.sourceIPs : undefined,
      userAgent: ua ? (ua.length > maxUserAgentLength ? `${ua.slice(0, maxUserAgentLength)}...TRUNCATED` : ua) : undefined,
      objectRef: this.objectRef,
      responseStatus: this.responseStatus,
      requestObject: this.requestObject,
      responseObject: this.responseObject,
      requestReceivedTimestamp: this.received,
      stageTimestamp: stage === 'RequestReceived' ? this.received : microTime(nowMicros()),
      annotations: this.annotations ? { ...this.annotations } : undefined,
    };
    this.sink(event);
  }
}

/** kube's objectRef: only for resource requests, only the parts the request names. */
function objectReference(info: RequestInfo): ObjectReference | undefined {
  if (!info.isResourceRequest) return undefined;
  const ref: ObjectReference = { resource: info.resource };
  if (info.namespace) ref.namespace = info.namespace;
  if (info.name) ref.name = info.name;
  if (info.apiGroup) ref.apiGroup = info.apiGroup;
  if (info.apiVersion) ref.apiVersion = info.apiVersion;
  if (info.subresource) ref.subresource = info.subresource;
  return ref;
}

function withObjectMeta(ref: ObjectReference, obj: unknown): ObjectReference {
  const meta = (obj as { metadata?: Record<string, unknown> } | null)?.metadata;
  if (typeof meta !== 'object' || meta === null) return ref;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  // Same field order as objectReference builds, so the JSON reads as kube's.
  const out: ObjectReference = { resource: ref.resource };
  const namespace = ref.namespace ?? str(meta.namespace);
  const name = ref.name ?? str(meta.name);
  const uid = str(meta.uid);
  const resourceVersion = str(meta.resourceVersion);
  if (namespace) out.namespace = namespace;
  if (name) out.name = name;
  if (uid) out.uid = uid;
  if (ref.apiGroup) out.apiGroup = ref.apiGroup;
  if (ref.apiVersion) out.apiVersion = ref.apiVersion;
  if (resourceVersion) out.resourceVersion = resourceVersion;
  if (ref.subresource) out.subresource = ref.subresource;
  return out;
}

function startsAsStatus(body: string | Buffer): boolean {
  const head = typeof body === 'string' ? body.slice(0, 32) : body.subarray(0, 32).toString();
  return head.startsWith('{"kind":"Status"');
}

/** The body as JSON when it is JSON (patches included); kube records other encodings re-encoded, which we leave out. */
function parseJSON(body: string | Buffer, contentType: string | undefined): unknown {
  if (contentType && !/json/i.test(contentType)) return undefined;
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** kube's copyWithoutManagedFields: the object's, and every list item's. */
function withoutManagedFields(obj: unknown): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return obj;
  const o = obj as { metadata?: Record<string, unknown>; items?: unknown[] };
  const strip = (m: Record<string, unknown> | undefined) => {
    if (!m || !('managedFields' in m)) return m;
    const { managedFields: _drop, ...rest } = m;
    return rest;
  };
  const out: Record<string, unknown> = { ...o, metadata: strip(o.metadata) };
  if (out.metadata === undefined) delete out.metadata;
  if (Array.isArray(o.items)) out.items = o.items.map((i) => (typeof i === 'object' && i !== null ? { ...(i as object), metadata: strip((i as { metadata?: Record<string, unknown> }).metadata) } : i));
  return out;
}
