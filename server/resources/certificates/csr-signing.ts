// kube-controller-manager's csrsigning controller as a post-start hook: started when the server has
// --cluster-signing-cert-file and --cluster-signing-key-file, stopped with the server.
import { CertificateSigner } from '../../certificates/signer.js';
import type { GenericStore } from '../../registry/store.js';
import type { PostStartContext } from '../post-start.js';
import { certificatesigningrequests } from './certificatesigningrequests.js';

const signers = new WeakMap<GenericStore, CertificateSigner>();

export async function startCertificateSigner(ctx: PostStartContext): Promise<void> {
  if (signers.has(ctx.store)) return;
  const { clusterSigningCertFile, clusterSigningKeyFile, clusterSigningDurationSeconds } = ctx.config.security;
  const signer = CertificateSigner.fromFlags(ctx.store, certificatesigningrequests, clusterSigningCertFile, clusterSigningKeyFile, clusterSigningDurationSeconds);
  if (!signer) return;
  signers.set(ctx.store, signer);
  await signer.start();
}

export function stopCertificateSigner(store: GenericStore): void {
  signers.get(store)?.stop();
  signers.delete(store);
}
