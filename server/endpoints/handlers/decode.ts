// The one decode step every write shares (create, update, patch of every type, scale): body ->
// object, with duplicate and unknown fields reported as fieldValidation says, as kube-apiserver's
// create/update (rest.go, create.go) and patch (patch.go) handlers do. Unknown fields are dropped,
// as kube's decoding into typed objects drops them; for a patch they are judged on the patched result.
import { ApiError, errors, field } from '../../api/errors.js';
import { placeExactIntegers, stringifyJSON } from '../../api/json.js';
import type { KubeObject } from '../../api/object.js';
import { keyOffsets, type ParsedBody, parseBody } from '../../http/body.js';
import { type BodyFormat, bodyFormat, negotiate } from '../../http/negotiate.js';
import { applyJSONPatch } from '../../patch/json-patch.js';
import { applyMergePatch } from '../../patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../patch/strategic-merge-patch.js';
import { decodeProtobuf } from '../../protobuf/decode.js';
import type { WriteOptions } from '../../registry/store.js';
import type { SchemaNode } from '../../schema/navigate.js';
import { checkForDecode, floatLiteralError, isRuntimeDefinition, pruneUnknownFields, type SchemaTarget, unsafeNumberError } from '../../schema/validate.js';
import type { HandlerContext } from './context.js';

const objectMediaTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const patchMediaTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

export type PatchFormat = 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch';

/** Strict decoding errors: Strict refuses with `refuse`, Warn adds `Warning: 299` headers, Ignore drops them. */
function report(strictErrors: string[], opts: WriteOptions, refuse: (joined: string) => Error): void {
  if (!strictErrors.length || opts.fieldValidation === 'Ignore') return;
  if (opts.fieldValidation === 'Strict') throw refuse(strictErrors.join(', '));
  for (const w of strictErrors) if (!opts.warnings.includes(w)) opts.warnings.push(w);
}

/** The body of a create or update (or a Scale), decoded into an object of `target`'s kind. */
export async function decodeObject(ctx: HandlerContext, opts: WriteOptions, target: SchemaTarget = ctx.rt): Promise<KubeObject> {
  const contentType = ctx.ex.headers['content-type'];
  const format = bodyFormat(contentType);
  if (format !== 'json' && format !== 'yaml' && format !== 'protobuf') throw errors.unsupportedMediaType(contentType ?? '', objectMediaTypes);
  const raw = await ctx.ex.readBody();
  // 406 before writing, not after (a protobuf-only Accept, a Table of a review); after the body is read, so the
  // connection stays whole behind the LB (an answer before an unread body had the instance reset it: a 502 there).
  negotiate(ctx.ex.headers.accept, !ctx.rt.noTable);
  // kubectl's typed clients (create namespace, create configmap, ...) send protobuf: no duplicates, no unknown fields.
  if (format === 'protobuf') return decodeProtobuf(raw) as KubeObject;
  return decodeObjectBytes(raw, format, target, opts);
}

/** decodeObject without the exchange: JSON or YAML bytes to an object of `target`'s kind. */
export function decodeObjectBytes(raw: Buffer, format: 'json' | 'yaml', target: SchemaTarget, opts: WriteOptions): KubeObject {
  const parsed = parseBody(raw, format, target.kind, target.version);
  // A JSON null (or YAML ~) decodes into the zero object, as Go's json.Unmarshal of null leaves it.
  const value = parsed.value === null ? {} : parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.badRequest(`${target.kind} in version "${target.version}" cannot be handled as a ${target.kind}: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type struct`);
  }
  const obj = value as KubeObject;
  refuseUnsafeNumbers(target, obj, parsed);
  placeExactIntegers(obj, parsed.unsafeNumbers);
  const schema = checkForDecode(target, obj);
  // A decode error trumps strict errors, as in kube (the strict list would be incomplete).
  if (schema.decodeError) throw errors.badRequest(schema.decodeError);
  pruneUnknownFields(obj, schema.unknownPaths);
  const unknown = schema.unknownFields.map((f) => `unknown field ${JSON.stringify(f)}`);
  // A typed object's decoder reports both kinds as it meets them; a custom resource's duplicates come first.
  const strictErrors = format === 'json' && parsed.duplicates.length && unknown.length && !isRuntimeDefinition(target.definition)
    ? inDocumentOrder(raw.toString('utf8'), parsed, schema.unknownPaths, unknown)
    : [...parsed.duplicates, ...unknown];
  report(strictErrors, opts, (joined) => errors.badRequest(`${target.kind} in version "${target.version}" cannot be handled as a ${target.kind}: strict decoding error: ${joined}`));
  return obj;
}

