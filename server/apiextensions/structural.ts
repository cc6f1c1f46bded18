// The structural-schema rules a CRD version's openAPIV3Schema must follow (apiextensions v1), with
// kube's field paths and messages: every node typed (unless int-or-string or preserve-unknown-fields),
// arrays with items, object at the root, metadata limited to name and generateName, and the
// extension combinations kube refuses.
import { type FieldError, field } from '../api/errors.js';
import type { JSONSchemaProps } from './schema.js';
import { goRegexpError } from '../validation/go-regexp.js';

type Level = 'root' | 'item' | 'field';

export function structuralErrors(s: JSONSchemaProps | undefined, base: string): FieldError[] {
  if (!s || typeof s !== 'object') return [];
  const errs = walk(s, 'root', base);
  // kube sorts them so the answer does not depend on map order.
  return errs.sort((a, b) => `${a.field}: ${a.detailMessage()}`.localeCompare(`${b.field}: ${b.detailMessage()}`));
}

function walk(s: JSONSchemaProps, lvl: Level, at: string): FieldError[] {
  const errs: FieldError[] = [];
  const embedded = Boolean(s['x-kubernetes-embedded-resource']);
  if (s.type === 'array' && !s.items) errs.push(field.required(`${at}.items`, 'must be specified'));
  if (s.items) errs.push(...walk(s.items, 'item', `${at}.items`));
  for (const [k, v] of Object.entries(s.properties ?? {})) errs.push(...walk(v, 'field', `${at}.properties[${k}]`));
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
    if (lvl === 'root') errs.push(field.forbidden(`${at}.additionalProperties`, 'must not be used at the root'));
    if (s.properties) errs.push(field.forbidden(`${at}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    if (typeof s.additionalProperties === 'object') errs.push(...walk(s.additionalProperties, 'field', `${at}.additionalProperties`));
  }
  if (embedded && s.type !== 'object') {
    errs.push(s.type ? field.invalid(`${at}.type`, s.type, 'must be object if x-kubernetes-embedded-resource is true')
      : field.required(`${at}.type`, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) {
    const where = lvl === 'root' ? 'at the root' : lvl === 'item' ? 'for specified array items' : 'for specified object fields';
    errs.push(field.required(`${at}.type`, `must not be empty ${where}`));
  }
  if (embedded && s.additionalProperties !== undefined) errs.push(field.forbidden(`${at}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === 'root' && s.type && s.type !== 'object') errs.push(field.invalid(`${at}.type`, s.type, 'must be object at the root'));
  const checkMetadata = lvl === 'root' || embedded;
  for (const k of ['kind', 'apiVersion']) {
    const p = s.properties?.[k];
    if (p && checkMetadata && p.type !== 'string') errs.push(field.invalid(`${at}.properties[${k}].type`, p.type ?? '', 'must be string'));
  }
  const metadata = s.properties?.metadata;
  if (metadata) {
    if (checkMetadata && metadata.type !== 'object') errs.push(field.invalid(`${at}.properties[metadata].type`, metadata.type ?? '', 'must be object'));
    if (lvl === 'root') {
      const rest = Object.keys(metadata).filter((k) => !['type', 'default', 'properties', 'description'].includes(k));
      const props = Object.keys(metadata.properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
      if (rest.length || props.length) {
        errs.push(field.forbidden(`${at}.properties[metadata]`, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
      }
    }
  }
  if (s['x-kubernetes-int-or-string'] && s['x-kubernetes-preserve-unknown-fields']) {
    errs.push(field.invalid(`${at}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (s['x-kubernetes-int-or-string'] && embedded) {
    errs.push(field.invalid(`${at}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (typeof s.pattern === 'string' && s.pattern) {
    // Go's regexp.Compile, as kube: RE2 syntax, so no lookaround and no backreferences
    const error = goRegexpError(s.pattern);
    if (error) errs.push(field.invalid(`${at}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${error}`));
  }
  const listType = s['x-kubernetes-list-type'];
  if (listType !== undefined) {
    if (!['atomic', 'set', 'map'].includes(listType)) errs.push(field.notSupported(`${at}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
    if (s.type !== 'array') errs.push(field.invalid(`${at}.type`, s.type ?? '', 'must be array if x-kubernetes-list-type is specified'));
    if (listType === 'map' && !(s['x-kubernetes-list-map-keys'] ?? []).length) {
      errs.push(field.required(`${at}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
    }
  }
  return errs;
}
