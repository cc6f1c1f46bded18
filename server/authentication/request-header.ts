// The front proxy's identity (kube's requestheader authenticator): X-Remote-User, X-Remote-Group
// and X-Remote-Extra-* (or the configured headers), believed only with a valid proof that the
// request came from the proxy (pki/front-proxy-proof.ts: the instance's TLS cannot show JavaScript
// the proxy's client certificate). Without one the headers are ignored, as kube ignores them on a
// connection that did not present the proxy's certificate.
import { readFileSync } from 'node:fs';
import { certificatesOf, ProofChecker, proofHeader } from '../../pki/front-proxy-proof.js';
import type { SecurityConfig } from '../config.js';
import { decodeURIComponentSafe } from '../http/exchange.js';
import type { Authenticated, AuthenticationRequest, RequestAuthenticator } from './authenticator.js';

export class FrontProxyAuthenticator implements RequestAuthenticator {
  readonly name = 'requestheader';

  constructor(
    private readonly checker: ProofChecker,
    private readonly usernameHeaders: string[],
    private readonly groupHeaders: string[],
    private readonly extraPrefixes: string[],
  ) {}

  static fromConfig(sec: SecurityConfig): FrontProxyAuthenticator {
    const cas = certificatesOf(readFileSync(sec.requestheaderClientCAFile!, 'utf8'));
    if (!cas.length) throw new Error(`--requestheader-client-ca-file ${sec.requestheaderClientCAFile}: no certificate in it`);
    const lower = (hs: string[]) => hs.map((h) => h.toLowerCase());
    return new FrontProxyAuthenticator(new ProofChecker({ cas, allowedNames: sec.requestheaderAllowedNames }),
      lower(sec.requestheaderUsernameHeaders), lower(sec.requestheaderGroupHeaders), lower(sec.requestheaderExtraHeadersPrefix));
  }

  async authenticate(req: AuthenticationRequest): Promise<Authenticated | undefined> {
    const name = this.usernameHeaders.map((h) => req.headers[h]).find((v) => v !== undefined && v !== '');
    if (name === undefined) return undefined;
    if (!this.checker.check(req.headers[proofHeader])) return undefined;
    const groups = this.groupHeaders.flatMap((h) => req.headerValues(h));
    const extra: Record<string, string[]> = {};
    for (const h of Object.keys(req.headers)) {
      const prefix = this.extraPrefixes.find((p) => h.startsWith(p));
      if (!prefix) continue;
      // kube: the key is lower-cased and %-unescaped.
      const key = decodeURIComponentSafe(h.slice(prefix.length).toLowerCase());
      (extra[key] ??= []).push(...req.headerValues(h));
    }
    return { user: { name, groups, ...(Object.keys(extra).length ? { extra } : {}) } };
  }
}
