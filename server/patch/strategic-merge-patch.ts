// Strategic merge patch (application/strategic-merge-patch+json) for built-in types.
// Lists of objects merge by their patch merge key, as kube-apiserver's patch strategy tags say;
// our schemas come from client models that do not carry those tags, so the keys users meet most
// are listed here by field name. Lists not listed are replaced, as for a merge patch.
// Directives: $patch: replace|delete|merge, $retainKeys, $deleteFromPrimitiveList/<field>,
// $setElementOrder/<field> (order is kept as given by the merge).
import { ApiError, errors } from '../api/errors.js';
import { getOwn, setOwn } from '../api/object.js';
import { isObject } from './merge-patch.js';

/** Field name -> merge key, for lists of objects merged element by element. */
const mergeKeys: Record<string, string> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', env: 'name', volumes: 'name',
  volumeMounts: 'mountPath', volumeDevices: 'devicePath', imagePullSecrets: 'name', hostAliases: 'ip',
  conditions: 'type', ownerReferences: 'uid', topologySpreadConstraints: 'topologyKey', resourceClaims: 'name',
  secrets: 'name', taints: 'key', readinessGates: 'conditionType', subsets: '', images: '',
};

/** Lists of scalars merged as sets. */
const mergedScalarLists = new Set(['finalizers']);

/** Port lists: containers key by containerPort, services by port. */
function portKey(items: unknown[]): string | undefined {
  const first = items.find(isObject);
  if (!first) return undefined;
  if (Object.hasOwn(first, 'containerPort')) return 'containerPort';
  if (Object.hasOwn(first, 'port')) return 'port';
  return undefined;
}

export function applyStrategicMergePatch(original: unknown, patch: unknown): unknown {
  if (!isObject(patch)) throw errors.badRequest('strategic merge patch must be a JSON object');
  return mergeMap(isObject(original) ? original : {}, patch);
}

function mergeMap(original: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const directive = getOwn(patch, '$patch');
  if (directive === 'replace') {
    const { $patch: _p, ...rest } = patch;
    void _p;
    return stripDirectives(rest) as Record<string, unknown>;
  }
  if (directive === 'delete') return {};
  // kube's handleDirectiveInMergeMap: any other $patch in a map is an error (kube answers it with a
  // reasonless 500); the client sent it, so it is a 400 here, with kube's message.
  if (directive !== undefined) throw errors.badRequest(`unknown patch type: ${goValue(directive)} in map: ${goValue(patch)}`);
  const out: Record<string, unknown> = { ...original };
  const retain = getOwn(patch, '$retainKeys');
  const retainKeys = Array.isArray(retain) ? new Set(retain.map(String)) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const name = k.slice('$deleteFromPrimitiveList/'.length);
      if (!Array.isArray(v)) throw errors.badRequest('invalid patch: $deleteFromPrimitiveList must be a list');
      const drop = new Set(v.map((x) => JSON.stringify(x)));
      const list = getOwn(out, name);
      if (Array.isArray(list)) setOwn(out, name, list.filter((x) => !drop.has(JSON.stringify(x))));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = getOwn(out, k);
    if (isObject(v)) setOwn(out, k, isObject(cur) ? mergeMap(cur, v) : mergeMap({}, v));
    else if (Array.isArray(v)) setOwn(out, k, mergeList(k, Array.isArray(cur) ? cur : undefined, v));
    else setOwn(out, k, v);
  }
  if (retainKeys) for (const k of Object.keys(out)) if (!retainKeys.has(k) && !Object.hasOwn(patch, k)) delete out[k];
  return out;
}

function mergeList(fieldName: string, original: unknown[] | undefined, patch: unknown[]): unknown[] {
  const directive = (p: unknown) => (isObject(p) ? getOwn(p, '$patch') : undefined);
  if (patch.some((p) => directive(p) === 'replace')) {
    return patch.filter((p) => directive(p) !== 'replace').map(stripDirectives);
  }
  if (mergedScalarLists.has(fieldName)) {
    const out = [...(original ?? [])];
    for (const p of patch) if (!out.some((o) => JSON.stringify(o) === JSON.stringify(p))) out.push(p);
    return out;
  }
  const key = fieldName === 'ports' ? portKey([...patch, ...(original ?? [])]) : getOwn(mergeKeys, fieldName) as string | undefined;
  if (!key || !original) return patch.filter((p) => directive(p) !== 'delete').map(stripDirectives);
  const out = original.map((o) => o);
  for (const p of patch) {
    if (!isObject(p)) continue;
    const idx = out.findIndex((o) => isObject(o) && getOwn(o, key) === getOwn(p, key));
    if (directive(p) === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = mergeMap(out[idx] as Record<string, unknown>, p);
    else out.push(stripDirectives(p));
  }
  return out;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) setOwn(out, k, stripDirectives(x));
  return out;
}

/** A decoded JSON value as Go's %v prints it: `map[$patch:bogus]`, keys sorted. */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.keys(v).sort().map((k) => `${k}:${goValue((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  return String(v);
}
