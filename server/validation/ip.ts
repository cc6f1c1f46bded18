// IP and CIDR checks with kube's messages (apimachinery's IsValidIP / IsValidCIDR), for IPAddress names and ServiceCIDRs.
import { isIPv4, isIPv6 } from 'node:net';

const invalidIP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const invalidCIDR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/** A dotted quad that parses once its leading zeros go (Go refuses those: they once meant octal). */
const hasLeadingZeros = (ip: string) => /^\d+\.\d+\.\d+\.\d+$/.test(ip) && ip.split('.').some((p) => p.length > 1 && p.startsWith('0')) && isIPv4(ip.replace(/\b0+(\d)/g, '$1'));

/** The eight 16-bit groups of an IPv6 address (node has checked it parses). */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase();
  // An embedded IPv4 address (`::ffff:1.2.3.4`) is the last group: two groups of its own.
  const lastColon = text.lastIndexOf(':');
  const quad = text.slice(lastColon + 1).split('.');
  if (quad.length === 4 && quad.every((p) => p !== '' && [...p].every((ch) => ch >= '0' && ch <= '9'))) {
    const [a, b, c, d] = quad.map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = parse(tail);
  return tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
}

/** RFC 5952 text, as Go's net/netip prints an address. */
export function canonicalIPv6(ip: string): string {
  const groups = ipv6Groups(ip);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

const isIPv4Mapped = (ip: string) => {
  const g = ipv6Groups(ip);
  return g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
};

/** What is wrong with `ip` as an IP address written in canonical form; [] when nothing. */
export function ipProblems(ip: string): string[] {
  if (isIPv4(ip)) return [];
  if (hasLeadingZeros(ip)) return ['must not have leading 0s'];
  if (!isIPv6(ip) || ip.includes('%')) return [invalidIP];
  if (isIPv4Mapped(ip)) return ['must not be an IPv4-mapped IPv6 address'];
  const canonical = canonicalIPv6(ip);
  return canonical === ip ? [] : [`must be in canonical form ("${canonical}")`];
}

export type IPFamily = 'IPv4' | 'IPv6';

export function ipFamily(ipOrCIDR: string): IPFamily | undefined {
  const ip = ipOrCIDR.split('/')[0];
  return isIPv4(ip) ? 'IPv4' : isIPv6(ip) ? 'IPv6' : undefined;
}

/** What is wrong with `cidr` as a CIDR written in canonical form; [] when nothing. */
export function cidrProblems(cidr: string): string[] {
  const m = cidr.match(/^([^/]+)\/(\d+)$/);
  if (!m) return [invalidCIDR];
  const [, ip, bitsText] = m;
  const bits = Number(bitsText);
  const family = ipFamily(ip);
  const leadingZeros = hasLeadingZeros(ip);
  if ((!family && !leadingZeros) || bits > (family === 'IPv6' ? 128 : 32)) return [invalidCIDR];
  if (leadingZeros || (bitsText.length > 1 && bitsText.startsWith('0'))) return ['must not have leading 0s in IP or prefix length'];
  if (family === 'IPv6' && isIPv4Mapped(ip)) return ['must not have an IPv4-mapped IPv6 address'];
  const canonical = family === 'IPv6' ? canonicalIPv6(ip) : ip;
  if (canonical !== ip) return [`must be in canonical form ("${canonical}/${bits}")`];
  if (hostBitsSet(ip, family!, bits)) return ['must not have bits set beyond the prefix length'];
  return [];
}

function hostBitsSet(ip: string, family: IPFamily, bits: number): boolean {
  const groups = family === 'IPv4' ? ip.split('.').map(Number) : ipv6Groups(ip);
  const width = family === 'IPv4' ? 8 : 16;
  return groups.some((g, i) => {
    const keep = Math.max(0, Math.min(width, bits - i * width));
    return (g & ((1 << (width - keep)) - 1)) !== 0;
  });
}
