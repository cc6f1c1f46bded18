// Custom resource schemas at work without a server: validation messages, pruning, defaults, CEL rules
// and their cost bound, structural-schema errors, printer columns, and a CRD decoded from protobuf.
import { describe, expect, it } from 'vitest';
import { compileErrors, validateRules } from '../../server/apiextensions/cel.js';
import { customResourceTypes } from '../../server/apiextensions/custom-resource-type.js';
import { printerColumnsTable, simpleJSONPath } from '../../server/apiextensions/printer-columns.js';
import { CustomResourceSchema, defaultErrors, type JSONSchemaProps } from '../../server/apiextensions/schema.js';
import { structuralErrors } from '../../server/apiextensions/structural.js';
import type { KubeObject } from '../../server/api/object.js';
import { decodeProtobuf } from '../../server/protobuf/decode.js';
import { generationRelevantChange } from '../../server/registry/meta.js';
import { customresourcedefinitions } from '../../server/resources/apiextensions/customresourcedefinitions.js';
import { protobufBody } from '../support/protobuf.js';
import { fastestMs, linearBoundMs } from '../support/timing.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 10, default: 3 },
        color: { type: 'string', enum: ['red', 'blue'] },
        name: { type: 'string', maxLength: 5, pattern: '^[a-z]+$' },
        when: { type: 'string', format: 'date-time' },
        port: { 'x-kubernetes-int-or-string': true },
        note: { type: 'string', nullable: true },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', maxItems: 3 },
        ports: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer', default: 80 } } },
        },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};

const cr = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'x.example.com/v1', kind: 'W', metadata: { name: 'w' }, spec });
const messages = (s: CustomResourceSchema, obj: KubeObject) => s.check(obj).causes.map((c) => `${c.field}: ${c.detailMessage()}`);

