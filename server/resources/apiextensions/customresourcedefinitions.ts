// CustomResourceDefinitions: validated (structural schemas, CEL rules compiled), their names checked
// against the group's other CRDs (NamesAccepted, Established), their custom resources deleted with
// them. Serving the custom resources is server/apiextensions/crd-watcher.ts, on every instance.
import { field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { column } from '../../table/types.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../../validation/names.js';
import { nowTimestamp } from '../../registry/store.js';
import { defineResource } from '../define.js';
import type { StrategyContext } from '../../registry/types.js';
import { ApiError } from '../../api/errors.js';
import { compileErrors } from '../../apiextensions/cel.js';
import { customResourceTypes } from '../../apiextensions/custom-resource-type.js';
import { structuralErrors } from '../../apiextensions/structural.js';
import { defaultErrors } from '../../apiextensions/schema.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

function validateCRD(obj: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const names = spec.names ?? {};
  const errs: FieldError[] = [];
  if (!spec.group) errs.push(field.required('spec.group'));
  else {
    for (const m of isDNS1123Subdomain(spec.group)) errs.push(field.invalid('spec.group', spec.group, m));
    if (spec.group.split('.').length < 2) errs.push(field.invalid('spec.group', spec.group, "should be a domain with at least one dot"));
  }
  if (!names.plural) errs.push(field.required('spec.names.plural'));
  if (!names.kind) errs.push(field.required('spec.names.kind'));
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  if (names.plural && spec.group && obj.metadata.name !== `${names.plural}.${spec.group}`) {
    errs.push(field.invalid('metadata.name', obj.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  for (const k of ['plural', 'singular']) if (names[k]) for (const m of isDNS1035Label(names[k])) errs.push(field.invalid(`spec.names.${k}`, names[k], m));
  if (!['Namespaced', 'Cluster'].includes(spec.scope)) errs.push(field.notSupported('spec.scope', spec.scope ?? '', ['Cluster', 'Namespaced']));
  const versions: Obj[] = spec.versions ?? [];
  if (!versions.length) errs.push(field.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage).length !== 1) errs.push(field.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  // kube's internal version keeps one top-level schema when every version has the same: its errors are named there.
  const same = (k: string) => versions.length > 0 && versions.every((v) => JSON.stringify(v[k]) === JSON.stringify(versions[0][k]));
  const sameSchema = same('schema');
  for (const [i, v] of versions.entries()) {
    if (!v.name) errs.push(field.required(`spec.versions[${i}].name`));
    else if (seen.has(v.name)) errs.push(field.invalid('spec.versions', versions, 'must contain unique version names'));
    seen.add(v.name);
    if (v.name) for (const m of isDNS1035Label(v.name)) errs.push(field.invalid(`spec.versions[${i}].name`, v.name, m));
    const sub = same('subresources') ? 'spec.subresources' : `spec.versions[${i}].subresources`;
    if (!same('subresources') || i === 0) errs.push(...subresourceErrors(v.subresources, sub));
    const cols = same('additionalPrinterColumns') ? 'spec.additionalPrinterColumns' : `spec.versions[${i}].additionalPrinterColumns`;
    if (!same('additionalPrinterColumns') || i === 0) ((v.additionalPrinterColumns ?? []) as Obj[]).forEach((c, j) => errs.push(...columnErrors(c, `${cols}[${j}]`)));
    const schema = v.schema?.openAPIV3Schema;
    const at = sameSchema ? 'spec.validation.openAPIV3Schema' : `spec.versions[${i}].schema.openAPIV3Schema`;
    if (!schema) errs.push(field.required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
    else if (!sameSchema || i === 0) {
      const structural = structuralErrors(schema, at);
      // Defaults are checked against a schema only once it is structural, as in kube.
      errs.push(...structural, ...(structural.length ? [] : defaultErrors(schema, at)), ...compileErrors(schema, at));
    }
  }
  return errs;
}

const printerColumnTypes = ['boolean', 'date', 'integer', 'number', 'string'];
const printerColumnFormats = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

/** kube's validateSimpleJSONPath. */
function simpleJSONPathErrors(p: string, at: string): FieldError[] {
  if (!p) return [field.invalid(at, p, 'must not be empty')];
  if (!p.startsWith('.')) return [field.invalid(at, p, 'must be a simple json path starting with .')];
  return [];
}

function columnErrors(c: Obj, at: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(field.required(`${at}.name`));
  if (!c.type) errs.push(field.required(`${at}.type`, `must be one of ${printerColumnTypes.join(',')}`));
  else if (!printerColumnTypes.includes(c.type)) errs.push(field.invalid(`${at}.type`, c.type, `must be one of ${printerColumnTypes.join(',')}`));
  if (c.format && !printerColumnFormats.includes(c.format)) errs.push(field.invalid(`${at}.format`, c.format, `must be one of ${printerColumnFormats.join(',')}`));
  if (!c.jsonPath) errs.push(field.required(`${at}.JSONPath`));
  else errs.push(...simpleJSONPathErrors(c.jsonPath, `${at}.JSONPath`));
  return errs;
}

/** The scale subresource's paths: replicas under .spec and .status, the selector under either. */
function subresourceErrors(sub: Obj | undefined, at: string): FieldError[] {
  const scale = sub?.scale as Obj | undefined;
  if (!scale) return [];
  const errs: FieldError[] = [];
  const check = (key: string, prefixes: string[], why: string, required: boolean) => {
    const p = scale[key] as string | undefined;
    if (p === undefined || p === '') {
      if (required) errs.push(field.required(`${at}.scale.${key}`));
      return;
    }
    const bad = simpleJSONPathErrors(p, `${at}.scale.${key}`);
    if (bad.length) errs.push(...bad);
    else if (!prefixes.some((x) => p.startsWith(x))) errs.push(field.invalid(`${at}.scale.${key}`, p, why));
  };
  check('specReplicasPath', ['.spec.'], 'should be a json path under .spec', true);
  check('statusReplicasPath', ['.status.'], 'should be a json path under .status', true);
  check('labelSelectorPath', ['.spec.', '.status.'], 'should be a json path under either .spec or .status', false);
  return errs;
}

const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, lastTransitionTime: nowTimestamp(), reason, message });

/**
 * What kube's naming and establishing controllers decide, decided at the write: the names the group's
 * other CRDs have not taken are accepted; with all accepted the CRD is Established (and stays so).
 */
async function nameConditions(obj: KubeObject, ctx: StrategyContext): Promise<void> {
  const spec = (obj.spec ?? {}) as Obj;
  const status = (obj.status ??= {}) as Obj;
  const requested = spec.names ?? {};
  const accepted = (obj.metadata.generation === 1 && !(status.conditions ?? []).length ? {} : status.acceptedNames ?? {}) as Obj;
  const resources = new Set<string>();
  const kinds = new Set<string>();
  const others = await ctx.store.list(customresourcedefinitions, '', {});
  for (const o of others.items) {
    if (o.metadata.name === obj.metadata.name || (o.spec as Obj)?.group !== spec.group) continue;
    const n = ((o.status as Obj)?.acceptedNames ?? {}) as Obj;
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
    for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
  }
  const taken = (want: string | undefined, had: string | undefined, used: Set<string>) => Boolean(want) && want !== had && used.has(want!);
  const next: Obj = { ...accepted };
  let conflict: { reason: string; message: string } | undefined;
  const check = (key: string, used: Set<string>, reason: string) => {
    if (taken(requested[key], accepted[key], used)) conflict = { reason, message: `"${requested[key]}" is already in use` };
    else if (requested[key] !== undefined) next[key] = requested[key];
  };
  check('plural', resources, 'PluralConflict');
  check('singular', resources, 'SingularConflict');
  const shortClashes = (requested.shortNames ?? []).filter((n: string) => !(accepted.shortNames ?? []).includes(n) && resources.has(n));
  if (shortClashes.length) {
    const msgs = shortClashes.map((n: string) => `"${n}" is already in use`);
    conflict = { reason: 'ShortNamesConflict', message: msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]` };
  } else if (requested.shortNames !== undefined) next.shortNames = requested.shortNames;
  check('kind', kinds, 'KindConflict');
  check('listKind', kinds, 'ListKindConflict');
  if (requested.categories !== undefined) next.categories = requested.categories;
  else delete next.categories;
  // plural and kind are not omitempty in kube's type: present, empty while not accepted.
  status.acceptedNames = { plural: '', kind: '', ...next };
  const old = (status.conditions ?? []) as Obj[];
  const keep = (c: Obj) => {
    const was = old.find((o) => o.type === c.type);
    return was && was.status === c.status && was.reason === c.reason && was.message === c.message ? was : c;
  };
  const namesAccepted = conflict ? condition('NamesAccepted', 'False', conflict.reason, conflict.message)
    : condition('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found');
  const wasEstablished = old.find((c) => c.type === 'Established' && c.status === 'True');
  const established = wasEstablished ?? (conflict ? condition('Established', 'False', 'NotAccepted', 'not all names are accepted')
    : condition('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'));
  status.conditions = [keep(namesAccepted), keep(established), ...old.filter((c) => c.type !== 'NamesAccepted' && c.type !== 'Established')];
  const storage = (spec.versions ?? []).find((v: Obj) => v.storage)?.name;
  const stored: string[] = status.storedVersions ?? [];
  if (storage && !stored.includes(storage)) stored.push(storage);
  status.storedVersions = stored;
}

/** kube's CRD finalizer's work, done before the delete: every custom resource of the CRD goes. */
async function deleteCustomResources(crd: KubeObject, ctx: StrategyContext): Promise<void> {
  if (ctx.dryRun) return;
  const rt = customResourceTypes(crd, false).find((t) => `${t.group}/${t.version}` === t.storageVersion);
  if (!rt) return;
  const list = await ctx.store.list(rt, '', {});
  for (const item of list.items) {
    await ctx.store.delete(rt, item.metadata.namespace ?? '', item.metadata.name!, { propagationPolicy: 'Background' }, { dryRun: false, fieldValidation: 'Ignore', warnings: [] })
      .catch((e) => { if (!(e instanceof ApiError && e.code === 404)) throw e; });
  }
}

export const customresourcedefinitions = defineResource({
  group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions', namespaced: false,
  shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: { status: true },
  storage: 'apiextensions.k8s.io/customresourcedefinitions',
  strategy: {
    trackGeneration: true,
    prepareForCreate(obj) {
      // Names are accepted in beforeCreate, once validation has passed; the schema wants them present.
      obj.status = { acceptedNames: { ...((obj.spec as Obj | undefined)?.names ?? {}) }, conditions: [], storedVersions: [] };
    },
    prepareForUpdate(obj, old) {
      obj.status = old.status;
    },
    beforeCreate: nameConditions,
    async beforeUpdate(obj, old, ctx) {
      // A write through /status keeps what the client set; a spec write re-decides the names.
      if (JSON.stringify(obj.spec) !== JSON.stringify(old.spec)) await nameConditions(obj, ctx);
    },
    beforeDelete: deleteCustomResources,
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.conversion ??= { strategy: 'None' };
      spec.names ??= {};
      if (spec.names.kind) spec.names.listKind ??= `${spec.names.kind}List`;
      if (spec.names.kind) spec.names.singular ??= String(spec.names.kind).toLowerCase();
      // A condition's type and status have no omitempty: kube's typed round trip stores them as "".
      for (const c of ((obj.status as Obj | undefined)?.conditions ?? []) as Obj[]) {
        if (c && typeof c === 'object') { c.type ??= ''; c.status ??= ''; }
      }
    },
    validate: validateCRD,
    validateUpdate(obj, old) {
      const a = obj.spec as Obj;
      const b = old.spec as Obj;
      const errs: FieldError[] = [];
      if (a?.group !== b?.group) errs.push(field.invalid('spec.group', a?.group, 'field is immutable'));
      if (a?.names?.plural !== b?.names?.plural) errs.push(field.invalid('spec.names.plural', a?.names?.plural, 'field is immutable'));
      if (a?.scope !== b?.scope) errs.push(field.invalid('spec.scope', a?.scope, 'field is immutable'));
      return errs;
    },
    table: {
      columns: [
        column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
        column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
      ],
      cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
    },
  },
});
