// The keys of --service-account-key-file (every PEM block of every file: public keys, or private keys
// whose public half verifies) and --service-account-signing-key-file (one private key).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pemBlocks } from '../../../pki/pem.js';

/** The public keys in one PEM file (a bundle may hold several; certificates are skipped as kube's keyutil does). */
export function publicKeysFromFile(file: string): KeyObject[] {
  const keys: KeyObject[] = [];
  for (const b of pemBlocks(readFileSync(file, 'utf8'))) {
    if (b.type === 'CERTIFICATE') continue;
    keys.push(b.type.includes('PRIVATE') ? createPublicKey(createPrivateKey(b.text)) : createPublicKey(b.text));
  }
  if (!keys.length) throw new Error(`--service-account-key-file ${file}: no public or private key found`);
  return keys;
}

export function privateKeyFromFile(file: string): KeyObject {
  const b = pemBlocks(readFileSync(file, 'utf8')).find((block) => block.type.includes('PRIVATE'));
  if (!b) throw new Error(`--service-account-signing-key-file ${file}: no private key found`);
  return createPrivateKey(b.text);
}
