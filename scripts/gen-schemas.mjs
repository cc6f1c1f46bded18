// The built-in OpenAPI definitions, taken from the official documents of the pinned release: the
// k8s.io/kubernetes module's api/openapi-spec/swagger.json (swagger 2.0, kube-apiserver's names) and
// api/openapi-spec/v3/*.json (one OpenAPI 3 document per group-version), fetched through the Go
// module proxy as scripts/fetch-protos.mjs fetches the protos. They carry what client models drop:
// x-kubernetes-patch-strategy/-patch-merge-key (strategic merge), -list-type/-list-map-keys and
// -map-type (server-side apply), -group-version-kind.
// Output: server/schema/generated/definitions.json = { format, source, definitions: { name: v2 schema },
// v3: { name: v3 schema } }. Needs Go and the module proxy (or the module already in Go's cache);
// there is no fallback: without them the build stops with the reason.
// Regenerate: `node scripts/gen-schemas.mjs --force` (or delete the file and `npm run build`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'server/schema/generated');
const outFile = path.join(outDir, 'definitions.json');
// The release the server reports and the peer is built from.
const module = 'k8s.io/kubernetes@v1.35.0';
// Bumped when the output's shape changes, so an old file is rebuilt.
const format = 4;
const source = `${module}/api/openapi-spec`;

if (!process.argv.includes('--force') && existsSync(outFile)) {
  try {
    const prev = JSON.parse(readFileSync(outFile, 'utf8'));
    if (prev.format === format && prev.source === source) process.exit(0);
  } catch {
    // unreadable: generate again
  }
}

let dir;
try {
  const json = execFileSync('go', ['mod', 'download', '-json', module], {
    cwd: os.tmpdir(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on', GOWORK: 'off' },
  });
  dir = JSON.parse(json).Dir;
} catch (e) {
  console.error(`gen-schemas: could not download ${module} with Go (is Go installed and the module proxy reachable?): ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  process.exit(1);
}
const specDir = path.join(dir, 'api/openapi-spec');

const definitions = JSON.parse(readFileSync(path.join(specDir, 'swagger.json'), 'utf8')).definitions;

// v3: kube serves these per group-version with their own shape (allOf-wrapped refs, defaults,
// oneOf for int-or-string and Quantity); a schema shared by several documents is the same in each.
const v3 = {};
const v3Dir = path.join(specDir, 'v3');
for (const file of readdirSync(v3Dir).sort()) {
  if (!file.endsWith('.json')) continue;
  const schemas = JSON.parse(readFileSync(path.join(v3Dir, file), 'utf8')).components?.schemas ?? {};
  for (const [name, schema] of Object.entries(schemas)) v3[name] ??= schema;
}

// A type only a v3 document has still needs a v2 definition (what validation and /openapi/v2 read).
for (const [name, schema] of Object.entries(v3)) definitions[name] ??= toV2(schema);

/** An OpenAPI 3 schema in swagger 2.0's shape: refs under definitions, a lone allOf ref unwrapped. */
function toV2(s) {
  if (Array.isArray(s)) return s.map(toV2);
  if (!s || typeof s !== 'object') return s;
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') out.$ref = v.replace('#/components/schemas/', '#/definitions/');
    else if (k === 'allOf' && v.length === 1 && v[0].$ref) out.$ref = toV2(v[0]).$ref;
    else if (k === 'default') continue;
    else out[k] = toV2(v);
  }
  return out;
}

mkdirSync(outDir, { recursive: true });
writeFileSync(outFile, JSON.stringify({ format, source, definitions, v3 }));
console.log(`generated ${Object.keys(definitions).length} definitions (${Object.keys(v3).length} in v3 shape) from ${source} into ${path.relative(root, outFile)}`);
