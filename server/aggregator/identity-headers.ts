// client-go's SetAuthProxyHeaders: the user the extension server is to act for, as front-proxy
// headers. They are trusted there only because the connection carries the front-proxy client certificate.
import type { UserInfo } from '../authentication/user.js';

const legalKeyChar = /[A-Za-z0-9!#$&'*+\-.^_`|~]/;

/** client-go's headerKeyEscape: bytes that may not stand in a header name (and %) as %XX. */
export function headerKeyEscape(key: string): string {
  let out = '';
  for (const b of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && legalKeyChar.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Header name/value pairs (repeated names for several values), X-Remote-Uid only when there is a uid. */
export function identityHeaders(user: UserInfo): Array<[string, string]> {
  const out: Array<[string, string]> = [['X-Remote-User', user.name]];
  if (user.uid) out.push(['X-Remote-Uid', user.uid]);
  for (const g of user.groups) out.push(['X-Remote-Group', g]);
  for (const [k, values] of Object.entries(user.extra ?? {})) for (const v of values) out.push([`X-Remote-Extra-${headerKeyEscape(k)}`, v]);
  return out;
}

/** Headers a client sent that the extension server must never see: its credentials and any identity it claims. */
export function isStrippedRequestHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'authorization' || n.startsWith('impersonate-') || n.startsWith('x-remote-');
}
