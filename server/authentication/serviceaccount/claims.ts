// The claims of the two kinds of service-account token, as kube writes and checks them:
// legacy tokens (a Secret's, iss "kubernetes/serviceaccount", kubernetes.io/serviceaccount/* claims) and
// bound tokens (TokenRequest's: exp/nbf/iat/jti and a "kubernetes.io" claim naming the service account
// and what the token is bound to). A token is valid while what it names still exists with the same uid.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/object.js';
import type { JWTClaims } from '../jwt.js';
import { type ServiceAccountInfo, serviceAccountUsername } from './user.js';

export const legacyIssuer = 'kubernetes/serviceaccount';
/** go-jose's DefaultLeeway: clock skew allowed on exp/nbf/iat, and how long a deleted object's token lives on. */
export const leewaySeconds = 60;

export interface Ref {
  name: string;
  uid?: string;
}

export interface BoundClaims extends JWTClaims {
  'kubernetes.io': {
    namespace: string;
    serviceaccount: Ref;
    pod?: Ref;
    secret?: Ref;
    node?: Ref;
    warnafter?: number;
  };
}

/** What a token may be bound to: at most one of pod (with its node when scheduled), secret, node. */
export interface BoundObjects {
  pod?: KubeObject;
  secret?: KubeObject;
  node?: KubeObject;
}

/** kube's token.Claims: the claims of a TokenRequest's token (iss is added by the issuer). */
export function boundClaims(sa: KubeObject, bound: BoundObjects, expirationSeconds: number, audiences: string[], nowSeconds: number): BoundClaims {
  // uid is omitempty: a pod's node that is gone is named without one.
  const ref = (o: KubeObject): Ref => (o.metadata.uid ? { name: o.metadata.name!, uid: o.metadata.uid } : { name: o.metadata.name! }) as Ref;
  // Keys in kube's (go-jose's map) order: sorted, as are the top-level claims.
  const k8s = { namespace: sa.metadata.namespace! } as BoundClaims['kubernetes.io'];
  if (bound.pod) {
    if (bound.node) k8s.node = ref(bound.node);
    k8s.pod = ref(bound.pod);
  } else if (bound.secret) k8s.secret = ref(bound.secret);
  else if (bound.node) k8s.node = ref(bound.node);
  k8s.serviceaccount = ref(sa);
  return {
    aud: audiences,
    exp: nowSeconds + expirationSeconds,
    iat: nowSeconds,
    jti: randomUUID(),
    'kubernetes.io': k8s,
    nbf: nowSeconds,
    sub: serviceAccountUsername(sa.metadata.namespace!, sa.metadata.name!),
  };
}

/** Reads the objects a token names (through the watch cache); undefined when missing. */
export interface ObjectGetter {
  serviceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
  secret(namespace: string, name: string): Promise<KubeObject | undefined>;
  pod(namespace: string, name: string): Promise<KubeObject | undefined>;
  node(name: string): Promise<KubeObject | undefined>;
}

/** A token that is this kind but not valid: the message is what TokenReview's status.error says. */
export class InvalidToken extends Error {}

function deletedBefore(o: KubeObject, nowSeconds: number): boolean {
  const ts = o.metadata.deletionTimestamp;
  return typeof ts === 'string' && Date.parse(ts) / 1000 < nowSeconds - leewaySeconds;
}

