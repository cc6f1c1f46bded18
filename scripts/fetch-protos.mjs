// Fetches the official Kubernetes protobuf definitions (the generated.proto files of the Go modules
// k8s.io/api and k8s.io/apimachinery) and, from the same modules' Go types, which fields are
// pointers and which are omitempty — what decoding a protobuf body into kube's JSON needs.
// Output: server/protobuf/generated/{k8s.io/...proto, fields.json}. Needs Go and the module proxy.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const version = 'v0.34.2';
const modules = ['k8s.io/api', 'k8s.io/apimachinery'];
const outDir = path.join(root, 'server/protobuf/generated');
const stamp = path.join(outDir, 'fields.json');

if (existsSync(stamp) && JSON.parse(readFileSync(stamp, 'utf8')).version === version) process.exit(0);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

let dirs;
try {
  const json = execFileSync('go', ['mod', 'download', '-json', ...modules.map((m) => `${m}@${version}`)], {
    cwd: os.tmpdir(), encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
  });
  dirs = [...json.matchAll(/"Dir":\s*"([^"]+)"/g)].map((m) => m[1]);
} catch (e) {
  console.error(`fetch-protos: could not download ${modules.join(', ')} ${version} with Go: ${e.message}`);
  process.exit(1);
}
if (dirs.length !== modules.length) {
  console.error(`fetch-protos: expected ${modules.length} module directories, got ${dirs.length}`);
  process.exit(1);
}

const fields = {};
const goField = /^\s+(\w+)\s+(\*?)(\S+)\s+`json:"([^",]*)((?:,[^"]*)?)"(?:\s+protobuf:"[^"]*")?/;
for (const [i, dir] of dirs.entries()) {
  const module = modules[i];
  for (const file of walk(dir)) {
    const rel = path.relative(dir, file);
    if (rel.includes('testapigroup') || rel.includes('testdata')) continue;
    if (file.endsWith('generated.proto')) {
      const dest = path.join(outDir, module, rel);
      mkdirSync(path.dirname(dest), { recursive: true });
      cpSync(file, dest);
    }
    if (!file.endsWith('.go') || file.endsWith('_test.go') || !existsSync(path.join(path.dirname(file), 'generated.proto'))) continue;
    const pkg = `${module}/${path.dirname(rel)}`.replace(/\//g, '.');
    let struct;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const s = line.match(/^type (\w+) struct \{/);
      if (s) {
        struct = s[1];
        continue;
      }
      if (line.startsWith('}')) {
        struct = undefined;
        continue;
      }
      if (!struct) continue;
      const m = line.match(goField);
      if (!m || !m[4] || m[4] === '-') continue;
      const key = `${pkg}.${struct}`;
      (fields[key] ??= {})[m[4]] = { pointer: m[2] === '*', omitempty: m[5].includes('omitempty') };
    }
  }
}
mkdirSync(outDir, { recursive: true });
writeFileSync(stamp, JSON.stringify({ version, fields }));
console.log(`fetched Kubernetes protobuf definitions ${version} into ${path.relative(root, outDir)}`);
