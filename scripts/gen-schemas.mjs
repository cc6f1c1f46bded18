// Generates the built-in OpenAPI (swagger 2.0 style) definitions mechanically from the generated
// models of @kubernetes/client-node, which come from the official Kubernetes OpenAPI spec: types
// and formats from each model's attributeTypeMap, descriptions and required fields from its .d.ts.
// Definition names are kube-apiserver's (io.k8s.api.apps.v1.DeploymentSpec): a model belongs to the
// package of the API group that serves it (client-node's *Api.d.ts), shared types to core or meta.
// When the official protos are present (server/protobuf/generated, scripts/fetch-protos.mjs), they
// settle each message's package exactly and supply the field comments client-node drops for fields
// that reference another model.
// Output: server/schema/generated/definitions.json = { source, protos, definitions: { name: schema } }
// Regenerate: `node scripts/gen-schemas.mjs --force` (or delete the file and `npm run build`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = path.join(root, 'node_modules/@kubernetes/client-node');
const modelsDir = path.join(pkgDir, 'dist/gen/models');
const apisDir = path.join(pkgDir, 'dist/gen/apis');
const protoDir = path.join(root, 'server/protobuf/generated');
const protoIndex = path.join(protoDir, 'index.json');
const outDir = path.join(root, 'server/schema/generated');
const outFile = path.join(outDir, 'definitions.json');
// Bumped when the output's shape changes, so an old file is rebuilt.
const format = 3;
const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const source = `@kubernetes/client-node@${pkg.version}`;
// The protos make the output exact (packages, Quantity fields, field comments); fetch them first when
// they are missing, as `npm run build` would right after us. Without Go this degrades, it does not fail.
if (!existsSync(protoIndex)) {
  try {
    execFileSync(process.execPath, [path.join(root, 'scripts/fetch-protos.mjs')], { stdio: 'inherit' });
  } catch {
    console.warn('gen-schemas: no protos (scripts/fetch-protos.mjs failed); Quantity fields become plain strings and some field descriptions are missing');
  }
}
const haveProtos = existsSync(protoIndex);

if (!process.argv.includes('--force') && existsSync(outFile)) {
  try {
    const prev = JSON.parse(readFileSync(outFile, 'utf8'));
    const fresh = prev.format === format && prev.source === source && prev.protos === haveProtos
      && (!haveProtos || statSync(outFile).mtimeMs > statSync(protoIndex).mtimeMs);
    if (fresh) process.exit(0);
  } catch {
    // unreadable: generate again
  }
}

// ---- client-node models -------------------------------------------------------------------

/** Text of a `/** ... *\/` block. */
function docText(block) {
  return block
    .replace(/^\/\*\*/, '').replace(/\*\/$/, '')
    .split('\n').map((l) => l.replace(/^\s*\*\s?/, '')).join('\n').trim()
    .replace(/\\(["'`\\])/g, '$1');
}

function parseDts(text) {
  const classMatch = text.match(/(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)\s*export declare class (\w+)/);
  const description = classMatch ? docText(classMatch[1]) : '';
  const props = {};
  const body = text.slice(text.indexOf('export declare class'));
  const propRe = /(?:(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)\s*)?'([^']+)'(\?)?:/g;
  let m;
  while ((m = propRe.exec(body))) props[m[2]] = { description: m[1] ? docText(m[1]) : '', required: !m[3] };
  return { description, props };
}

function parseTypeMap(js, className) {
  const start = js.indexOf(`${className}.attributeTypeMap = [`);
  if (start < 0) return undefined;
  const open = js.indexOf('[', start);
  let depth = 0;
  for (let i = open; i < js.length; i++) {
    if (js[i] === '[') depth++;
    else if (js[i] === ']' && --depth === 0) return JSON.parse(js.slice(open, i + 1));
  }
  return undefined;
}

/** className -> { description, props: [{ name, type, format, description, required }] } */
const models = {};
for (const file of readdirSync(modelsDir)) {
  if (!file.endsWith('.js')) continue;
  const className = file.slice(0, -3);
  const typeMap = parseTypeMap(readFileSync(path.join(modelsDir, file), 'utf8'), className);
  if (!typeMap) continue;
  const dtsFile = path.join(modelsDir, `${className}.d.ts`);
  const dts = existsSync(dtsFile) ? parseDts(readFileSync(dtsFile, 'utf8')) : { description: '', props: {} };
  models[className] = {
    description: dts.description,
    props: typeMap.map((a) => ({
      name: a.baseName, type: a.type, format: a.format || undefined,
      description: dts.props[a.name]?.description ?? '', required: dts.props[a.name]?.required ?? false,
    })),
  };
}

/** Model classes a type string names: `Array<V1Container>` -> [V1Container]. */
function refsOf(type) {
  const arr = type.match(/^Array<(.+)>$/);
  if (arr) return refsOf(arr[1]);
  const map = type.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) return refsOf(map[1]);
  return models[type] ? [type] : [];
}