function inDocumentOrder(text: string, parsed: ParsedBody, unknownPaths: string[][], unknown: string[]): string[] {
  const at = keyOffsets(text, unknownPaths);
  const all = [...parsed.duplicates.map((e, i) => ({ e, at: parsed.duplicateOffsets?.[i] ?? -1 })), ...unknown.map((e, i) => ({ e, at: at[i] }))];
  return all.sort((a, b) => a.at - b.at).map((x) => x.e);
}

function refuseUnsafeNumbers(target: SchemaTarget, obj: unknown, parsed: ParsedBody): void {
  for (const n of parsed.unsafeNumbers) {
    const message = unsafeNumberError(target, obj, n.path, n.literal);
    if (message) throw errors.badRequest(message);
  }
  for (const n of parsed.floatLiterals) {
    const message = floatLiteralError(target, obj, n.path, n.literal);
    if (message) throw errors.badRequest(message);
  }
}

export interface DecodedPatch {
  format: PatchFormat;
  patch: unknown;
  /** Strict errors found in the patch itself (duplicates); unknown fields are added from the patched object. */
  strictErrors: string[];
}

const jsonPatchFields = new Set(['op', 'path', 'from', 'value']);

/** A PATCH body of any patch type, with kube's strict checks on the patch itself. */
export async function decodePatch(ctx: HandlerContext, opts: WriteOptions): Promise<DecodedPatch> {
  const contentType = ctx.ex.headers['content-type'];
  const format: BodyFormat = bodyFormat(contentType);
  if (format === 'json' || format === 'yaml' || format === 'protobuf') throw errors.unsupportedMediaType(contentType ?? '', patchMediaTypes);
  return decodePatchBytes(await ctx.ex.readBody(), format, opts);
}

