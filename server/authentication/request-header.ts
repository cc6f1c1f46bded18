// The front proxy's identity (kube's requestheader authenticator): X-Remote-User, X-Remote-Group
// and X-Remote-Extra-* (or the configured headers), believed only when the request carries the
// proxy's MAC for this very request (pki/front-proxy-proof.ts: the instance's TLS can neither require
// nor show the proxy's client certificate), and, with --front-proxy-port, only on that listener.
// Otherwise the headers are ignored, as kube ignores them on a connection that did not present the
// proxy's certificate.
import { readFileSync } from 'node:fs';
import { certificatesOf, decodeIdentityValue, ProxyVerifier } from '../../pki/front-proxy-proof.js';
import type { ServerConfig } from '../config.js';
import { decodeURIComponentSafe } from '../http/exchange.js';
import type { Authenticated, AuthenticationRequest, RequestAuthenticator } from './authenticator.js';
import { logger } from '../logging/logger.js';

export class FrontProxyAuthenticator implements RequestAuthenticator {
  readonly name = 'requestheader';

  constructor(
    private readonly verifier: ProxyVerifier,
    private readonly usernameHeaders: string[],
    private readonly groupHeaders: string[],
    private readonly extraPrefixes: string[],
    /** With a front-proxy listener, identity headers arriving anywhere else are never read. */
    private readonly onlyOnFrontProxyListener: boolean,
  ) {}

  static fromConfig(config: ServerConfig): FrontProxyAuthenticator | undefined {
    const sec = config.security;
    const cas = certificatesOf(readFileSync(sec.requestheaderClientCAFile!, 'utf8'));
    if (!cas.length) throw new Error(`--requestheader-client-ca-file ${sec.requestheaderClientCAFile}: no certificate in it`);
    if (!config.tlsPrivateKeyFile) {
      // The proxy's session keys are encrypted to the serving key: without TLS there is no way to trust the headers.
      logger.error(`${config.instanceName}: --requestheader-client-ca-file without TLS: X-Remote-* headers are never believed`);
      return undefined;
    }
    const lower = (hs: string[]) => hs.map((h) => h.toLowerCase());
    const headers = [...sec.requestheaderUsernameHeaders, ...sec.requestheaderGroupHeaders, ...sec.requestheaderExtraHeadersPrefix];
    // The MAC covers X-Remote-* headers: identity read from any other header would be unprotected.
    const unprotected = headers.filter((h) => !h.toLowerCase().startsWith('x-remote-'));
    if (unprotected.length) throw new Error(`--requestheader-*-headers: only X-Remote-* headers are carried with the front proxy's MAC, got ${unprotected.join(', ')}`);
    return new FrontProxyAuthenticator(new ProxyVerifier({ cas, allowedNames: sec.requestheaderAllowedNames }, readFileSync(config.tlsPrivateKeyFile, 'utf8')),
      lower(sec.requestheaderUsernameHeaders), lower(sec.requestheaderGroupHeaders), lower(sec.requestheaderExtraHeadersPrefix),
      config.frontProxyPort !== undefined);
  }

  async authenticate(req: AuthenticationRequest): Promise<Authenticated | undefined> {
    if (this.onlyOnFrontProxyListener && !req.frontProxyListener) return undefined;
    const wireName = this.usernameHeaders.map((h) => req.headers[h]).find((v) => v !== undefined && v !== '');
    if (wireName === undefined) return undefined;
    if (!this.verifier.verify(req)) return undefined;
    const decodeAll = (values: string[]) => values.map(decodeIdentityValue);
    const name = decodeIdentityValue(wireName);
    const groups = decodeAll(this.groupHeaders.flatMap((h) => req.headerValues(h)));
    const extra: Record<string, string[]> = {};
    let malformed = name === undefined || groups.includes(undefined);
    for (const h of Object.keys(req.headers)) {
      const prefix = this.extraPrefixes.find((p) => h.startsWith(p));
      if (!prefix) continue;
      // kube: the key is lower-cased and %-unescaped.
      const key = decodeURIComponentSafe(h.slice(prefix.length).toLowerCase());
      const values = decodeAll(req.headerValues(h));
      malformed ||= values.includes(undefined);
      (extra[key] ??= []).push(...(values as string[]));
    }
    // The proxy encodes every value; one that is not its encoding did not come from it.
    if (malformed || !name) return undefined;
    return { user: { name, groups: groups as string[], ...(Object.keys(extra).length ? { extra } : {}) } };
  }
}