/** `CoreV1EventSeries` -> { prefix: 'Core', version: 'v1', short: 'EventSeries' }. */
function splitClass(className) {
  const m = className.match(/^((?:[A-Z][a-z]+)*?)(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/);
  if (!m) return undefined;
  return { prefix: m[1], version: m[2].toLowerCase(), short: m[3] };
}

// ---- packages -----------------------------------------------------------------------------

const metaPackage = 'io.k8s.apimachinery.pkg.apis.meta.v1';
/** apimachinery's meta/v1 types, which every group shares. */
const metaTypes = new Set([
  'ObjectMeta', 'ListMeta', 'LabelSelector', 'LabelSelectorRequirement', 'OwnerReference', 'ManagedFieldsEntry',
  'Status', 'StatusDetails', 'StatusCause', 'Condition', 'DeleteOptions', 'Preconditions', 'APIResource',
  'APIResourceList', 'APIGroup', 'APIGroupList', 'APIVersions', 'GroupVersionForDiscovery', 'ServerAddressByClientCIDR',
  'WatchEvent', 'FieldSelectorRequirement',
]);

/** `RbacAuthorization` (from RbacAuthorizationV1Api) -> `io.k8s.api.rbac`. */
function groupPackage(word) {
  switch (word) {
    case 'Core': return 'io.k8s.api.core';
    case 'Apiextensions': return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions';
    case 'Apiregistration': return 'io.k8s.kube-aggregator.pkg.apis.apiregistration';
    case 'Internal': case 'InternalApiserver': return 'io.k8s.api.apiserverinternal';
    default: return `io.k8s.api.${word.match(/^[A-Z][a-z]+/)[0].toLowerCase()}`;
  }
}

/** Exact packages from the official protos: `V1DeploymentSpec` -> `io.k8s.api.apps.v1`. */
const protoPackages = new Map();
/** `io.k8s.api.apps.v1.DeploymentSpec` -> { field: comment } */
const protoComments = new Map();

function parseProto(text) {
  const pkgName = text.match(/^package ([\w.]+);/m)?.[1];
  if (!pkgName) return;
  const defPackage = `io.${pkgName.replace(/^k8s\.io\./, 'k8s.').replace(/_/g, '-')}`;
  const lines = text.split('\n');
  let message;
  let comment = [];
  for (const raw of lines) {
    const line = raw.trim();
    const open = line.match(/^message (\w+) \{$/);
    if (open && !message) {
      message = { name: open[1], fields: {} };
      comment = [];
      continue;
    }
    if (!message) continue;
    if (line === '}') {
      protoComments.set(`${defPackage}.${message.name}`, message.fields);
      const list = protoPackages.get(message.name) ?? [];
      list.push(defPackage);
      protoPackages.set(message.name, list);
      message = undefined;
      continue;
    }
    if (line.startsWith('//')) {
      comment.push(line.replace(/^\/\/ ?/, ''));
      continue;
    }
    const fieldMatch = line.match(/^(?:optional|repeated)?\s*(map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*\d+/);
    if (fieldMatch) message.fields[fieldMatch[2]] = { comment: commentText(comment), type: fieldMatch[1] };
    comment = [];
  }
}

/** A Go doc comment as kube-openapi turns it into a description: markers dropped, lines joined. */
function commentText(lines) {
  // kube-openapi drops everything after a `---` line, and the `+marker` lines.
  const end = lines.findIndex((l) => /^\s*---\s*$/.test(l));
  const kept = (end < 0 ? lines : lines.slice(0, end)).filter((l) => !/^\s*\+/.test(l));
  return kept.join('\n').trim().split(/\n\s*\n/).map((p) => p.split('\n').map((l) => l.trim()).join(' ')).join('\n\n');
}

if (haveProtos) {
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === 'generated.proto') parseProto(readFileSync(p, 'utf8'));
    }
  };
  walk(protoDir);
}

/** Top-level classes per API group from client-node's *Api.d.ts: what each group's operations return. */
const apiRoots = [];
for (const file of readdirSync(apisDir).sort()) {
  const m = file.match(/^([A-Z][A-Za-z]*?)(V\d+(?:alpha\d+|beta\d+)?)Api\.d\.ts$/);
  if (!m) continue;
  const text = readFileSync(path.join(apisDir, file), 'utf8');
  const roots = new Set();
  for (const r of text.matchAll(/Promise<(?:HttpInfo<)?(\w+)>/g)) if (models[r[1]]) roots.add(r[1]);
  // Core first: shared types (PodSpec, ObjectReference...) live there, as in kube-apiserver.
  apiRoots.push({ pkg: `${groupPackage(m[1])}`, core: m[1] === 'Core', roots: [...roots] });
}
apiRoots.sort((a, b) => Number(b.core) - Number(a.core));

