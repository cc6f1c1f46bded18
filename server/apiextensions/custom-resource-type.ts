// A CustomResourceDefinition as ResourceTypes: one per served version, sharing one store in the
// storage version (conversion None: only apiVersion differs), each with a strategy built from the
// version's schema, subresources, printer columns and selectable fields.
import { type FieldError, field } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { type ResourceType, standardVerbs, type Strategy } from '../registry/types.js';
import { validateRules } from './cel.js';
import { printerColumnsTable, type PrinterColumn, simpleJSONPath } from './printer-columns.js';
import { CustomResourceSchema, type JSONSchemaProps } from './schema.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** A custom resource type with the compiled schema the decode step checks it against. */
export interface CustomResourceType extends ResourceType {
  customSchema: CustomResourceSchema;
}

/** kube's OpenAPI definition name for a custom kind: the group reversed, then version and kind. */
export function customDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** The storage prefix of a CRD's custom resources, kube-apiserver's `/registry/<group>/<plural>`. */
export function customStoragePrefix(group: string, plural: string): string {
  return `/registry/${group}/${plural}`;
}

export function isEstablished(crd: KubeObject): boolean {
  const conditions = ((crd.status as Obj | undefined)?.conditions ?? []) as Obj[];
  return conditions.some((c) => c.type === 'Established' && c.status === 'True');
}

/** Every version a CRD stores objects of, served or not: what deleting the CRD must empty. */
export function customResourceTypes(crd: KubeObject, servedOnly = true): CustomResourceType[] {
  const spec = (crd.spec ?? {}) as Obj;
  // Served under the names the server accepted (kube's status.acceptedNames), the requested ones before that.
  const accepted = (crd.status as Obj | undefined)?.acceptedNames as Obj | undefined;
  const names = accepted?.plural && accepted.kind ? accepted : spec.names ?? {};
  const versions = (spec.versions ?? []) as Obj[];
  const storage = versions.find((v) => v.storage)?.name ?? versions[0]?.name;
  return versions.filter((v) => !servedOnly || v.served).map((v) => customResourceType(spec, names, v, storage, versions));
}