/** kube's validator.Validate for bound tokens. */
export async function validateBound(claims: BoundClaims, get: ObjectGetter, nowSeconds: number): Promise<ServiceAccountInfo> {
  if (typeof claims.exp === 'number' && nowSeconds > claims.exp + leewaySeconds) throw new InvalidToken('service account token has expired');
  if (typeof claims.nbf === 'number' && nowSeconds < claims.nbf - leewaySeconds) throw new InvalidToken('service account token is not valid yet');
  if (typeof claims.iat === 'number' && nowSeconds < claims.iat - leewaySeconds) throw new InvalidToken('service account token is issued in the future');
  const k8s = claims['kubernetes.io'];
  const { namespace, serviceaccount: saRef, pod: podRef, secret: secretRef, node: nodeRef } = k8s;
  const sa = await get.serviceAccount(namespace, saRef.name);
  if (!sa) throw new InvalidToken(`serviceaccounts "${saRef.name}" not found`);
  if (sa.metadata.uid !== saRef.uid) throw new InvalidToken(`service account UID (${sa.metadata.uid}) does not match claim (${saRef.uid})`);
  if (deletedBefore(sa, nowSeconds)) throw new InvalidToken(`service account ${namespace}/${saRef.name} has been deleted`);
  const invalidated = new InvalidToken('service account token has been invalidated');
  if (secretRef) {
    const secret = await get.secret(namespace, secretRef.name);
    if (!secret) throw invalidated;
    if (secret.metadata.uid !== secretRef.uid) throw new InvalidToken(`secret UID (${secret.metadata.uid}) does not match service account secret ref claim (${secretRef.uid})`);
    if (deletedBefore(secret, nowSeconds)) throw invalidated;
  }
  const info: ServiceAccountInfo = { namespace, name: saRef.name, uid: saRef.uid ?? '' };
  if (podRef) {
    const pod = await get.pod(namespace, podRef.name);
    if (!pod) throw invalidated;
    if (pod.metadata.uid !== podRef.uid) throw new InvalidToken(`pod UID (${pod.metadata.uid}) does not match service account pod ref claim (${podRef.uid})`);
    if (deletedBefore(pod, nowSeconds)) throw invalidated;
    info.podName = podRef.name;
    info.podUID = podRef.uid;
  }
  if (nodeRef) {
    // A pod-bound token only carries its node's name; a node-bound token needs the node.
    if (!podRef) {
      const node = await get.node(nodeRef.name);
      if (!node) throw invalidated;
      if (node.metadata.uid !== nodeRef.uid) throw new InvalidToken(`node UID (${node.metadata.uid}) does not match service account node ref claim (${nodeRef.uid})`);
      if (deletedBefore(node, nowSeconds)) throw invalidated;
    }
    info.nodeName = nodeRef.name;
    if (nodeRef.uid) info.nodeUID = nodeRef.uid;
  }
  if (typeof claims.jti === 'string' && claims.jti) info.credentialID = `JTI=${claims.jti}`;
  return info;
}

const legacyClaim = {
  namespace: 'kubernetes.io/serviceaccount/namespace',
  secretName: 'kubernetes.io/serviceaccount/secret.name',
  name: 'kubernetes.io/serviceaccount/service-account.name',
  uid: 'kubernetes.io/serviceaccount/service-account.uid',
};

/** kube's legacyValidator.Validate: a Secret's token, checked against the Secret and the service account when `lookup`. */
export async function validateLegacy(token: string, claims: JWTClaims, get: ObjectGetter, lookup: boolean): Promise<ServiceAccountInfo> {
  const str = (k: string) => (typeof claims[k] === 'string' ? (claims[k] as string) : '');
  const namespace = str(legacyClaim.namespace);
  const secretName = str(legacyClaim.secretName);
  const name = str(legacyClaim.name);
  const uid = str(legacyClaim.uid);
  if (!namespace) throw new InvalidToken('namespace claim is required');
  if (!secretName) throw new InvalidToken('secretName claim is required');
  if (claims.sub !== serviceAccountUsername(namespace, name)) throw new InvalidToken('sub claim is invalid');
  if (!name) throw new InvalidToken('serviceAccountName claim is required');
  if (!uid) throw new InvalidToken('serviceAccountUID claim is required');
  if (lookup) {
    const secret = await get.secret(namespace, secretName);
    if (!secret || secret.metadata.deletionTimestamp) throw new InvalidToken('token has been invalidated');
    const stored = (secret as { data?: Record<string, string> }).data?.token;
    if (!stored || Buffer.from(stored, 'base64').toString() !== token) throw new InvalidToken('token does not match the stored secret');
    const sa = await get.serviceAccount(namespace, name);
    if (!sa || sa.metadata.deletionTimestamp) throw new InvalidToken('service account has been deleted');
    if (sa.metadata.uid !== uid) throw new InvalidToken(`service account UID (${sa.metadata.uid}) does not match claim (${uid})`);
  }
  return { namespace, name, uid };
}
