// kube's three certificate admission plugins (plugin/pkg/admission/certificates): approving or
// denying needs `approve` on the signer, setting the certificate needs `sign` on it, and the
// kube-apiserver-client signer is never asked for a system:masters certificate. The server's own
// writes (the built-in signer) carry no user and pass.
import { errors } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from '../admission/chain.js';
import type { UserInfo } from '../authentication/user.js';
import type { Authorizer } from '../authorization/authorizer.js';
import { bytesOf, parseRequest } from './request.js';

export const kubeAPIServerClientSignerName = 'kubernetes.io/kube-apiserver-client';

const isCSR = (a: AdmissionAttributes) => a.resource.group === 'certificates.k8s.io' && a.resource.resource === 'certificatesigningrequests';
const signerOf = (o: KubeObject | undefined) => String((o?.spec as { signerName?: string } | undefined)?.signerName ?? '');

function forbidden(a: AdmissionAttributes, why: string) {
  return errors.forbiddenResource('certificates.k8s.io', 'certificatesigningrequests', a.name, why);
}

/** kube's IsAuthorizedForSignerName: the verb on signers named exactly, else on "<domain>/*". */
export function authorizedForSigner(authz: Authorizer, user: UserInfo, verb: string, signerName: string): boolean {
  const ask = (name: string) => authz.authorize({
    user, verb, name, isResourceRequest: true, path: '', namespace: '', apiGroup: 'certificates.k8s.io', apiVersion: '*', resource: 'signers', subresource: '',
  }).decision === 'allow';
  return ask(signerName) || ask(`${signerName.split('/')[0]}/*`);
}

export class CertificateApproval implements AdmissionPlugin {
  readonly name = 'CertificateApproval';
  constructor(private readonly authz: Authorizer) {}
  handles(op: Operation): boolean { return op === 'UPDATE'; }
  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.subresource !== 'approval' || !isCSR(a) || !a.user) return;
    const signer = signerOf(a.oldObject);
    if (!authorizedForSigner(this.authz, a.user, 'approve', signer)) throw forbidden(a, `user not permitted to approve requests with signerName "${signer}"`);
  }
}

export class CertificateSigning implements AdmissionPlugin {
  readonly name = 'CertificateSigning';
  constructor(private readonly authz: Authorizer) {}
  handles(op: Operation): boolean { return op === 'UPDATE'; }
  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.subresource !== 'status' || !isCSR(a) || !a.user) return;
    const status = (o?: KubeObject) => (o?.status ?? {}) as { certificate?: string; conditions?: unknown[] };
    const [before, after] = [status(a.oldObject), status(a.object)];
    if ((before.certificate ?? '') === (after.certificate ?? '') && JSON.stringify(before.conditions ?? []) === JSON.stringify(after.conditions ?? [])) return;
    const signer = signerOf(a.oldObject);
    if (!authorizedForSigner(this.authz, a.user, 'sign', signer)) throw forbidden(a, `user not permitted to sign requests with signerName "${signer}"`);
  }
}

export class CertificateSubjectRestriction implements AdmissionPlugin {
  readonly name = 'CertificateSubjectRestriction';
  handles(op: Operation): boolean { return op === 'CREATE'; }
  async validate(a: AdmissionAttributes): Promise<void> {
    if (!isCSR(a) || a.subresource !== '' || signerOf(a.object) !== kubeAPIServerClientSignerName) return;
    let organizations: string[];
    try {
      organizations = parseRequest(bytesOf((a.object?.spec as { request?: string } | undefined)?.request)).organizations;
    } catch (e) {
      throw forbidden(a, `failed to parse CSR: ${(e as Error).message}`);
    }
    if (organizations.includes('system:masters')) {
      throw forbidden(a, `use of ${kubeAPIServerClientSignerName} signer with system:masters group is not allowed`);
    }
  }
}