function customResourceType(spec: Obj, names: Obj, v: Obj, storageName: string, versions: Obj[]): CustomResourceType {
  const group = String(spec.group);
  const schema = (v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as JSONSchemaProps;
  const customSchema = new CustomResourceSchema(schema);
  const subresources = (v.subresources ?? {}) as Obj;
  const hasStatus = Boolean(subresources.status);
  const scale = subresources.scale as Obj | undefined;
  const apiVersion = `${group}/${v.name}`;
  const strategy: Strategy = {
    trackGeneration: true,
    generationCountsStatus: !hasStatus,
    prepareForCreate(obj) {
      if (hasStatus) delete obj.status;
    },
    prepareForUpdate(obj, old) {
      if (hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = old.status;
      }
    },
    defaults: (obj) => customSchema.applyDefaults(obj),
    validate: (obj): FieldError[] => [...scaleErrors(scale, obj), ...rulesUnlessBlocked(customSchema, obj, undefined)],
    validateUpdate: (obj, old): FieldError[] => [...scaleErrors(scale, obj), ...rulesUnlessBlocked(customSchema, obj, old)],
    selectableFields: selectableFields(v.selectableFields),
    table: printerColumnsTable(v.additionalPrinterColumns as PrinterColumn[] | undefined),
  };
  return {
    group, version: v.name, kind: names.kind, listKind: names.listKind ?? `${names.kind}List`,
    resource: names.plural, singular: names.singular ?? String(names.kind).toLowerCase(),
    namespaced: spec.scope === 'Namespaced',
    shortNames: names.shortNames?.length ? names.shortNames : undefined,
    categories: names.categories?.length ? names.categories : undefined,
    verbs: standardVerbs,
    subresources: {
      status: hasStatus,
      scale: scale ? { specReplicasPath: scale.specReplicasPath, statusReplicasPath: scale.statusReplicasPath, labelSelectorPath: scale.labelSelectorPath } : undefined,
    },
    storagePrefix: customStoragePrefix(group, names.plural),
    storageVersion: `${group}/${storageName}`,
    // Conversion None: the stored object in this version is the same object; its schema's defaults apply on read too.
    conversion: {
      fromStorage(obj) {
        obj.apiVersion = apiVersion;
        customSchema.applyDefaults(obj);
        return obj;
      },
      toStorage: (obj) => obj,
    },
    definition: customDefinitionName(group, v.name, names.kind),
    strategy,
    schema: schema as Record<string, unknown>,
    deprecationWarning: v.deprecated ? (v.deprecationWarning ?? defaultDeprecationWarning(group, v.name, names.kind, versions)) : undefined,
    customResource: true,
    customSchema,
  };
}

/** kube's default: `<group>/<version> <Kind> is deprecated` (and the version to use instead, if one is served and not deprecated). */
function defaultDeprecationWarning(group: string, version: string, kind: string, versions: Obj[]): string {
  const better = versions.filter((o) => o.served && !o.deprecated).map((o) => o.name as string);
  const msg = `${group}/${version} ${kind} is deprecated`;
  return better.length ? `${msg}; use ${group}/${better[0]} ${kind}` : msg;
}

/** kube's scale checks: the replicas paths hold non-negative integers, the selector path a string. */
function scaleErrors(scale: Obj | undefined, obj: KubeObject): FieldError[] {
  if (!scale) return [];
  const errs: FieldError[] = [];
  const typeName = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? 'int64' : 'float64') : typeof v === 'boolean' ? 'bool' : Array.isArray(v) ? '[]interface {}' : v !== null && typeof v === 'object' ? 'map[string]interface {}' : typeof v);
  const goValue = (v: unknown) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
  for (const path of [scale.specReplicasPath, scale.statusReplicasPath] as string[]) {
    if (!path) continue;
    const v = simpleJSONPath(obj, path);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v)) errs.push(field.invalid(path, 0, `${path} accessor error: ${goValue(v)} is of the type ${typeName(v)}, expected int64`));
    else if (v < 0) errs.push(field.invalid(path, v, 'should be a non-negative integer'));
  }
  const selectorPath = scale.labelSelectorPath as string | undefined;
  const selector = selectorPath ? simpleJSONPath(obj, selectorPath) : undefined;
  if (selectorPath && selector !== undefined && selector !== null && typeof selector !== 'string') {
    errs.push(field.invalid(selectorPath, '', `${selectorPath} accessor error: ${goValue(selector)} is of the type ${typeName(selector)}, expected string`));
  }
  return errs;
}

/** Schema errors that make kube skip the CEL rules: the value is not what the rules were written for. */
const blocking = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

function rulesUnlessBlocked(schema: CustomResourceSchema, obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  if (schema.check(obj).causes.some((c) => blocking.has(c.type))) {
    return [field.invalid('<nil>', null, 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation')];
  }
  return validateRules(schema.root, withoutMeta(obj), old && withoutMeta(old));
}

/** The object as rules see it at the root: metadata is name and generateName only. */
function withoutMeta(obj: KubeObject): KubeObject {
  const { metadata, ...rest } = obj;
  return { ...rest, metadata: { name: metadata?.name, generateName: metadata?.generateName } } as KubeObject;
}

function selectableFields(fields: Obj[] | undefined): Strategy['selectableFields'] {
  if (!fields?.length) return undefined;
  const out: NonNullable<Strategy['selectableFields']> = {};
  for (const f of fields) {
    const name = String(f.jsonPath).replace(/^\./, '');
    out[name] = (obj) => {
      const v = simpleJSONPath(obj, f.jsonPath);
      return v === undefined || v === null ? undefined : String(v);
    };
  }
  return out;
}
