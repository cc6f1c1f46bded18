// POST tokenreviews (authentication.k8s.io/v1 TokenReview): runs a token through the token
// authenticators and answers who it is (kube's tokenreview REST). Nothing is stored.
import { ApiError, errors } from '../../api/errors.js';
import type { SchemaTarget } from '../../schema/validate.js';
import { type HandlerContext, respondObject, writeOptions } from './context.js';
import { decodeObject } from './decode.js';

const tokenReviewTarget: SchemaTarget = { kind: 'TokenReview', version: 'v1', definition: 'io.k8s.api.authentication.v1.TokenReview' };

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export async function createTokenReview(ctx: HandlerContext): Promise<void> {
  const opts = writeOptions(ctx);
  const review = (await decodeObject(ctx, opts, tokenReviewTarget)) as Obj;
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
    const u = result.user;
    status.user = { username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}) };
    if (result.audiences?.length) status.audiences = result.audiences;
  }
  review.apiVersion = 'authentication.k8s.io/v1';
  review.kind = 'TokenReview';
  review.metadata ??= {};
  review.metadata.creationTimestamp ??= null;
  // kube answers with the fields in its struct order: authenticated, user, audiences, error.
  review.status = Object.fromEntries(['authenticated', 'user', 'audiences', 'error'].filter((k) => k in status).map((k) => [k, status[k]]));
  respondObject(ctx, 201, review, undefined);
}