/** decodePatch without the exchange. */
export function decodePatchBytes(raw: Buffer, format: PatchFormat, opts: WriteOptions): DecodedPatch {
  const parsed = parseBody(raw, format === 'apply-patch' ? 'yaml' : 'json', '');
  // Go decodes a patch untyped: an int64 stays exact, a bigger integer is a float64, beyond that is an error.
  const n = parsed.unsafeNumbers.find((u) => !Number.isFinite(Number(u.literal)));
  if (n) throw errors.badRequest(`error decoding patch: json: cannot unmarshal number ${n.literal} into Go value of type float64`);
  const patch = placeExactIntegers(parsed.value, parsed.unsafeNumbers);
  let strictErrors = parsed.duplicates;
  if (format === 'apply-patch') {
    // kube decodes an apply configuration with sigs.k8s.io/yaml's strict unmarshal: a 400 of its own.
    report(strictErrors, opts, (joined) => errors.badRequest(`error strict decoding YAML: ${joined}`));
    strictErrors = [];
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw errors.badRequest('error decoding YAML: the apply configuration must be an object');
  } else if (format === 'json-patch') {
    if (!Array.isArray(patch)) throw errors.badRequest(`json: cannot unmarshal ${patch === null ? 'null' : typeof patch} into Go value of type jsonpatch.Patch`);
    patch.forEach((op, i) => {
      if (op && typeof op === 'object' && !Array.isArray(op)) {
        for (const k of Object.keys(op)) if (!jsonPatchFields.has(k)) strictErrors.push(`unknown field "[${i}].${k}"`);
      }
    });
    strictErrors = strictErrors.map((e) => `json patch ${e}`);
  } else if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw errors.badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch} into Go value of type map[string]interface {}`);
  }
  return { format, patch, strictErrors };
}

/**
 * The patch applied to the current object (a copy; `current` is left as it is). A strategic merge
 * patch reads the type's schema (schemaFor); apply does not come here (server/fieldmanager).
 */
export function applyPatch(p: DecodedPatch, current: unknown, schema?: SchemaNode): unknown {
  switch (p.format) {
    case 'json-patch': return applyJSONPatch(current, p.patch);
    case 'merge-patch': return applyMergePatch(current, p.patch);
    default: return applyStrategicMergePatch(current, p.patch, schema);
  }
}

/**
 * The patched object decoded as kube decodes it: unknown fields found (and dropped) on the result,
 * reported with the patch's own strict errors; Strict refuses with 422 naming the patch. Fields
 * `current` already had are left alone: kube's stored objects cannot hold unknown fields, ours may
 * (stored before they were pruned), and a patch must not fail on what it did not bring.
 */
export function decodePatched(p: DecodedPatch, patched: unknown, opts: WriteOptions, target: SchemaTarget, current?: KubeObject): KubeObject {
  if (!patched || typeof patched !== 'object' || Array.isArray(patched)) throw errors.badRequest('the patch did not produce an object');
  const obj = patched as KubeObject;
  const wholeJSON = p.format === 'json-patch' || p.format === 'merge-patch';
  // kube decodes a JSON or merge patch's result as its own kind: another kind does not decode.
  if (wholeJSON && current && (obj.kind !== current.kind || obj.apiVersion !== current.apiVersion)) {
    throw errors.invalid('', '', '', [field.invalid('patch', JSON.stringify(obj), `the patched object is a ${String(obj.apiVersion)}, Kind=${String(obj.kind)}, not a ${current.apiVersion}, Kind=${current.kind}`)]);
  }
  const schema = checkForDecode(target, obj);
  // kube shows the patched JSON for JSON and merge patches, the patch map (Go's %+v) for strategic merge.
  const shown = wholeJSON ? stringifyJSON(obj) : goValue(p.patch);
  // A decode error trumps strict errors: kube's decode of the patched result fails, 422 naming the
  // patch. Apply: the store reports it when it validates the result.
  if (schema.decodeError) {
    if (p.format !== 'apply-patch') throw errors.invalid('', '', '', [field.invalid('patch', shown, withoutKindPrefix(schema.decodeError))]);
    return obj;
  }
  const had = new Set(current ? checkForDecode(target, current).unknownFields : []);
  const brought = schema.unknownFields.map((f, i) => ({ f, path: schema.unknownPaths[i] })).filter((u) => !had.has(u.f));
  if (p.format === 'apply-patch' && brought.length) throw typedPatchError(target, obj, brought.map((u) => u.path));
  pruneUnknownFields(obj, brought.map((u) => u.path));
  const strictErrors = [...p.strictErrors, ...brought.map((u) => `unknown field ${JSON.stringify(u.f)}`)];
  report(strictErrors, opts, (joined) => errors.invalid('', '', '', [field.invalid('patch', shown, `strict decoding error: ${joined}`)]));
  return obj;
}

/**
 * kube's apply converts the configuration to its type first (structured-merge-diff): an unknown field
 * there is a 500 whatever fieldValidation says. That walk stops in each map at its first unknown field
 * (in Go's random map order; ours is the configuration's order), so fields after it go unreported.
 */
function typedPatchError(target: SchemaTarget, config: KubeObject, unknownPaths: string[][]): ApiError {
  const at = (path: string[]): unknown => path.reduce<unknown>((v, seg) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined), config);
  const firstUnknown = new Map<string, string>();
  for (const p of unknownPaths) {
    const parent = p.slice(0, -1).join('\u0000');
    if (!firstUnknown.has(parent)) firstUnknown.set(parent, p[p.length - 1]);
  }
  const reached = (p: string[]) => p.every((seg, j) => {
    const first = firstUnknown.get(p.slice(0, j).join('\u0000'));
    if (first === undefined || first === seg) return true;
    const keys = Object.keys(at(p.slice(0, j)) ?? {});
    return keys.indexOf(seg) < keys.indexOf(first);
  });
  const smdPath = (p: string[]) => p.map((seg, j) => (Array.isArray(at(p.slice(0, j))) ? `[${seg}]` : `.${seg}`)).join('');
  const lines = unknownPaths.filter((p) => reached(p) && firstUnknown.get(p.slice(0, -1).join('\u0000')) === p[p.length - 1])
    .map((p) => `${smdPath(p)}: field not declared in schema`).sort();
  const gv = target.group ? `${target.group}/${target.version}` : `/${target.version}`;
  const what = `${config.metadata?.namespace ?? ''}/${config.metadata?.name ?? ''}; ${gv}, Kind=${target.kind}`;
  return new ApiError(500, '', `failed to create typed patch object (${what}): ${lines.length === 1 ? lines[0] : `errors:\n  ${lines.join('\n  ')}`}`);
}

/** A decoded JSON value as Go's fmt prints a map[string]interface{}: `map[data:map[a:1]]`, keys sorted. */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goValue((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** The decode error without its `<Kind> in version "v1" cannot be handled as a <Kind>: ` prefix (one forward scan). */
function withoutKindPrefix(message: string): string {
  const phrase = ' cannot be handled as a ';
  for (let from = 0; ;) {
    const at = message.indexOf(phrase, from);
    if (at < 0) return message;
    const colon = message.indexOf(':', at + phrase.length);
    if (colon < 0) return message;
    if (message[colon + 1] === ' ') return message.slice(colon + 2);
    from = colon + 1; // a phrase before this colon ends at it too
  }
}