describe('custom resource schema', () => {
  const s = new CustomResourceSchema(schema);

  it('accepts a valid object, int-or-string either way, null where nullable', () => {
    expect(messages(s, cr({ size: 2, color: 'red', port: 'http', note: null, when: '2026-01-01T00:00:00Z' }))).toEqual([]);
    expect(messages(s, cr({ size: 2, port: 8080 }))).toEqual([]);
  });

  it("reports kube-openapi's messages", () => {
    expect(messages(s, cr({ size: 'big' }))).toEqual(['spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"']);
    expect(messages(s, cr({ size: 11 }))).toEqual(['spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10']);
    expect(messages(s, cr({ size: 0 }))).toEqual(['spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1']);
    expect(messages(s, cr({}))).toEqual(['spec.size: Required value']);
    expect(messages(s, cr({ size: 1, color: 'pink' }))).toEqual(['spec.color: Unsupported value: "pink": supported values: "red", "blue"']);
    expect(messages(s, cr({ size: 1, name: 'abcdef' }))).toEqual(['spec.name: Too long: may not be more than 5 bytes']);
    expect(messages(s, cr({ size: 1, name: 'AB' }))).toEqual(['spec.name: Invalid value: "AB": spec.name in body should match \'^[a-z]+$\'']);
    expect(messages(s, cr({ size: 1, when: 'yesterday' }))).toEqual(['spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"']);
    expect(messages(s, cr({ size: 1, port: true }))).toEqual(['spec.port: Invalid value: "boolean": spec.port in body must be of type integer/string: "boolean"']);
    expect(messages(s, cr({ size: 1, tags: ['a', 'b', 'c', 'd'] }))).toEqual(['spec.tags: Too many: 4: must have at most 3 items']);
    expect(messages(s, cr({ size: 1, tags: ['a', 'a'] }))).toEqual(['spec.tags[1]: Duplicate value: "a"']);
    expect(messages(s, cr({ size: 1, ports: [{ name: 'http' }, { name: 'http', port: 1 }] }))).toEqual(['spec.ports[1]: Duplicate value: {"name":"http"}']);
    expect(messages(s, cr({ size: 1, template: { metadata: {} } }))).toEqual([
      'spec.template.apiVersion: Required value: must not be empty', 'spec.template.kind: Required value: must not be empty',
    ]);
  });

  it('finds unknown fields, keeping preserved ones and what an embedded resource implies', () => {
    const obj = cr({ size: 1, colour: 'red', extra: { anything: { goes: 1 } }, ports: [{ name: 'a', proto: 'TCP' }], template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, x: 1 } });
    const check = s.check(obj);
    expect(check.unknownFields).toEqual(['spec.colour', 'spec.ports[0].proto']);
    expect(check.unknownPaths).toEqual([['spec', 'colour'], ['spec', 'ports', '0', 'proto']]);
  });

  it('finds unknown metadata fields at the root and in embedded resources, all sorted by path as kube reports them', () => {
    const obj = { ...cr({ size: 1, zeta: 1, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', unknownSubMeta: 'x' } } }), unknownField: 1 };
    obj.metadata.unknownMeta = 'x';
    const check = s.check(obj);
    expect(check.unknownFields).toEqual(['metadata.unknownMeta', 'spec.template.metadata.unknownSubMeta', 'spec.zeta', 'unknownField']);
    expect(check.unknownPaths[0]).toEqual(['metadata', 'unknownMeta']);
  });

  it('applies defaults, also inside list items, and replaces a null that may not be null', () => {
    const obj = cr({ ports: [{ name: 'a' }, { name: 'b', port: 8080 }] });
    s.applyDefaults(obj);
    expect(obj.spec).toEqual({ size: 3, ports: [{ name: 'a', port: 80 }, { name: 'b', port: 8080 }] });
    const nulled = cr({ size: null });
    s.applyDefaults(nulled);
    expect(nulled.spec).toEqual({ size: 3 });
  });
});

describe('CEL rules', () => {
  const rules: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        'x-kubernetes-validations': [
          { rule: 'self.replicas <= self.max', messageExpression: "'replicas ' + string(self.replicas) + ' above ' + string(self.max)", fieldPath: '.replicas' },
          { rule: 'self.mode == oldSelf.mode', message: 'mode is immutable', reason: 'FieldValueForbidden' },
          { rule: "self.name.startsWith('x')" },
        ],
        properties: { replicas: { type: 'integer' }, max: { type: 'integer' }, mode: { type: 'string' }, name: { type: 'string' } },
      },
    },
  };
  const render = (errs: ReturnType<typeof validateRules>) => errs.map((e) => `${e.field}: ${e.detailMessage()}`);

  it('self, messageExpression, fieldPath and the default message', () => {
    expect(render(validateRules(rules, { spec: { replicas: 5, max: 3, mode: 'a', name: 'y' } }, undefined))).toEqual([
      'spec.replicas: Invalid value: replicas 5 above 3',
      "spec: Invalid value: failed rule: self.name.startsWith('x')",
    ]);
  });

  it('transition rules run only on update, with oldSelf, and reason picks the error type', () => {
    const next = { spec: { replicas: 1, max: 3, mode: 'b', name: 'x' } };
    expect(render(validateRules(rules, next, undefined))).toEqual([]);
    expect(render(validateRules(rules, next, { spec: { replicas: 1, max: 3, mode: 'a', name: 'x' } }))).toEqual(['spec: Forbidden: mode is immutable']);
  });

  it('a rule whose worst case exceeds the cost limit is not run', () => {
    const costly: JSONSchemaProps = {
      type: 'object',
      properties: { items: { type: 'array', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'self.all(a, self.all(b, self.all(c, a + b + c != "")))' }] } },
    };
    const small = { items: ['a', 'b'] };
    expect(render(validateRules(costly, small, undefined))).toEqual([]);
    const big = { items: Array.from({ length: 200 }, (_, i) => String(i)) };
    expect(render(validateRules(costly, big, undefined))[0]).toMatch(/^items: Invalid value: call cost exceeds limit for rule: /);
  });

  it('compile errors name the rule', () => {
    const bad: JSONSchemaProps = { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a +' }, { rule: 'true', reason: 'Nope' }] };
    expect(compileErrors(bad, 'spec.validation.openAPIV3Schema').map((e) => `${e.field}: ${e.type}`)).toEqual([
      'spec.validation.openAPIV3Schema.x-kubernetes-validations[0].rule: FieldValueInvalid',
      'spec.validation.openAPIV3Schema.x-kubernetes-validations[1].reason: FieldValueNotSupported',
    ]);
  });
});

