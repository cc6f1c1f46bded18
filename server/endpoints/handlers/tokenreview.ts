// POST tokenreviews (authentication.k8s.io/v1 TokenReview): runs a token through the token
// authenticators and answers who it is (kube's tokenreview REST). Nothing is stored.
import { ApiError, errors } from '../../api/errors.js';
import { apiUserInfo } from '../../authentication/user.js';
import { recordUpdate } from '../../fieldmanager/field-manager.js';
import type { SchemaTarget } from '../../schema/validate.js';
import { type HandlerContext, respondObject, writeOptions } from './context.js';
import { decodeObject } from './decode.js';

const tokenReviewTarget: SchemaTarget = { kind: 'TokenReview', version: 'v1', definition: 'io.k8s.api.authentication.v1.TokenReview' };

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export async function createTokenReview(ctx: HandlerContext): Promise<void> {
  const opts = writeOptions(ctx);
  const decoded = await decodeObject(ctx, opts, tokenReviewTarget);
  const review = decoded as Obj;
  recordUpdate({ ...tokenReviewTarget, group: 'authentication.k8s.io' }, undefined, decoded, opts.fieldManager!);
  const spec = (review.spec ??= {}) as Obj;
  if (!spec.token) throw errors.badRequest('token is required for TokenReview in authentication');
  const requested: string[] = spec.audiences?.length ? spec.audiences : [];
  const auds = requested.length ? requested : ctx.security?.serviceAccounts.apiAudiences ?? [];
  const status: Obj = { user: {} };
  let result;
  try {
    result = await ctx.security?.reviewToken(spec.token, auds.length ? auds : undefined);
    if (!result) status.error = 'invalid bearer token';
  } catch (e) {
    if (e instanceof ApiError) throw e;
    status.error = (e as Error).message;
  }
  if (result) {
    if (auds.length && !auds.some((a) => result.audiences?.includes(a))) throw errors.internal('error validating audiences');
    status.authenticated = true;
    status.user = apiUserInfo(result.user);
    if (result.audiences?.length) status.audiences = result.audiences;
  }
  // kube answers with the fields in its struct order (status: authenticated, user, audiences, error).
  const out = {
    kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: review.metadata ?? {},
    spec: { token: spec.token, ...(spec.audiences?.length ? { audiences: spec.audiences } : {}) },
    status: Object.fromEntries(['authenticated', 'user', 'audiences', 'error'].filter((k) => k in status).map((k) => [k, status[k]])),
  };
  respondObject(ctx, 201, out, undefined);
}
