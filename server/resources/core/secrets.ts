import { errors, type FieldError, field } from '../../api/errors.js';
import { setOwn } from '../../api/object.js';
import { tableOf } from '../../table/format.js';
import { isConfigMapKey } from '../../validation/names.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const maxSecretBytes = 1024 * 1024;

export const secrets = defineResource({
  group: '', version: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true,
  strategy: {
    defaults(obj) {
      obj.type ??= 'Opaque';
      // data is []byte to kube: bad base64 fails decoding (400), before any validation.
      for (const v of Object.values((obj.data ?? {}) as Record<string, unknown>)) {
        const at = base64Error(v);
        if (at !== undefined) throw errors.badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${at}`);
      }
      // stringData is write-only: merged into data (base64) as kube-apiserver does.
      const stringData = obj.stringData as Record<string, string> | undefined;
      if (stringData) {
        const data = (obj.data ??= {}) as Record<string, string>;
        for (const [k, v] of Object.entries(stringData)) setOwn(data, k, Buffer.from(String(v)).toString('base64'));
        delete obj.stringData;
      }
    },
    validate(obj): FieldError[] {
      const errs: FieldError[] = [];
      let total = 0;
      for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) {
        for (const m of isConfigMapKey(k)) errs.push(field.invalid(`data[${k}]`, k, m));
        total += Buffer.from(v, 'base64').length;
      }
      if (total > maxSecretBytes) errs.push(field.tooLong('data', '', maxSecretBytes));
      const data = (obj.data ?? {}) as Obj;
      if (obj.type === 'kubernetes.io/tls') {
        if (data['tls.crt'] === undefined) errs.push(field.required('data[tls.crt]'));
        if (data['tls.key'] === undefined) errs.push(field.required('data[tls.key]'));
      }
      if (obj.type === 'kubernetes.io/dockerconfigjson' && data['.dockerconfigjson'] === undefined) errs.push(field.required('data[.dockerconfigjson]'));
      if (obj.type === 'kubernetes.io/basic-auth' && data.username === undefined && data.password === undefined) {
        errs.push(field.required('data[username]', 'either username or password is required'));
      }
      return errs;
    },
    validateUpdate(obj, old) {
      const errs: FieldError[] = [];
      if (obj.type !== old.type) errs.push(field.invalid('type', obj.type, 'field is immutable'));
      if (old.immutable === true) {
        if (JSON.stringify(obj.data ?? {}) !== JSON.stringify(old.data ?? {})) errs.push(field.forbidden('data', 'field is immutable when `immutable` is set'));
        if (obj.immutable !== true) errs.push(field.forbidden('immutable', 'field is immutable when `immutable` is set'));
      }
      return errs;
    },
    selectableFields: { type: (o) => (o.type as string) ?? '' },
    table: tableOf([
      ['Type', 'string', 'The type of the secret', 0, (o: Obj) => o.type ?? ''],
      ['Data', 'string', 'The number of entries in data', 0, (o: Obj) => String(Object.keys(o.data ?? {}).length)],
    ]),
  },
});

/** Where Go's base64.StdEncoding would fail on this value (it skips CR and LF), or undefined when it decodes. */
function base64Error(v: unknown): number | undefined {
  if (typeof v !== 'string') return 0;
  const chars = [...v].map((c, i) => [c, i] as const).filter(([c]) => c !== '\r' && c !== '\n');
  const body = chars.map(([c]) => c).join('');
  const bad = body.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return chars[bad][1];
  const pad = body.indexOf('=');
  if (pad >= 0 && (!/^=+$/.test(body.slice(pad)) || body.length - pad > 2)) return chars[pad][1];
  if (body.length % 4) return v.length - (body.length % 4 === 1 ? 1 : 0);
  return undefined;
}