describe('structural schemas', () => {
  const errs = (s: JSONSchemaProps) => structuralErrors(s, 'spec.validation.openAPIV3Schema').map((e) => `${e.field}: ${e.detailMessage()}`);

  it("refuses what kube refuses, with kube's paths and messages", () => {
    expect(errs({ type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } }))
      .toEqual(['spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields']);
    expect(errs({ type: 'object', properties: { list: { type: 'array' } } }))
      .toEqual(['spec.validation.openAPIV3Schema.properties[list].items: Required value: must be specified']);
    expect(errs({ type: 'string' })).toEqual(['spec.validation.openAPIV3Schema.type: Invalid value: "string": must be object at the root']);
    expect(errs({ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }))
      .toEqual(['spec.validation.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified']);
  });

  it('defaults must satisfy their own schema', () => {
    const s: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer', default: 'x' }, size: { type: 'integer', maximum: 5, default: 9 }, ok: { type: 'string', default: 'fine' } } } } };
    expect(defaultErrors(s, 'spec.validation.openAPIV3Schema').map((e) => `${e.field}: ${e.detailMessage()}`)).toEqual([
      'spec.validation.openAPIV3Schema.properties[spec].properties[replicas].default: Invalid value: "string":  in body must be of type integer: "string"',
      'spec.validation.openAPIV3Schema.properties[spec].properties[size].default: Invalid value: 9:  in body should be less than or equal to 5',
    ]);
  });

  // kube compiles a CRD's patterns with Go's regexp (RE2): what JavaScript alone accepts is refused with Go's error.
  it('refuses patterns Go\'s regexp cannot compile: lookaround, backreferences, \\Z', () => {
    const withPattern = (pattern: string) => errs({ type: 'object', properties: { spec: { type: 'object', properties: { name: { type: 'string', pattern } } } } });
    const at = 'spec.validation.openAPIV3Schema.properties[spec].properties[name].pattern';
    expect(withPattern('^(?=a)a$')).toEqual([`${at}: Invalid value: "^(?=a)a$": must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: \`(?=\``]);
    expect(withPattern('(a)\\1')).toEqual([`${at}: Invalid value: "(a)\\\\1": must be a valid regular expression, but isn't: error parsing regexp: invalid escape sequence: \`\\1\``]);
    expect(withPattern('(?<=a)b')).toEqual([`${at}: Invalid value: "(?<=a)b": must be a valid regular expression, but isn't: error parsing regexp: invalid named capture: \`(?<=a)b\``]);
    expect(withPattern('a\\Z')).toHaveLength(1);
    expect(withPattern('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(?P<x>\\.[a-z]+)*\\pL*$')).toEqual([]);
  });

  it('matches values against patterns in linear time (RE2), where JavaScript backtracks exponentially', () => {
    const s = new CustomResourceSchema({ type: 'object', properties: { spec: { type: 'object', properties: {
      a: { type: 'string', pattern: '^(a+)+$' }, b: { type: 'string', pattern: '^(\\w+\\s?)*$' }, c: { type: 'string', pattern: '(x+x+)+y' },
    } } } });
    const hostile = { a: 'a'.repeat(26) + '!', b: 'word '.repeat(8) + '!', c: 'x'.repeat(24) };
    expect(messages(s, cr(hostile))).toHaveLength(3);
    // 2^26 steps on JavaScript's RegExp: seconds; RE2: microseconds.
    expect(fastestMs(() => messages(s, cr(hostile)))).toBeLessThan(linearBoundMs);
    expect(messages(s, cr({ a: 'a'.repeat(100_000) + '!' }))).toHaveLength(1);
    // Linear, about 1 µs a character in pure JavaScript.
    expect(fastestMs(() => messages(s, cr({ a: 'a'.repeat(100_000) + '!' })))).toBeLessThan(5 * linearBoundMs);
    expect(messages(s, cr({ a: 'aaa', b: 'two words', c: 'xxy' }))).toEqual([]);
  });

  it('accepts the usual shapes', () => {
    expect(errs({ type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } }, spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, port: { 'x-kubernetes-int-or-string': true } } })).toEqual([]);
  });
});

