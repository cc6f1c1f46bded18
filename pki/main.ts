// `npm run pki -- <command>`: the cluster's PKI by hand (the launcher makes the same on first start).
//   init   [--dir .cluster/pki] [--san NAME|IP ...]       the CAs, serving and front-proxy certificates, the service-account keys
//   client --cn NAME [--o GROUP ...] [--server URL] --out FILE [--dir ...]
//                                                          a client certificate signed by the cluster CA, as a kubeconfig
//   revoke (--cert FILE | --kubeconfig FILE) [--dir ...]   adds the certificate to ca.crl (the LB reloads it)
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { readKubeconfig } from './kubeconfig.js';
import { ensurePKI, pkiFiles, revoke, writeClientKubeconfig } from './pki.js';

const usage = `usage: npm run pki -- init [--dir DIR] [--san NAME|IP ...]
       npm run pki -- client --cn NAME [--o GROUP ...] [--server URL] --out FILE [--dir DIR]
       npm run pki -- revoke (--cert FILE | --kubeconfig FILE) [--dir DIR]
DIR defaults to .cluster/pki (the launcher's).`;

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  const flags = new Map<string, string[]>();
  for (let i = 0; i < rest.length; i++) {
    const [k, inline] = rest[i].split(/=(.*)/s, 2);
    if (!k.startsWith('--')) throw new Error(`unexpected argument ${rest[i]}\n${usage}`);
    const v = inline ?? rest[++i];
    if (v === undefined) throw new Error(`${k} needs a value\n${usage}`);
    flags.set(k.slice(2), [...flags.get(k.slice(2)) ?? [], v]);
  }
  const one = (k: string) => flags.get(k)?.at(-1);
  const dir = path.resolve(one('dir') ?? '.cluster/pki');
  switch (command) {
    case 'init': {
      const sans = flags.get('san') ?? [];
      const files = ensurePKI(dir, {
        dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost', ...sans.filter((s) => !isIP(s))],
        ips: ['127.0.0.1', '10.96.0.1', ...sans.filter((s) => isIP(s))],
      });
      console.log(`PKI in ${files.dir}: ca.crt, apiserver.crt, front-proxy-ca.crt, front-proxy-client.crt, sa.key/sa.pub, ca.crl`);
      return 0;
    }
    case 'client': {
      const cn = one('cn');
      const out = one('out');
      if (!cn || !out) throw new Error(`client needs --cn and --out\n${usage}`);
      writeClientKubeconfig(pkiFiles(dir), path.resolve(out), one('server') ?? 'https://127.0.0.1:6443', cn, flags.get('o') ?? []);
      console.log(`wrote ${out}: CN=${cn}${(flags.get('o') ?? []).map((o) => `, O=${o}`).join('')}`);
      return 0;
    }
    case 'revoke': {
      const cert = one('cert') ? readFileSync(one('cert')!, 'utf8') : one('kubeconfig') ? readKubeconfig(one('kubeconfig')!).cert?.toString() : undefined;
      if (!cert) throw new Error(`revoke needs --cert FILE or --kubeconfig FILE (with client-certificate-data)\n${usage}`);
      const serial = revoke(pkiFiles(dir), cert);
      console.log(`revoked serial ${serial}; ${pkiFiles(dir).crl} rewritten`);
      return 0;
    }
    default:
      console.error(usage);
      return 2;
  }
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
