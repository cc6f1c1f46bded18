// `npm run pki -- <command>`: the cluster's PKI by hand (the launcher makes the same on first start).
//   init   [--dir .cluster/pki] [--san NAME|IP ...]       the CAs, serving and front-proxy certificates, the service-account keys
//   client --cn NAME [--o GROUP ...] [--server URL] --out FILE [--dir ...]
//                                                          a client certificate signed by the cluster CA, as a kubeconfig
//   revoke (--cert FILE | --kubeconfig FILE) [--dir ...]   adds the certificate to ca.crl (the LB reloads it)
//   compose --dir DIR [--apiservers 3] [--etcd-members 3] [--sans a,b] [--server URL] [--controllers-server URL] [--export ROLE=DIR ...]
//           [--owner UID:GID [--chown DIR ...]]            everything compose/docker-compose.yml's `pki` service makes: the PKI
//                                                          with the compose service names, etcd's and Redis's, the authentication
//                                                          configuration, audit policy and kubeconfigs in DIR; each ROLE's files
//                                                          copied to its DIR (etcd, redis, apiserver, lb, controllers); with
//                                                          --owner the copies (and each --chown DIR: data volumes) belong to
//                                                          that user, as which the other services run (not root)
import { chmodSync, chownSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { readKubeconfig } from './kubeconfig.js';
import { composeServingNames, filesByRole, prepareSecurityFiles, type SecurityRole, securityFilesIn, writeKubeconfigs } from '../compose/local/security.js';
import { ensurePKI, pkiFiles, revoke, writeClientKubeconfig } from './pki.js';

const usage = `usage: npm run pki -- init [--dir DIR] [--san NAME|IP ...]
       npm run pki -- client --cn NAME [--o GROUP ...] [--server URL] --out FILE [--dir DIR]
       npm run pki -- revoke (--cert FILE | --kubeconfig FILE) [--dir DIR]
       npm run pki -- compose --dir DIR [--apiservers N] [--etcd-members N] [--sans NAME,IP,...] [--server URL] [--controllers-server URL] [--export ROLE=DIR ...]
                              [--owner UID:GID [--chown DIR ...]]
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
    case 'compose': {
      // The cluster directory (pki/ goes under it), not the launcher's .cluster/pki default.
      if (!one('dir')) throw new Error(`compose needs --dir\n${usage}`);
      const count = (k: string) => {
        const n = Number(one(k) ?? 3);
        if (!Number.isInteger(n) || n < 1) throw new Error(`--${k} must be a positive whole number\n${usage}`);
        return n;
      };
      // --sans takes KTS_SANS as the compose file interpolates it: comma- or space-separated, maybe empty.
      const sans = (flags.get('sans') ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
      const files = securityFilesIn(dir);
      prepareSecurityFiles(files, composeServingNames(count('apiservers'), count('etcd-members'), sans));
      const server = one('server') ?? 'https://127.0.0.1:6443';
      writeKubeconfigs(files, server, true, one('controllers-server') ?? server);
      const roles = filesByRole(files);
      const owner = one('owner') === undefined ? undefined : parseOwner(one('owner')!);
      for (const spec of flags.get('export') ?? []) {
        const [role, to] = spec.split(/=(.*)/s, 2) as [SecurityRole, string | undefined];
        if (!roles[role] || !to) throw new Error(`--export ROLE=DIR with ROLE one of ${Object.keys(roles).join(', ')}, got ${spec}\n${usage}`);
        // The same paths under the role's directory, so a service mounting it at DIR finds each file where its flags say.
        for (const file of roles[role]) {
          const target = path.join(to, path.relative(dir, file));
          mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
          copyFileSync(file, target);
          chmodSync(target, statSync(file).mode & 0o777);
        }
        if (owner) chownTree(to, owner);
        console.log(`${role}: ${roles[role].length} files in ${to}${owner ? `, owned by ${owner.uid}:${owner.gid}` : ''}`);
      }
      for (const data of flags.get('chown') ?? []) {
        if (!owner) throw new Error(`--chown needs --owner\n${usage}`);
        mkdirSync(data, { recursive: true, mode: 0o700 });
        chownTree(data, owner);
      }
      console.log(`PKI in ${files.pki.dir} (serving names: ${[...composeServingNames(count('apiservers'), count('etcd-members'), sans).apiserver.dnsNames].join(', ')}); admin kubeconfig ${files.adminKubeconfig} for ${server}`);
      return 0;
    }
    default:
      console.error(usage);
      return 2;
  }
}

function parseOwner(spec: string): { uid: number; gid: number } {
  const m = /^(\d+):(\d+)$/.exec(spec);
  if (!m) throw new Error(`--owner must be UID:GID (numbers), got ${spec}\n${usage}`);
  return { uid: Number(m[1]), gid: Number(m[2]) };
}

/** Gives DIR and everything under it to the owner: the services that mount it run as that user. */
function chownTree(dir: string, owner: { uid: number; gid: number }): void {
  chownSync(dir, owner.uid, owner.gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, owner);
    else chownSync(p, owner.uid, owner.gid);
  }
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
