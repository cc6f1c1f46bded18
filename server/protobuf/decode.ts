// Decodes Kubernetes protobuf request bodies (`k8s\0` + runtime.Unknown) into the JSON object
// kube-apiserver would have decoded, using the official generated.proto files fetched at build.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { errors } from '../api/errors.js';
import { setOwn } from '../api/object.js';
import { maxNestingDepth, nestedDeeperThan } from '../http/body.js';
import { trimRight } from '../api/trim.js';

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const metaV1 = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const apiextensionsV1 = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1';

/** What the Go struct says about one protobuf field (scripts/fetch-protos.mjs reads the Go sources). */
interface GoField { json: string; pointer: boolean; omitempty: boolean; inline: boolean }

interface Index {
  version: string;
  groups: Record<string, string>;
  wrappers: Record<string, 'items' | 'map'>;
  fields: Record<string, Record<string, GoField>>;
}

interface Loaded { root: protobuf.Root; index: Index; unknown: protobuf.Type }

let loaded: Loaded | undefined;

/** server/protobuf/generated, whether this runs from dist/server/protobuf or from the sources. */
function generatedDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'generated'), path.resolve(here, '../../../server/protobuf/generated')];
  return candidates.find((d) => existsSync(path.join(d, 'index.json'))) ?? candidates[candidates.length - 1];
}

function load(): Loaded {
  if (loaded) return loaded;
  const dir = generatedDir();
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.proto')) files.push(p);
    }
  };
  let index: Index;
  try {
    index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as Index;
    walk(dir);
  } catch (e) {
    throw errors.internal(`the Kubernetes protobuf definitions are missing (${dir}); run \`npm run build\`: ${(e as Error).message}`);
  }
  const root = new protobuf.Root();
  // Imports name paths like "k8s.io/apimachinery/pkg/.../generated.proto", relative to the generated dir.
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(dir, target));
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  loaded = { root, index, unknown: root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown') };
  return loaded;
}

/** The loaded Kubernetes protobuf definitions (tests build bodies with them). */
export function protobufRoot(): protobuf.Root {
  return load().root;
}

export function isProtobuf(body: Uint8Array): boolean {
  return body.length >= 4 && Buffer.from(body.buffer, body.byteOffset, 4).equals(magic);
}

/** The message type for apiVersion/kind; meta/v1 kinds (DeleteOptions, ...) travel under every group's version. */
function messageType(l: Loaded, apiVersion: string, kind: string): protobuf.Type | undefined {
  const pkgs = [l.index.groups[apiVersion], metaV1].filter(Boolean);
  for (const pkg of pkgs) {
    const found = l.root.lookup(`${pkg}.${kind}`);
    if (found instanceof protobuf.Type) return found;
  }
  return undefined;
}

