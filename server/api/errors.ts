// One error type for the whole API: every failure becomes a meta/v1 Status on the wire.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export type StatusReason =
  | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'MethodNotAllowed'
  | 'NotAcceptable' | 'UnsupportedMediaType' | 'RequestEntityTooLarge' | 'Gone' | 'Expired'
  | 'InternalError' | 'ServiceUnavailable' | 'Timeout' | 'Forbidden' | 'Unauthorized'
  | 'TooManyRequests' | '';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    /** ListMeta carried on the Status (a fresh continue token on an expired one). */
    readonly statusMetadata?: Record<string, unknown>,
  ) {
    super(message);
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status', apiVersion: 'v1', metadata: this.statusMetadata ?? {}, status: 'Failure',
      message: this.message, reason: this.reason || undefined, code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** A group-qualified resource as kube-apiserver prints it: `deployments.apps`, `pods`. */
export interface GroupResource { group: string; resource: string }

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function detailsFor(gr: GroupResource, name: string): StatusDetails {
  const d: StatusDetails = { name, kind: gr.resource };
  if (gr.group) d.group = gr.group;
  return d;
}

export const errors = {
  notFound: (gr: GroupResource, name: string) =>
    new ApiError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, detailsFor(gr, name)),

  alreadyExists: (gr: GroupResource, name: string) =>
    new ApiError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, detailsFor(gr, name)),

  conflict: (gr: GroupResource, name: string, why: string) =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
      detailsFor(gr, name)),

  /** `kind` is the Kind (Deployment), `group` its API group; causes name each bad field. */
  invalid: (kind: string, group: string, name: string, causes: FieldError[]) => {
    const parts = causes.map((c) => (c.field ? `${c.field}: ${c.detailMessage()}` : c.detailMessage()));
    const what = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    // Empty name and kind are left out, as kube's StatusDetails omits them (a review has neither).
    const details: StatusDetails = { ...(name ? { name } : {}), ...(kind ? { kind } : {}), causes: causes.map((c) => c.toCause()) };
    if (group) details.group = group;
    return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${what}`, details);
  },

  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  /** 422 without field causes: a patch that cannot be applied. */
  unprocessable: (message: string) => new ApiError(422, 'Invalid', message),
  forbidden: (message: string, details?: StatusDetails) => new ApiError(403, 'Forbidden', message, details),
  /** apierrors.NewForbidden: `<resource.group> "<name>" is forbidden: <why>`, or `forbidden: <why>` without a resource. */
  forbiddenResource: (group: string, resource: string, name: string, why: string) => {
    if (!resource) return new ApiError(403, 'Forbidden', `forbidden: ${why}`, {});
    const gr = group ? `${resource}.${group}` : resource;
    const details: StatusDetails = { kind: resource };
    if (group) details.group = group;
    if (name) details.name = name;
    return new ApiError(403, 'Forbidden', name ? `${gr} "${name}" is forbidden: ${why}` : `${gr} is forbidden: ${why}`, details);
  },
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  methodNotAllowed: () =>
    new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
  notAcceptable: (accepted: string[]) =>
    new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`),
  unsupportedMediaType: (contentType: string, accepted: string[]) =>
    new ApiError(415, 'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
      { causes: [{ reason: 'UnsupportedMediaType', message: contentType }] }),
  tooLarge: (limit: number) =>
    new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`),
  gone: (message: string) => new ApiError(410, 'Gone', message),
  expired: (message: string) => new ApiError(410, 'Expired', message),
  internal: (message: string) =>
    new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }),
  unavailable: (message: string) =>
    new ApiError(503, 'ServiceUnavailable', message, { retryAfterSeconds: 1 }),
  timeout: (message: string) => new ApiError(504, 'Timeout', message),
  /** A resourceVersion newer than this server has seen; client-go's reflector then relists without one. */
  tooLargeResourceVersion: (requested: number, current: number) => new ApiError(504, 'Timeout', `Too large resource version: ${requested}, current: ${current}`,
    { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 }),
  notFoundPath: () => new ApiError(404, 'NotFound', 'the server could not find the requested resource'),
};

/** A field-level validation failure, kube-apiserver's field.Error. */
export type FieldErrorType =
  | 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate'
  | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueTypeInvalid' | 'FieldValueNotFound';

export class FieldError {
  constructor(
    readonly type: FieldErrorType,
    readonly field: string,
    readonly value: unknown,
    readonly detail: string,
  ) {}

  /** The message as kube-apiserver's field.Error.ErrorBody renders it. */
  detailMessage(): string {
    switch (this.type) {
      case 'FieldValueRequired': return this.detail ? `Required value: ${this.detail}` : 'Required value';
      case 'FieldValueForbidden': return this.detail ? `Forbidden: ${this.detail}` : 'Forbidden';
      case 'FieldValueTooLong': return `Too long: ${this.detail}`;
      case 'FieldValueTooMany': return `Too many: ${this.detail}`;
      case 'FieldValueDuplicate': return `Duplicate value: ${renderValue(this.value)}`;
      case 'FieldValueNotSupported': return `Unsupported value: ${renderValue(this.value)}${this.detail ? `: ${this.detail}` : ''}`;
      case 'FieldValueNotFound': return `Not found: ${renderValue(this.value)}`;
      case 'FieldValueTypeInvalid': return `Invalid value: ${renderValue(this.value)}: ${this.detail}`;
      default: return `Invalid value: ${renderValue(this.value)}${this.detail ? `: ${this.detail}` : ''}`;
    }
  }

  toCause(): StatusCause {
    return { reason: this.type, message: this.detailMessage(), field: this.field };
  }
}

function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export const field = {
  required: (path: string, detail = '') => new FieldError('FieldValueRequired', path, undefined, detail),
  invalid: (path: string, value: unknown, detail: string) => new FieldError('FieldValueInvalid', path, value, detail),
  notSupported: (path: string, value: unknown, valid: string[]) =>
    new FieldError('FieldValueNotSupported', path, value, valid.length ? `supported values: ${valid.map((v) => `"${v}"`).join(', ')}` : ''),
  duplicate: (path: string, value: unknown) => new FieldError('FieldValueDuplicate', path, value, ''),
  forbidden: (path: string, detail: string) => new FieldError('FieldValueForbidden', path, undefined, detail),
  tooLong: (path: string, value: unknown, max: number) =>
    new FieldError('FieldValueTooLong', path, value, `may not be more than ${max} bytes`),
  notFound: (path: string, value: unknown) => new FieldError('FieldValueNotFound', path, value, ''),
  typeInvalid: (path: string, value: unknown, detail: string) => new FieldError('FieldValueTypeInvalid', path, value, detail),
};

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
