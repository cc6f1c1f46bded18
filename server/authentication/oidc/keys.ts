// An OIDC provider's signing keys: discovery (<issuer>/.well-known/openid-configuration -> jwks_uri),
// then the JWKS, fetched again when a token names a key id we do not have (the provider rotated),
// at most once per refreshIntervalMs so a stream of forged kids cannot turn us into a load generator.
import { createPublicKey, type KeyObject } from 'node:crypto';
import https from 'node:https';

export interface ProviderKey {
  kid?: string;
  key: KeyObject;
}

export interface RemoteKeySetOptions {
  issuerURL: string;
  /** PEM CA bundle the provider's certificate must chain to (--oidc-ca-file); unset = the system's. */
  ca?: string;
  refreshIntervalMs?: number;
  now?: () => number;
}

export class RemoteKeySet {
  private keys: ProviderKey[] = [];
  private jwksURI?: string;
  private lastFetch = -Infinity;
  private inflight?: Promise<void>;

  constructor(private readonly opts: RemoteKeySetOptions) {}

  /** The keys that may have signed a token with this kid (all keys for a token without one), refreshing for an unknown kid. */
  async keysFor(kid: string | undefined): Promise<ProviderKey[]> {
    const pick = () => this.keys.filter((k) => kid === undefined || k.kid === undefined || k.kid === kid);
    // A fetch under way (the one start-up begins) is waited for, not raced.
    if (this.inflight) await this.inflight.catch(() => undefined);
    let found = pick();
    if (!found.length && this.mayRefresh()) {
      await this.refresh();
      found = pick();
    }
    return found;
  }

  /** Fetches discovery (once) and the JWKS; concurrent callers share one fetch. */
  refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => { this.inflight = undefined; });
    return this.inflight;
  }

  private mayRefresh(): boolean {
    return this.now() - this.lastFetch >= (this.opts.refreshIntervalMs ?? 10_000);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private async fetchKeys(): Promise<void> {
    this.lastFetch = this.now();
    if (!this.jwksURI) {
      const wellKnown = `${this.opts.issuerURL.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const doc = (await getJSON(wellKnown, this.opts.ca)) as { issuer?: string; jwks_uri?: string };
      // OIDC discovery: the document must name the issuer it was fetched for.
      if (doc.issuer !== this.opts.issuerURL) throw new Error(`oidc: issuer did not match the issuer returned by provider, expected ${JSON.stringify(this.opts.issuerURL)} got ${JSON.stringify(doc.issuer)}`);
      if (typeof doc.jwks_uri !== 'string') throw new Error('oidc: provider discovery document has no jwks_uri');
      this.jwksURI = doc.jwks_uri;
    }
    const jwks = (await getJSON(this.jwksURI, this.opts.ca)) as { keys?: Record<string, unknown>[] };
    const keys: ProviderKey[] = [];
    for (const jwk of jwks.keys ?? []) {
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      try {
        keys.push({ kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, key: createPublicKey({ key: jwk as never, format: 'jwk' }) });
      } catch {
        // A key type we cannot use is skipped, as go-jose skips it.
      }
    }
    this.keys = keys;
  }
}

function getJSON(url: string, ca: string | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false, timeout: 10_000, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) return reject(new Error(`oidc: GET ${url}: ${res.statusCode} ${body.slice(0, 200)}`));
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(new Error(`oidc: GET ${url}: ${(e as Error).message}`));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`oidc: GET ${url}: timeout`)));
    req.on('error', reject);
  });
}
