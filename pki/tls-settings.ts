// kube-apiserver's TLS defaults, for the LB (node:tls) and the instances (uWS/OpenSSL): TLS 1.2 or
// newer, and for TLS 1.2 the cipher suites Go's crypto/tls offers by default (ECDHE with AES-GCM,
// ChaCha20-Poly1305, then AES-CBC-SHA). --tls-cipher-suites takes IANA names, as kube's flag does.

/** IANA name -> OpenSSL name, for the suites kube accepts in --tls-cipher-suites (TLS 1.2). */
const suites: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
};

/** Go's default order (crypto/tls, TLS 1.2). */
const goDefaults = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
];

/** The OpenSSL cipher list for --tls-cipher-suites (empty: Go's defaults); an unknown name is an error. */
export function opensslCiphers(iana: string[]): string {
  const names = iana.length ? iana : goDefaults;
  return names.map((n) => {
    const s = suites[n];
    if (!s) throw new Error(`--tls-cipher-suites: unsupported cipher suite ${n} (supported: ${Object.keys(suites).join(', ')})`);
    return s;
  }).join(':');
}

export function nodeMinVersion(v: 'VersionTLS12' | 'VersionTLS13'): 'TLSv1.2' | 'TLSv1.3' {
  return v === 'VersionTLS13' ? 'TLSv1.3' : 'TLSv1.2';
}
