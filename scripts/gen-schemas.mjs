// Generates the built-in schemas mechanically from the generated models of @kubernetes/client-node
// (which come from the official Kubernetes OpenAPI spec): types and formats from each model's
// attributeTypeMap, descriptions and required fields from its .d.ts. Output:
// server/schema/generated/models.json = { source, models: { V1DeploymentSpec: { description, required, properties } } }
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = path.join(root, 'node_modules/@kubernetes/client-node');
const modelsDir = path.join(pkgDir, 'dist/gen/models');
const outDir = path.join(root, 'server/schema/generated');
const outFile = path.join(outDir, 'models.json');
const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));

if (existsSync(outFile)) {
  const prev = JSON.parse(readFileSync(outFile, 'utf8'));
  if (prev.source === `@kubernetes/client-node@${pkg.version}` && statSync(outFile).mtimeMs > statSync(path.join(pkgDir, 'package.json')).mtimeMs) {
    process.exit(0);
  }
}

/** JSDoc text of a `/** ... *\/` block, one paragraph. */
function docText(block) {
  return block
    .replace(/^\/\*\*/, '').replace(/\*\/$/, '')
    .split('\n').map((l) => l.replace(/^\s*\*\s?/, '')).join('\n').trim()
    .replace(/\\(["'])/g, '$1');
}

function parseDts(text) {
  const classMatch = text.match(/(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)\s*export declare class (\w+)/);
  const description = classMatch ? docText(classMatch[1]) : '';
  const props = {};
  const body = text.slice(text.indexOf('export declare class'));
  const propRe = /(?:(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)\s*)?'([^']+)'(\?)?:/g;
  let m;
  while ((m = propRe.exec(body))) {
    props[m[2]] = { description: m[1] ? docText(m[1]) : '', required: !m[3] };
  }
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

const models = {};
for (const file of readdirSync(modelsDir)) {
  if (!file.endsWith('.js')) continue;
  const className = file.slice(0, -3);
  const js = readFileSync(path.join(modelsDir, file), 'utf8');
  const typeMap = parseTypeMap(js, className);
  if (!typeMap) continue;
  const dtsFile = path.join(modelsDir, `${className}.d.ts`);
  const dts = existsSync(dtsFile) ? parseDts(readFileSync(dtsFile, 'utf8')) : { description: '', props: {} };
  const properties = {};
  const required = [];
  for (const a of typeMap) {
    const doc = dts.props[a.name] ?? { description: '', required: false };
    properties[a.baseName] = { type: a.type, format: a.format || undefined, description: doc.description || undefined };
    if (doc.required) required.push(a.baseName);
  }
  models[className] = { description: dts.description, required, properties };
}

mkdirSync(outDir, { recursive: true });
writeFileSync(outFile, JSON.stringify({ source: `@kubernetes/client-node@${pkg.version}`, models }));
console.log(`generated ${Object.keys(models).length} schemas from @kubernetes/client-node@${pkg.version} into ${path.relative(root, outFile)}`);
