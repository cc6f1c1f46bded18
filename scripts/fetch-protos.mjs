// Fetches the official Kubernetes protobuf definitions (the generated.proto files of the Go modules
// k8s.io/api and k8s.io/apimachinery, and k8s.io/apiextensions-apiserver's for CustomResourceDefinitions) and, from the same modules' Go sources, what turning a decoded
// message into kube's JSON needs: per field number the JSON name, pointer/omitempty/inline; which
// proto package serves which apiVersion; which messages wrap a named Go slice or map.
// Output: server/protobuf/generated/{k8s.io/**/generated.proto, index.json}. Needs Go and the module proxy.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The release kubectl 1.35 is built from.
const version = 'v0.35.0';
// Bumped when the shape of index.json changes, so an old generated dir is rebuilt.
const format = 3;
const modules = ['k8s.io/api', 'k8s.io/apimachinery', 'k8s.io/apiextensions-apiserver'];
const outDir = path.join(root, 'server/protobuf/generated');
const indexFile = path.join(outDir, 'index.json');

function fail(message) {
  console.error(`fetch-protos: ${message}`);
  process.exit(1);
}

if (existsSync(indexFile)) {
  try {
    const index = JSON.parse(readFileSync(indexFile, 'utf8'));
    if (index.version === version && index.format === format) process.exit(0);
  } catch {
    // unreadable: fetch again
  }
}

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
    cwd: os.tmpdir(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on', GOWORK: 'off' },
  });
  // `go mod download -json` prints one JSON object per module, in argument order.
  dirs = [...json.matchAll(/"Dir":\s*"([^"]+)"/g)].map((m) => m[1]);
} catch (e) {
  fail(`could not download ${modules.join(', ')} ${version} with Go (is Go installed and the module proxy reachable?): ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
}
if (dirs.length !== modules.length) fail(`expected ${modules.length} module directories, got ${dirs.length}`);

/** `json:"name,omitempty" protobuf:"bytes,1,opt,name=x"` -> {json: {...}, protobuf: {...}} */
function parseTag(tag) {
  const out = {};
  for (const m of tag.matchAll(/(\w+):"([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

const fields = {}; // "<proto package>.<Message>" -> { <field number>: { json, pointer, omitempty, inline } }
const wrappers = {}; // "<proto package>.<Message>" -> "items" (named slice) | "map" (named map)
const groups = {}; // apiVersion ("v1", "apps/v1") -> proto package
rmSync(outDir, { recursive: true, force: true });
let protoCount = 0;

for (const [i, dir] of dirs.entries()) {
  const module = modules[i];
  const protoDirs = walk(dir)
    .filter((f) => f.endsWith(`${path.sep}generated.proto`))
    .filter((f) => !/testapigroup|testdata|\/internal\//.test(path.relative(dir, f)))
    // apiextensions-apiserver: only the API types (its examples and test fixtures carry protos too).
    .filter((f) => module !== 'k8s.io/apiextensions-apiserver' || path.relative(dir, f).startsWith(`pkg${path.sep}apis${path.sep}`));
  for (const protoFile of protoDirs) {
    const rel = path.relative(dir, protoFile);
    const dest = path.join(outDir, module, rel);
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(protoFile, dest);
    protoCount++;
    const pkgDir = path.dirname(protoFile);
    const pkg = readFileSync(protoFile, 'utf8').match(/^package\s+([\w.]+);/m)?.[1];
    if (!pkg) fail(`no package line in ${protoFile}`);

    const register = path.join(pkgDir, 'register.go');
    if (module !== 'k8s.io/apimachinery' && existsSync(register)) {
      const src = readFileSync(register, 'utf8');
      const group = src.match(/GroupName\s*=\s*"([^"]*)"/)?.[1];
      const ver = src.match(/SchemeGroupVersion\s*=\s*schema\.GroupVersion\{Group:\s*GroupName,\s*Version:\s*"([^"]+)"\}/)?.[1];
      if (group !== undefined && ver) groups[group ? `${group}/${ver}` : ver] = pkg;
    }

    for (const goFile of readdirSync(pkgDir)) {
      if (!goFile.endsWith('.go') || goFile.endsWith('_test.go') || goFile.startsWith('zz_generated')) continue;
      let struct;
      for (const line of readFileSync(path.join(pkgDir, goFile), 'utf8').split('\n')) {
        const decl = line.match(/^type (\w+) (struct \{|\[\]|map\[)/);
        if (decl) {
          if (decl[2] === 'struct {') struct = decl[1];
          else wrappers[`${pkg}.${decl[1]}`] = decl[2] === '[]' ? 'items' : 'map';
          continue;
        }
        if (line.startsWith('}')) {
          struct = undefined;
          continue;
        }
        if (!struct) continue;
        const tick = line.indexOf('`');
        if (tick < 0 || line.trimStart().startsWith('//')) continue;
        const tag = parseTag(line.slice(tick + 1, line.lastIndexOf('`')));
        if (tag.protobuf === undefined || tag.json === undefined) continue;
        const number = tag.protobuf.split(',')[1];
        const decl2 = line.slice(0, tick).trim().split(/\s+/);
        const goType = decl2.length === 1 ? decl2[0] : decl2[1]; // embedded fields have no name
        const [json, ...opts] = tag.json.split(',');
        if (json === '-' || !/^\d+$/.test(number ?? '')) continue;
        (fields[`${pkg}.${struct}`] ??= {})[number] = {
          json,
          pointer: goType.startsWith('*'),
          omitempty: opts.includes('omitempty'),
          inline: !json && opts.includes('inline'),
        };
      }
    }
  }
}
if (!groups.v1 || !groups['apps/v1']) fail('could not find the core/v1 and apps/v1 packages in the downloaded modules');
writeFileSync(indexFile, JSON.stringify({ version, format, groups, wrappers, fields }));
console.log(`fetched ${protoCount} Kubernetes protobuf definitions (${version}) into ${path.relative(root, outDir)}`);