/** Go's time.Duration.String(): "1h2m3.5s", "1.5ms", "0s". */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let n = Math.abs(ns);
  const frac = (value: number, digits: number) => {
    const whole = Math.floor(value / 10 ** digits);
    const rest = trimRight(String(value % 10 ** digits).padStart(digits, '0'), '0');
    return rest ? `${whole}.${rest}` : String(whole);
  };
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${frac(n, 3)}µs`;
  if (n < 1e9) return `${sign}${frac(n, 6)}ms`;
  let out = '';
  const h = Math.floor(n / 3.6e12);
  n -= h * 3.6e12;
  const m = Math.floor(n / 6e10);
  n -= m * 6e10;
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  return `${sign}${out}${frac(n, 9)}s`;
}

/** meta/v1 Time is RFC3339 in seconds, MicroTime in microseconds; an empty message is Go's zero time (null). */
function timeString(v: { seconds?: number; nanos?: number }, micro: boolean): string | undefined {
  if (v.seconds === undefined && v.nanos === undefined) return undefined;
  const iso = new Date(Number(v.seconds ?? 0) * 1000).toISOString();
  if (!micro) return iso.replace(/\.\d{3}Z$/, 'Z');
  const us = String(Math.floor((v.nanos ?? 0) / 1000)).padStart(6, '0');
  return iso.replace(/\.\d{3}Z$/, `.${us}Z`);
}

/** Raw JSON carried in bytes (RawExtension, FieldsV1); an embedded protobuf object is decoded too. */
function rawJSON(raw: string | undefined): unknown {
  if (!raw) return undefined;
  const bytes = Buffer.from(raw, 'base64');
  if (isProtobuf(bytes)) return decodeProtobuf(bytes);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw errors.badRequest(`an embedded object is neither JSON nor protobuf: ${bytes.toString('utf8').slice(0, 64)}`);
  }
}

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

/** A plain decoded message (from toObject) to kube's JSON, guided by its type and the Go struct. */
function toJSON(l: Loaded, type: protobuf.Type, value: Record<string, unknown>): unknown {
  const name = type.fullName.replace(/^\./, '');
  switch (name) {
    case `${metaV1}.Time`: return timeString(value, false);
    case `${metaV1}.MicroTime`: return timeString(value, true);
    case `${metaV1}.Duration`: return goDuration(Number(value.duration ?? 0));
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
    case 'k8s.io.apimachinery.pkg.api.resource.QuantityValue':
      return value.string ?? '';
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      return Number(value.type ?? 0) === 1 ? (value.strVal ?? '') : Number(value.intVal ?? 0);
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension': return rawJSON(value.raw as string | undefined);
    case `${metaV1}.FieldsV1`: return rawJSON((value.Raw ?? value.raw) as string | undefined);
    // A CRD's schema: apiextensions' JSON is raw JSON bytes, and its "or" types are one JSON value or the other.
    case `${apiextensionsV1}.JSON`: return rawJSON(value.raw as string | undefined);
    case `${apiextensionsV1}.JSONSchemaPropsOrBool`:
      return value.schema ? toJSON(l, type.fields.schema.resolvedType as protobuf.Type, value.schema as Record<string, unknown>) : Boolean(value.allows);
    case `${apiextensionsV1}.JSONSchemaPropsOrArray`:
      return (value.jSONSchemas as unknown[] | undefined)?.length
        ? (value.jSONSchemas as Record<string, unknown>[]).map((x) => toJSON(l, type.fields.jSONSchemas.resolvedType as protobuf.Type, x))
        : value.schema ? toJSON(l, type.fields.schema.resolvedType as protobuf.Type, value.schema as Record<string, unknown>) : undefined;
    case `${apiextensionsV1}.JSONSchemaPropsOrStringArray`:
      return value.schema ? toJSON(l, type.fields.schema.resolvedType as protobuf.Type, value.schema as Record<string, unknown>) : (value.property ?? []);
  }
  const out: Record<string, unknown> = {};
  const goFields = l.index.fields[name] ?? {};
  for (const f of type.fieldsArray) {
    if (!(f.name in value)) continue;
    let v = value[f.name];
    const nested = f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
    const convert = (x: unknown) => (nested ? toJSON(l, nested, x as Record<string, unknown>) : x);
    if (f.map) {
      const m: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) setOwn(m, k, convert(x));
      if (!Object.keys(m).length) continue;
      v = m;
    } else if (f.repeated) {
      const arr = (v as unknown[]).map(convert);
      if (!arr.length) continue;
      v = arr;
    } else if (nested) {
      v = convert(v);
      if (v === undefined) continue;
    }
    const gf = goFields[String(f.id)];
    // An embedded Go struct (`json:",inline"`: Volume's VolumeSource, Probe's handler, ...) spreads its fields.
    if (gf?.inline) {
      if (v && typeof v === 'object') Object.assign(out, v);
      continue;
    }
    // Go's encoding/json drops zero values of omitempty non-pointer fields; protobuf may carry them.
    if (gf && gf.omitempty && !gf.pointer && isZero(v)) continue;
    out[gf?.json || f.name] = v;
  }
  // A named Go slice or map (ExtraValue, Verbs) is a message with one field in protobuf, bare in JSON.
  const wrapper = l.index.wrappers[name];
  if (wrapper && type.fieldsArray.length === 1) return out[type.fieldsArray[0].name] ?? (wrapper === 'items' ? [] : {});
  return out;
}

/** Decodes a Kubernetes protobuf body; returns the object as a JSON body would have carried it. */
export function decodeProtobuf(body: Uint8Array): Record<string, unknown> {
  if (!isProtobuf(body)) throw errors.badRequest('the protobuf body does not start with the Kubernetes protobuf prefix');
  const l = load();
  let envelope: { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array; contentEncoding?: string };
  try {
    envelope = l.unknown.decode(body.subarray(4)) as unknown as typeof envelope;
  } catch (e) {
    throw errors.badRequest(`unable to decode the protobuf envelope: ${(e as Error).message}`);
  }
  if (envelope.contentEncoding) throw errors.unsupportedMediaType(`contentEncoding ${envelope.contentEncoding}`, ['application/vnd.kubernetes.protobuf']);
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  const type = messageType(l, apiVersion, kind);
  if (!type) throw errors.badRequest(`no kind "${kind}" is registered for version "${apiVersion}" in scheme "pkg/runtime/scheme.go"`);
  let json: Record<string, unknown>;
  try {
    const msg = type.decode(envelope.raw ?? new Uint8Array());
    const plain = type.toObject(msg, { longs: Number, bytes: String, defaults: false, arrays: false, objects: false });
    json = toJSON(l, type, plain) as Record<string, unknown>;
  } catch (e) {
    // Nesting deep enough to exhaust the stack is malformed input too (400), never a 500.
    throw errors.badRequest(`unable to decode ${kind} from protobuf: ${(e as Error).message}`);
  }
  if (nestedDeeperThan(json, maxNestingDepth)) throw errors.badRequest(`unable to decode ${kind} from protobuf: nesting depth exceeds the maximum of ${maxNestingDepth}`);
  return { apiVersion, kind, ...json };
}
