// POST selfsubjectreviews (authentication.k8s.io/v1 SelfSubjectReview): the request's own user,
// what `kubectl auth whoami` prints (kube's selfsubjectreview REST). Nothing is stored.
import { errors } from '../../api/errors.js';
import { apiUserInfo } from '../../authentication/user.js';
import type { SchemaTarget } from '../../schema/validate.js';
import { type HandlerContext, respondObject, writeOptions } from './context.js';
import { decodeObject } from './decode.js';

const selfSubjectReviewTarget: SchemaTarget = { kind: 'SelfSubjectReview', version: 'v1', definition: 'io.k8s.api.authentication.v1.SelfSubjectReview' };

export async function createSelfSubjectReview(ctx: HandlerContext): Promise<void> {
  const opts = writeOptions(ctx);
  await decodeObject(ctx, opts, selfSubjectReviewTarget);
  const u = ctx.ex.user;
  if (!u) throw errors.badRequest('no user present on request');
  const userInfo = apiUserInfo(u);
  const review = {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
    status: { userInfo },
  };
  respondObject(ctx, 201, review, undefined);
}
