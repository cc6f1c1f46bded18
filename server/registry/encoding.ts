// Between what storage holds (the storage version's JSON bytes) and what a client gets (its
// version, with resourceVersion). Encodings are kept on cache entries so reads do not re-encode.
import { parseExactJSON, stringifyJSON } from '../api/json.js';
import { apiVersionOf, clone, type KubeObject } from '../api/object.js';
import type { StoredValue } from '../storage/interface.js';
import type { ResourceType } from './types.js';

/** Bytes from storage to the object in the requested version, with resourceVersion set. */
export function decode(rt: ResourceType, sv: StoredValue): KubeObject {
  const obj = parseExactJSON(sv.value.toString()) as KubeObject;
  obj.metadata.resourceVersion = String(sv.modRevision);
  return fromStorage(rt, obj);
}

export function fromStorage(rt: ResourceType, obj: KubeObject): KubeObject {
  const out = rt.conversion ? rt.conversion.fromStorage(obj) : obj;
  out.apiVersion = apiVersionOf(rt.group, rt.version);
  out.kind = rt.kind;
  return out;
}

export function toStorage(rt: ResourceType, obj: KubeObject): KubeObject {
  const converted = rt.conversion ? rt.conversion.toStorage(clone(obj)) : clone(obj);
  // apiVersion, kind, metadata first: stored bytes then take a resourceVersion by splicing (see encodeEntry).
  const { apiVersion: _a, kind, metadata, ...rest } = converted;
  void _a;
  const out: KubeObject = { apiVersion: rt.storageVersion, kind: rt.conversion ? kind : rt.kind, metadata, ...rest };
  delete out.metadata.resourceVersion;
  delete out.metadata.selfLink;
  return out;
}

export function encode(obj: KubeObject): Buffer {
  return Buffer.from(stringifyJSON(obj));
}

/** JSON text of a stored value in the resource's version, with resourceVersion; kept on the entry. */
export function encodeEntry(rt: ResourceType, entry: StoredValue): string {
  const tag = `${rt.group}/${rt.version}`;
  const kept = entry.encoded?.get(tag);
  if (typeof kept === 'string') return kept;
  let text: string | undefined;
  if (!rt.conversion) {
    const head = `{"apiVersion":${JSON.stringify(rt.storageVersion)},"kind":${JSON.stringify(rt.kind)},"metadata":{`;
    const raw = entry.value.toString();
    if (raw.startsWith(head)) {
      const rv = `"resourceVersion":"${entry.modRevision}"`;
      text = head + rv + (raw[head.length] === '}' ? '' : ',') + raw.slice(head.length);
    }
  }
  text ??= stringifyJSON(decode(rt, entry));
  (entry.encoded ??= new Map()).set(tag, text);
  return text;
}

/** The parsed object of a stored value (read-only, shared through the entry). */
export function cachedObject(rt: ResourceType, entry: StoredValue): KubeObject {
  const tag = `obj:${rt.group}/${rt.version}`;
  const kept = entry.encoded?.get(tag);
  if (kept) return kept as KubeObject;
  const obj = decode(rt, entry);
  (entry.encoded ??= new Map()).set(tag, obj);
  return obj;
}
