// serviceaccounts/token storage, kube's TokenREST: a TokenRequest for a service account, answered with
// a signed bound token (status.token, status.expirationTimestamp). Nothing is stored.
import { errors, field } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { type BoundObjects, boundClaims } from '../../authentication/serviceaccount/claims.js';
import type { ServiceAccountTokens } from '../../authentication/serviceaccount/index.js';
import type { TypeRegistry } from '../registry.js';
import type { GenericStore } from '../store.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const tokenRequestKind = { group: 'authentication.k8s.io', kind: 'TokenRequest' };
const minExpirationSeconds = 600;
export const defaultExpirationSeconds = 3600;

export interface TokenRequestContext {
  store: GenericStore;
  types: TypeRegistry;
  tokens: ServiceAccountTokens;
  warnings: string[];
}

export async function createToken(ctx: TokenRequestContext, namespace: string, name: string, req: Obj): Promise<Obj> {
  const meta = (req.metadata ??= {}) as Obj;
  const invalid = (path: string, value: unknown, why: string) => errors.invalid(tokenRequestKind.kind, tokenRequestKind.group, name, [field.invalid(path, value, why)]);
  if (meta.name && meta.name !== name) throw invalid('metadata.name', meta.name, 'must match the service account name if specified');
  if (meta.namespace && meta.namespace !== namespace) throw invalid('metadata.namespace', meta.namespace, 'must match the service account namespace if specified');
  const get = (resource: string, ns: string, n: string) => ctx.store.get(ctx.types.lookup('', 'v1', resource)!, ns, n);
  const sa = await get('serviceaccounts', namespace, name);
  if (meta.uid && meta.uid !== sa.metadata.uid) {
    throw errors.conflict({ group: tokenRequestKind.group, resource: tokenRequestKind.kind }, name,
      `the UID in the token request (${meta.uid}) does not match the UID of the service account (${sa.metadata.uid})`);
  }
  const spec = (req.spec ??= {}) as Obj;
  if (!spec.audiences?.length) spec.audiences = ctx.tokens.apiAudiences;
  spec.expirationSeconds ??= defaultExpirationSeconds;
  meta.name ||= sa.metadata.name;
  meta.namespace ||= sa.metadata.namespace;
  meta.uid ||= sa.metadata.uid;
  const now = new Date();
  meta.creationTimestamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
  delete req.status;
  // kube's ValidateTokenRequest: its 422 names no object.
  const errs = [];
  if (spec.expirationSeconds < minExpirationSeconds) errs.push(field.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 10 minutes'));
  if (spec.expirationSeconds > 2 ** 32) errs.push(field.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  if (errs.length) throw errors.invalid(tokenRequestKind.kind, tokenRequestKind.group, '', errs);

  const bound: BoundObjects = {};
  const ref = spec.boundObjectRef as Obj | undefined;
  if (ref) {
    const group = typeof ref.apiVersion === 'string' && ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    let uid: string | undefined;
    if (group === '' && ref.kind === 'Pod') {
      const pod = await get('pods', namespace, ref.name ?? '');
      if ((pod as Obj).spec?.serviceAccountName !== name) {
        throw errors.badRequest(`cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with different serviceaccount name.`);
      }
      bound.pod = pod;
      uid = pod.metadata.uid;
      // ServiceAccountTokenPodNodeInfo: the pod's node goes into the token (its name alone when the Node is gone).
      const nodeName = (pod as Obj).spec?.nodeName as string | undefined;
      if (nodeName) {
        bound.node = await get('nodes', '', nodeName).catch((e: { code?: number }) => {
          if (e.code === 404) return { metadata: { name: nodeName } } as KubeObject;
          throw e;
        });
      }
    } else if (group === '' && ref.kind === 'Node') {
      bound.node = await get('nodes', '', ref.name ?? '');
      uid = bound.node.metadata.uid;
    } else if (group === '' && ref.kind === 'Secret') {
      bound.secret = await get('secrets', namespace, ref.name ?? '');
      uid = bound.secret.metadata.uid;
    } else {
      throw errors.badRequest(`cannot bind token to object of type ${goGVK(ref.apiVersion ?? '', ref.kind ?? '')}`);
    }
    if (ref.uid && ref.uid !== uid) {
      throw errors.conflict({ group, resource: ref.kind }, ref.name ?? '',
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
  }
  const max = ctx.tokens.maxExpirationSeconds;
  if (max > 0 && spec.expirationSeconds > max) {
    ctx.warnings.push(`requested expiration of ${spec.expirationSeconds} seconds shortened to ${max} seconds`);
    spec.expirationSeconds = max;
  }
  const claims = boundClaims(sa, bound, spec.expirationSeconds, spec.audiences, Math.floor(now.getTime() / 1000));
  const token = ctx.tokens.issuer!.generateToken(claims);
  const expiration = new Date(now.getTime() + spec.expirationSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  // kube's field order; an unset boundObjectRef is a null pointer.
  const { name: n, namespace: ns, uid, creationTimestamp, ...restMeta } = meta;
  const { audiences, expirationSeconds, boundObjectRef, ...restSpec } = spec;
  return {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: n, namespace: ns, uid, creationTimestamp, ...restMeta },
    spec: { audiences, expirationSeconds, boundObjectRef: boundObjectRef ?? null, ...restSpec },
    status: { token, expirationTimestamp: expiration },
  };
}

/** schema.GroupVersionKind's String(): "group/version, Kind=kind" (core: "/v1, Kind=X"). */
function goGVK(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return `${group}/${version}, Kind=${kind}`;
}
