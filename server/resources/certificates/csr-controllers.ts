// kube-controller-manager's csrsigning and csrcleaner controllers as post-start hooks: the signer
// when the server has --cluster-signing-cert-file and --cluster-signing-key-file, the cleaner always;
// both stop with the server.
import { CertificateCleaner } from '../../certificates/cleaner.js';
import { CertificateSigner } from '../../certificates/signer.js';
import type { GenericStore } from '../../registry/store.js';
import type { PostStartContext } from '../post-start.js';
import { certificatesigningrequests } from './certificatesigningrequests.js';
import { logger } from '../../logging/logger.js';

const running = new WeakMap<GenericStore, { signer?: CertificateSigner; cleaner: CertificateCleaner }>();

export async function startCertificateControllers(ctx: PostStartContext): Promise<void> {
  if (running.has(ctx.store)) return;
  const { clusterSigningCertFile, clusterSigningKeyFile, clusterSigningDurationSeconds } = ctx.config.security;
  let signer: CertificateSigner | undefined;
  try {
    signer = CertificateSigner.fromFlags(ctx.store, certificatesigningrequests, clusterSigningCertFile, clusterSigningKeyFile, clusterSigningDurationSeconds);
  } catch (e) {
    // A CA that cannot be read is no reason to retry start-up (the hooks retry only what etcd may fix).
    logger.error(`csrsigning: cannot load the signing CA, approved requests are not signed: ${(e as Error).message}`);
  }
  const cleaner = new CertificateCleaner(ctx.store, certificatesigningrequests);
  running.set(ctx.store, { signer, cleaner });
  cleaner.start();
  await signer?.start();
}

export function stopCertificateControllers(store: GenericStore): void {
  const r = running.get(store);
  r?.signer?.stop();
  r?.cleaner.stop();
  running.delete(store);
}
