// POST of the authorization.k8s.io/v1 reviews (kube's registry/authorization/*/rest.go): nothing is
// stored; the authorizer answers SubjectAccessReview, LocalSubjectAccessReview (a named user) and
// SelfSubjectAccessReview (the requester), and the rule resolver SelfSubjectRulesReview.
import { errors, field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { UserInfo } from '../../authentication/user.js';
import type { Attributes, AuthorizationServices } from '../../authorization/authorizer.js';
import { recordUpdate } from '../../fieldmanager/field-manager.js';
import { type HandlerContext, respondObject, writeOptions } from './context.js';
import { decodeObject } from './decode.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const group = 'authorization.k8s.io';

function services(ctx: HandlerContext): AuthorizationServices {
  if (!ctx.store.authorization) throw errors.notFoundPath();
  return ctx.store.authorization;
}

type Review = KubeObject & { spec?: Obj };

async function decodeReview(ctx: HandlerContext): Promise<Review> {
  const opts = writeOptions(ctx);
  const obj = await decodeObject(ctx, opts, ctx.rt) as Review;
  obj.metadata ??= {};
  obj.spec ??= {};
  // The namespace comes from the path, as kube's create handler sets it (a cluster-scoped review has none).
  if (ctx.rt.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== ctx.info.namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = ctx.info.namespace;
  } else delete obj.metadata.namespace;
  // The create handler records the requester's fields, as kube's does for any create.
  if (opts.fieldManager !== undefined) recordUpdate(ctx.rt, undefined, obj, opts.fieldManager);
  return obj;
}

/** ValidateSubjectAccessReviewSpec (and the self variant, which names no user). */
function validateSpec(spec: Obj, self: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes) errs.push(field.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) errs.push(field.invalid('spec.resourceAttributes', spec.nonResourceAttributes ?? null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  if (!self && !spec.user && !(spec.groups ?? []).length) errs.push(field.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  for (const kind of ['fieldSelector', 'labelSelector']) {
    const sel = spec.resourceAttributes?.[kind] as Obj | undefined;
    if (!sel) continue;
    const p = `spec.resourceAttributes.${kind}`;
    if (sel.rawSelector && (sel.requirements ?? []).length) errs.push(field.invalid(`${p}.rawSelector`, sel.rawSelector, 'may not specified at the same time as requirements'));
    if (!sel.rawSelector && !(sel.requirements ?? []).length) errs.push(field.required(`${p}.requirements`, `when ${p} is specified, requirements or rawSelector is required`));
  }
  return errs;
}

/** Metadata beyond managedFields (and, for the local review, the namespace) must be empty. */
function metadataErrors(obj: KubeObject, allowNamespace: boolean): FieldError[] {
  const { managedFields: _m, namespace: _ns, ...rest } = obj.metadata;
  const extra = Object.keys(rest).length > 0 || (!allowNamespace && obj.metadata.namespace);
  if (!extra) return [];
  return [field.invalid('metadata', obj.metadata, allowNamespace ? 'must be empty except for namespace' : 'must be empty')];
}

/** authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom. */
function attributesFrom(user: UserInfo, spec: Obj): Attributes {
  const r = spec.resourceAttributes as Obj | undefined;
  if (r) {
    return {
      user, verb: r.verb ?? '', isResourceRequest: true, path: '', namespace: r.namespace ?? '', apiGroup: r.group ?? '',
      apiVersion: r.version || '*', resource: r.resource ?? '', subresource: r.subresource ?? '', name: r.name ?? '',
    };
  }
  const n = (spec.nonResourceAttributes ?? {}) as Obj;
  return { user, verb: n.verb ?? '', isResourceRequest: false, path: n.path ?? '', namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
}

function answer(ctx: HandlerContext, obj: Review, user: UserInfo): void {
  const d = services(ctx).authorizer.authorize(attributesFrom(user, obj.spec!));
  const status: Obj = { allowed: d.decision === 'allow' };
  if (d.decision === 'deny') status.denied = true;
  if (d.reason) status.reason = d.reason;
  respondObject(ctx, 201, { ...obj, apiVersion: `${group}/v1`, kind: ctx.rt.kind, status });
}

/** kube validates the internal object, whose kind is empty: `.authorization.k8s.io "" is invalid`. */
const invalid = (errs: FieldError[]) => errors.invalid('', group, '', errs);

const userOf = (spec: Obj): UserInfo => ({ name: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra });

export async function createSubjectAccessReview(ctx: HandlerContext): Promise<void> {
  const obj = await decodeReview(ctx);
  const errs = [...validateSpec(obj.spec!, false), ...metadataErrors(obj, false)];
  if (errs.length) throw invalid(errs);
  answer(ctx, obj, userOf(obj.spec!));
}

export async function createLocalSubjectAccessReview(ctx: HandlerContext): Promise<void> {
  const obj = await decodeReview(ctx);
  const namespace = ctx.info.namespace;
  const errs = [...validateSpec(obj.spec!, false), ...metadataErrors(obj, true)];
  if (obj.spec!.resourceAttributes && (obj.spec!.resourceAttributes.namespace ?? '') !== (obj.metadata.namespace ?? '')) {
    errs.push(field.invalid('spec.resourceAttributes.namespace', obj.spec!.resourceAttributes.namespace ?? '', 'must match metadata.namespace'));
  }
  if (obj.spec!.nonResourceAttributes) errs.push(field.invalid('spec.nonResourceAttributes', obj.spec!.nonResourceAttributes, 'disallowed on this kind of request'));
  if (errs.length) throw invalid(errs);
  if (obj.spec!.resourceAttributes && obj.spec!.resourceAttributes.namespace !== namespace) {
    throw errors.badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
  }
  answer(ctx, obj, userOf(obj.spec!));
}

export async function createSelfSubjectAccessReview(ctx: HandlerContext): Promise<void> {
  const obj = await decodeReview(ctx);
  const errs = [...validateSpec(obj.spec!, true), ...metadataErrors(obj, false)];
  if (errs.length) throw invalid(errs);
  if (!ctx.ex.user) throw errors.badRequest('no user present on request');
  answer(ctx, obj, ctx.ex.user);
}

export async function createSelfSubjectRulesReview(ctx: HandlerContext): Promise<void> {
  const obj = await decodeReview(ctx);
  if (!ctx.ex.user) throw errors.badRequest('no user present on request');
  const namespace = obj.spec!.namespace as string | undefined;
  if (!namespace) throw errors.badRequest('no namespace on request');
  const r = services(ctx).ruleResolver.rulesFor(ctx.ex.user, namespace);
  const status: Obj = { resourceRules: r.resourceRules, nonResourceRules: r.nonResourceRules, incomplete: r.incomplete };
  if (r.evaluationError) status.evaluationError = r.evaluationError;
  // kube answers a fresh object: the spec is not echoed.
  respondObject(ctx, 201, { kind: ctx.rt.kind, apiVersion: `${group}/v1`, metadata: {}, spec: {}, status });
}