/** className -> package prefix without the version (`io.k8s.api.apps`), or the full meta package. */
const packageOf = new Map();
for (const cls of Object.keys(models)) {
  const parts = splitClass(cls);
  if (!parts) continue;
  if (!parts.prefix && parts.version === 'v1' && metaTypes.has(parts.short)) packageOf.set(cls, metaPackage);
}
for (const cls of Object.keys(models)) {
  const parts = splitClass(cls);
  if (!parts || packageOf.has(cls)) continue;
  if (parts.prefix) packageOf.set(cls, `${groupPackage(parts.prefix)}.${parts.version}`);
  const exact = (protoPackages.get(parts.short) ?? []).filter((p) => p.endsWith(`.${parts.version}`));
  if (parts.prefix) continue;
  if (exact.length === 1) packageOf.set(cls, exact[0]);
}
const visited = new Set();
for (const { pkg: groupPkg, roots } of apiRoots) {
  const queue = [...roots];
  while (queue.length) {
    const cls = queue.shift();
    if (visited.has(cls)) continue;
    visited.add(cls);
    const parts = splitClass(cls);
    if (parts && !packageOf.has(cls)) packageOf.set(cls, `${groupPkg}.${parts.version}`);
    for (const p of models[cls].props) queue.push(...refsOf(p.type));
  }
}

const names = new Map();
const unresolved = new Set();
for (const cls of Object.keys(models)) {
  const parts = splitClass(cls);
  const p = packageOf.get(cls);
  if (parts && p) names.set(cls, `${p}.${parts.short}`);
}

// ---- definitions --------------------------------------------------------------------------

const intOrString = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const quantity = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const definitions = {
  [quantity]: {
    description: 'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.',
    type: 'string', format: 'quantity',
  },
  [intOrString]: {
    description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    type: 'string', format: 'int-or-string',
  },
};

function schemaOf(type, fmt) {
  const arr = type.match(/^Array<(.+)>$/);
  if (arr) return { type: 'array', items: schemaOf(arr[1]) };
  const map = type.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) return { type: 'object', additionalProperties: schemaOf(map[1]) };
  switch (type) {
    case 'string': return fmt ? { type: 'string', format: fmt } : { type: 'string' };
    case 'number':
      if (fmt === 'int32' || fmt === 'int64') return { type: 'integer', format: fmt };
      return fmt ? { type: 'number', format: fmt } : { type: 'number' };
    case 'boolean': return { type: 'boolean' };
    case 'Date': return { type: 'string', format: 'date-time' };
    // meta/v1 MicroTime (Lease and Event times): an RFC 3339 string with microseconds, as kube's OpenAPI says.
    case 'V1MicroTime': return { type: 'string', format: 'date-time' };
    case 'IntOrString': return { $ref: `#/definitions/${intOrString}` };
    case 'object': return { type: 'object' };
    case 'any': return {};
    default: {
      const name = names.get(type);
      if (!name) unresolved.add(type);
      return name ? { $ref: `#/definitions/${name}` } : { type: 'object' };
    }
  }
}

function toQuantity(s) {
  if (s.type === 'string') return { $ref: `#/definitions/${quantity}` };
  if (s.items) return { ...s, items: toQuantity(s.items) };
  if (s.additionalProperties) return { ...s, additionalProperties: toQuantity(s.additionalProperties) };
  return s;
}

let described = 0;
for (const [cls, model] of Object.entries(models)) {
  const name = names.get(cls);
  if (!name) continue;
  const comments = protoComments.get(name) ?? {};
  const properties = {};
  const required = [];
  for (const p of model.props) {
    const proto = comments[p.name];
    let s = schemaOf(p.type, p.format);
    // client-node writes Quantity as a string; the protos know better (a Quantity is also a number).
    if (proto?.type.includes('k8s.io.apimachinery.pkg.api.resource.Quantity')) s = toQuantity(s);
    // client-node leaves fields that reference a model undescribed, or gives them the model's own text.
    const borrowed = !p.description || p.type === 'IntOrString' || p.description === models[p.type]?.description;
    const description = (borrowed && proto?.comment) || p.description || '';
    if (borrowed && proto?.comment) described++;
    properties[p.name] = description ? { ...s, description } : s;
    if (p.required) required.push(p.name);
  }
  const def = {};
  if (model.description) def.description = model.description;
  def.type = 'object';
  def.properties = properties;
  if (required.length) def.required = required;
  definitions[name] = def;
}

mkdirSync(outDir, { recursive: true });
if (unresolved.size) console.warn(`gen-schemas: types without a definition, validated as any object: ${[...unresolved].sort().join(", ")}`);
writeFileSync(outFile, JSON.stringify({ format, source, protos: haveProtos, definitions }));
console.log(`generated ${Object.keys(definitions).length} definitions from ${source}${haveProtos ? ` (+${described} field descriptions from the protos)` : ''} into ${path.relative(root, outFile)}`);
