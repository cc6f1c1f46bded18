// POST serviceaccounts/{name}/token: an authentication.k8s.io/v1 TokenRequest, what `kubectl create token` sends.
import { errors } from '../../api/errors.js';
import { recordUpdate } from '../../fieldmanager/field-manager.js';
import { createToken, defaultExpirationSeconds } from '../../registry/subresources/token.js';
import type { SchemaTarget } from '../../schema/validate.js';
import { type HandlerContext, respondObject, writeOptions } from './context.js';
import { decodeObject } from './decode.js';

const tokenRequestTarget: SchemaTarget = { kind: 'TokenRequest', version: 'v1', definition: 'io.k8s.api.authentication.v1.TokenRequest' };
const tokenRequestType = { ...tokenRequestTarget, group: 'authentication.k8s.io' };

export async function createTokenRequest(ctx: HandlerContext): Promise<void> {
  const tokens = ctx.security?.serviceAccounts;
  // kube installs serviceaccounts/token only with a signing key and an issuer.
  if (!tokens?.issuer) throw errors.notFoundPath();
  const opts = writeOptions(ctx);
  const req = await decodeObject(ctx, opts, tokenRequestTarget);
  // kube's defaulting at decode, so the field manager sees it; audiences are defaulted later, by the storage.
  ((req as { spec?: Record<string, unknown> }).spec ??= {}).expirationSeconds ??= defaultExpirationSeconds;
  recordUpdate(tokenRequestType, undefined, req, opts.fieldManager!, 'token');
  const out = await createToken({ store: ctx.store, types: ctx.types, tokens, warnings: ctx.ex.warnings }, ctx.info.namespace, ctx.info.name, req);
  respondObject(ctx, 201, out, undefined);
}
