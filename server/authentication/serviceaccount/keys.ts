// The keys of --service-account-key-file (every PEM block of every file: public keys, or private keys
// whose public half verifies) and --service-account-signing-key-file (one private key).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

const pemBlock = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** The public keys in one PEM file (a bundle may hold several; certificates are skipped as kube's keyutil does). */
export function publicKeysFromFile(file: string): KeyObject[] {
  const keys: KeyObject[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(pemBlock)) {
    const type = m[1];
    if (type === 'CERTIFICATE') continue;
    keys.push(type.includes('PRIVATE') ? createPublicKey(createPrivateKey(m[0])) : createPublicKey(m[0]));
  }
  if (!keys.length) throw new Error(`--service-account-key-file ${file}: no public or private key found`);
  return keys;
}

export function privateKeyFromFile(file: string): KeyObject {
  const m = [...readFileSync(file, 'utf8').matchAll(pemBlock)].find((b) => b[1].includes('PRIVATE'));
  if (!m) throw new Error(`--service-account-signing-key-file ${file}: no private key found`);
  return createPrivateKey(m[0]);
}