describe('CustomResourceDefinition validation', () => {
  it("printer columns, scale paths and version names, at kube's hoisted or per-version paths", () => {
    const version = (name: string, extra: Record<string, unknown>) => ({ name, served: true, storage: name === 'v1', schema: { openAPIV3Schema: { type: 'object' } }, ...extra });
    const bad = { subresources: { scale: { specReplicasPath: '.replicas', statusReplicasPath: '.status.replicas' } }, additionalPrinterColumns: [{ name: 'X', type: 'float', jsonPath: '.spec.x' }, { name: 'Y', type: 'string', jsonPath: 'spec.y' }] };
    const crd = (versions: unknown[]) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'cols.c.example.com' }, spec: { group: 'c.example.com', scope: 'Namespaced', names: { plural: 'cols', kind: 'Col' }, versions } }) as KubeObject;
    const errs = (o: KubeObject) => customresourcedefinitions.strategy.validate!(o).map((e) => `${e.field}: ${e.detailMessage()}`);
    expect(errs(crd([version('v1', bad)]))).toEqual([
      'spec.subresources.scale.specReplicasPath: Invalid value: ".replicas": should be a json path under .spec',
      'spec.additionalPrinterColumns[0].type: Invalid value: "float": must be one of boolean,date,integer,number,string',
      'spec.additionalPrinterColumns[1].JSONPath: Invalid value: "spec.y": must be a simple json path starting with .',
    ]);
    expect(errs(crd([version('v1', bad), version('V2', {})]))).toEqual([
      'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".replicas": should be a json path under .spec',
      'spec.versions[0].additionalPrinterColumns[0].type: Invalid value: "float": must be one of boolean,date,integer,number,string',
      'spec.versions[0].additionalPrinterColumns[1].JSONPath: Invalid value: "spec.y": must be a simple json path starting with .',
      'spec.versions[1].name: Invalid value: "V2": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')',
    ]);
  });
});

