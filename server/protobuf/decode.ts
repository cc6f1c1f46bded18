// Decodes Kubernetes protobuf request bodies (`k8s\0` + runtime.Unknown) into the JSON object
// kube-apiserver would have decoded, using the official generated.proto files fetched at build.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { errors } from '../api/errors.js';

const generatedDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../server/protobuf/generated');
const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface FieldFacts { pointer: boolean; omitempty: boolean }

let root: protobuf.Root | undefined;
let facts: Record<string, Record<string, FieldFacts>> = {};

function load(): protobuf.Root {
  if (root) return root;
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.proto')) files.push(p);
    }
  };
  try {
    walk(generatedDir);
    facts = (JSON.parse(readFileSync(path.join(generatedDir, 'fields.json'), 'utf8')) as { fields: typeof facts }).fields;
  } catch (e) {
    throw errors.internal(`protobuf definitions are missing (${generatedDir}); run \`npm run build\`: ${(e as Error).message}`);
  }
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(generatedDir, target));
  r.loadSync(files, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

export function isProtobuf(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(magic);
}

/** The proto package of an apiVersion: `apps/v1` -> `k8s.io.api.apps.v1`, `v1` -> `k8s.io.api.core.v1`. */
function packageFor(apiVersion: string, kind: string): string {
  if (kind === 'DeleteOptions' || kind === 'Status') return 'k8s.io.apimachinery.pkg.apis.meta.v1';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? 'core' : apiVersion.slice(0, slash).split('.')[0];
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return `k8s.io.api.${group}.${version}`;
}

function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  let s = '';
  let rest = ns / 1e9;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  if (h) s += `${h}h`;
  if (h || m) s += `${m}m`;
  return `${s}${Number(rest.toFixed(9))}s`;
}

function timeString(v: { seconds?: number; nanos?: number }, micro: boolean): string | undefined {
  const seconds = Number(v.seconds ?? 0);
  if (!seconds && !v.nanos) return undefined;
  const iso = new Date(seconds * 1000).toISOString();
  if (!micro) return iso.replace(/\.\d{3}Z$/, 'Z');
  const us = String(Math.floor((v.nanos ?? 0) / 1000)).padStart(6, '0');
  return iso.replace(/\.\d{3}Z$/, `.${us}Z`);
}

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

/** A decoded message (plain object from toObject) to kube's JSON, guided by its type. */
function toJSON(type: protobuf.Type, value: Record<string, unknown>): unknown {
  const name = type.fullName.replace(/^\./, '');
  switch (name) {
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.Time': return timeString(value as never, false);
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': return timeString(value as never, true);
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': return goDuration(Number(value.duration ?? 0));
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity': return value.string ?? '';
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      return Number(value.type ?? 0) === 1 ? (value.strVal ?? '') : Number(value.intVal ?? 0);
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': {
      const raw = value.raw as string | undefined;
      if (!raw) return undefined;
      try {
        return JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
      } catch {
        return undefined;
      }
    }
  }
  const out: Record<string, unknown> = {};
  const goFacts = facts[name] ?? {};
  for (const f of type.fieldsArray) {
    if (!(f.name in value)) continue;
    let v = value[f.name];
    const nested = f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
    if (f.map) {
      const m: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) m[k] = nested ? toJSON(nested, x as Record<string, unknown>) : x;
      v = m;
      if (!Object.keys(m).length) continue;
    } else if (f.repeated) {
      const arr = (v as unknown[]).map((x) => (nested ? toJSON(nested, x as Record<string, unknown>) : x));
      if (!arr.length) continue;
      v = arr;
    } else if (nested) {
      v = toJSON(nested, v as Record<string, unknown>);
      if (v === undefined) continue;
    } else if (typeof v === 'object' && v !== null && 'low' in (v as object)) {
      v = Number(v);
    }
    const gf = goFacts[f.name];
    // Go's encoding/json drops zero values of omitempty non-pointer fields; protobuf writes them.
    if (gf && gf.omitempty && !gf.pointer && isZero(v)) continue;
    out[f.name] = v;
  }
  return out;
}

/** Decodes a protobuf body; returns the object as JSON would have carried it. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (!isProtobuf(body)) throw errors.badRequest('the protobuf body does not start with the Kubernetes protobuf prefix');
  const r = load();
  const unknownType = r.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  let envelope: { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array };
  try {
    envelope = unknownType.decode(body.subarray(4)) as unknown as typeof envelope;
  } catch (e) {
    throw errors.badRequest(`unable to decode the protobuf envelope: ${(e as Error).message}`);
  }
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  let type: protobuf.Type;
  try {
    type = r.lookupType(`${packageFor(apiVersion, kind)}.${kind}`);
  } catch {
    throw errors.badRequest(`no kind "${kind}" is registered for version "${apiVersion}" in protobuf`);
  }
  let msg: protobuf.Message;
  try {
    msg = type.decode(envelope.raw ?? new Uint8Array());
  } catch (e) {
    throw errors.badRequest(`unable to decode ${kind} from protobuf: ${(e as Error).message}`);
  }
  const plain = type.toObject(msg, { longs: Number, bytes: String, defaults: false, arrays: false, objects: false }) as Record<string, unknown>;
  const obj = toJSON(type, plain) as Record<string, unknown>;
  const result: Record<string, unknown> = { apiVersion, kind, ...obj };
  return result;
}
