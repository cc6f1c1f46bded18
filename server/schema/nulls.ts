// JSON nulls as kube's typed decoding leaves them: a null struct field is the zero value (absent to
// every client reading JSON, so it is dropped), a null map value or list item is its element's zero
// value ("" for map[string]string, as Go's encoding/json fills it). Free-form fields keep their nulls.
import { builtinDefinitions, quantityDefinition, refName, type Schema } from './definitions.js';
import { resolve } from './navigate.js';

/** Go's zero value of an element type, as encoding/json writes it back; undefined drops the entry. */
function zeroOf(schema: Schema | undefined): unknown {
  const s = resolve(schema);
  if (!s) return undefined;
  if (s.format === 'int-or-string' || s['x-kubernetes-int-or-string']) return 0;
  if (s.format === 'quantity' || (schema?.$ref && refName(schema.$ref) === quantityDefinition)) return '0';
  switch (s.type) {
    case 'string': return '';
    case 'integer': case 'number': return 0;
    case 'boolean': return false;
    case 'object': return s.properties ? {} : undefined;
    default: return undefined;
  }
}

function walk(value: unknown, schema: Schema | undefined): void {
  const s = resolve(schema);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (item !== null) walk(item, s?.items);
      else if (s?.items) value[i] = zeroOf(s.items) ?? null;
    });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  const isMap = !s?.properties && s?.additionalProperties && typeof s.additionalProperties === 'object';
  // A free-form object (RawExtension, preserve-unknown-fields) is kept as the client sent it.
  if (s && !s.properties && !isMap) return;
  for (const key of Object.keys(o)) {
    const child = isMap ? (s!.additionalProperties as Schema) : s?.properties && Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
    if (o[key] !== null) walk(o[key], child);
    else if (!isMap) delete o[key];
    else {
      const zero = zeroOf(child);
      if (zero === undefined) delete o[key];
      else o[key] = zero;
    }
  }
}

/**
 * Rewrites the nulls of `obj` (a `definition` object) in place; without a known definition every
 * null field is dropped.
 */
export function zeroNulls(definition: string, obj: unknown): void {
  walk(obj, builtinDefinitions()[definition] ? { $ref: `#/definitions/${definition}` } : undefined);
}