describe('resource types from a CRD', () => {
  const crd: KubeObject = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.x.example.com' },
    spec: {
      group: 'x.example.com', scope: 'Cluster',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'], categories: ['all'] },
      versions: [
        { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } }, subresources: { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } },
        { name: 'v1beta1', served: true, storage: false, deprecated: true, schema: { openAPIV3Schema: { type: 'object' } } },
        { name: 'v1alpha1', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      ],
    },
  };

  it('one type per served version, one store, deprecation warnings', () => {
    const types = customResourceTypes(crd);
    expect(types.map((t) => [t.version, t.storagePrefix, t.storageVersion, t.namespaced, t.definition])).toEqual([
      ['v1', '/registry/x.example.com/widgets', 'x.example.com/v1', false, 'com.example.x.v1.Widget'],
      ['v1beta1', '/registry/x.example.com/widgets', 'x.example.com/v1', false, 'com.example.x.v1beta1.Widget'],
    ]);
    expect(types[1].deprecationWarning).toBe('x.example.com/v1beta1 Widget is deprecated; use x.example.com/v1 Widget');
    expect(types[0].subresources?.scale?.specReplicasPath).toBe('.spec.replicas');
    expect(customResourceTypes(crd, false)).toHaveLength(3);
  });

  it('generation counts status changes only without a status subresource', () => {
    const [v1] = customResourceTypes(crd);
    const withStatus = customResourceTypes({ ...crd, spec: { ...(crd.spec as object), versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} } }] } })[0];
    const old = { apiVersion: 'x.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { a: 1 }, status: { b: 1 } } as KubeObject;
    const changed = { ...old, status: { b: 2 } } as KubeObject;
    expect(generationRelevantChange(v1, changed, old)).toBe(true);
    expect(generationRelevantChange(withStatus, changed, old)).toBe(false);
  });

  it("the scale paths hold integers, checked with kube's accessor messages", () => {
    const [v1] = customResourceTypes(crd);
    const errs = (spec: Record<string, unknown>) => (v1.strategy.validate!({ apiVersion: 'x.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec }) ?? []).map((e) => `${e.field}: ${e.detailMessage()}`);
    expect(errs({ replicas: 2 })).toEqual([]);
    expect(errs({ replicas: 'two' })).toEqual(['.spec.replicas: Invalid value: 0: .spec.replicas accessor error: two is of the type string, expected int64']);
    expect(errs({ replicas: -1 })).toEqual(['.spec.replicas: Invalid value: -1: should be a non-negative integer']);
  });

  it('printer columns and simple JSONPath', () => {
    const obj = { metadata: { name: 'a', creationTimestamp: new Date(Date.now() - 65000).toISOString() }, status: { conditions: [{ type: 'Ready', status: 'True' }] }, spec: { n: 2 } } as unknown as KubeObject;
    expect(simpleJSONPath(obj, '.status.conditions[?(@.type=="Ready")].status')).toBe('True');
    expect(simpleJSONPath(obj, '{.status.conditions[0].type}')).toBe('Ready');
    const table = printerColumnsTable([{ name: 'N', type: 'integer', jsonPath: '.spec.n' }, { name: 'Missing', type: 'string', jsonPath: '.spec.none' }]);
    expect(table.columns.map((c) => c.name)).toEqual(['Name', 'N', 'Missing']);
    expect(table.cells(obj, Date.now())).toEqual(['a', 2, null]);
    expect(printerColumnsTable(undefined).cells(obj, Date.now())).toEqual(['a', '65s']);
  });
});

describe('CustomResourceDefinition from protobuf (client-go apiextensions clientset)', () => {
  it('decodes the schema, its raw JSON defaults and enums, and the or-types', () => {
    const raw = (v: unknown) => ({ raw: Buffer.from(JSON.stringify(v)) });
    const body = protobufBody('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition', {
      metadata: { name: 'gadgets.go.example.com' },
      spec: {
        group: 'go.example.com', scope: 'Namespaced', names: { plural: 'gadgets', kind: 'Gadget' },
        versions: [{
          name: 'v1', served: true, storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: {
            size: { type: 'integer', minimum: 0, default: raw(3) },
            color: { type: 'string', enum: [raw('red'), raw('blue')] },
            labels: { type: 'object', additionalProperties: { allows: true, schema: { type: 'string' } } },
            extra: { type: 'object', xKubernetesPreserveUnknownFields: true },
          } } } } },
        }],
      },
    });
    const crd = decodeProtobuf(body) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(crd.kind).toBe('CustomResourceDefinition');
    const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    expect(spec.properties.size).toEqual({ type: 'integer', minimum: 0, default: 3 });
    expect(spec.properties.color.enum).toEqual(['red', 'blue']);
    expect(spec.properties.labels.additionalProperties).toEqual({ type: 'string' });
    expect(spec.properties.extra['x-kubernetes-preserve-unknown-fields']).toBe(true);
  });
});
