import { isDeepStrictEqual } from 'node:util';
import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import type { TableDefinition } from '../../table/types.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../validation/names.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { mandatoryFlowSchemas } from './bootstrap-configuration.js';
import { validateConditions } from './conditions.js';
import { distinguisherShape, flowSchemaSpecShape } from './internal-shape.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const maxMatchingPrecedence = 10000;
const supportedVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'proxy', 'update', 'watch'];
const nsErrIntro = "each member of this list must be '*' or a DNS-1123 label; ";

/** kube's SetDefaults_FlowSchemaSpec. */
export function defaultFlowSchemaSpec(spec: Obj): void {
  if (!spec.matchingPrecedence) spec.matchingPrecedence = 1000;
}

function validateSubject(s: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const forbid = (key: 'user' | 'group' | 'serviceAccount', kind: string) => {
    if (s[key] != null) errs.push(field.forbidden(`${path}.${key}`, `${key} is forbidden when subject kind is not '${kind}'`));
  };
  switch (s.kind) {
    case 'ServiceAccount':
      if (!s.serviceAccount) errs.push(field.required(`${path}.serviceAccount`, "serviceAccount is required when subject kind is 'ServiceAccount'"));
      else {
        const sa = s.serviceAccount as Obj;
        if (!sa.name) errs.push(field.required(`${path}.serviceAccount.name`));
        else if (sa.name !== '*') for (const m of isDNS1123Subdomain(sa.name)) errs.push(field.invalid(`${path}.serviceAccount.name`, sa.name, m));
        if (sa.namespace) for (const m of isDNS1123Label(sa.namespace)) errs.push(field.invalid(`${path}.serviceAccount.namespace`, sa.namespace, m));
        else errs.push(field.required(`${path}.serviceAccount.namespace`, 'must specify namespace for service account'));
      }
      forbid('user', 'User');
      forbid('group', 'Group');
      break;
    case 'User':
      if (!s.user) errs.push(field.required(`${path}.user`, "user is required when subject kind is 'User'"));
      else if (!s.user.name) errs.push(field.required(`${path}.user.name`));
      forbid('serviceAccount', 'ServiceAccount');
      forbid('group', 'Group');
      break;
    case 'Group':
      if (!s.group) errs.push(field.required(`${path}.group`, "group is required when subject kind is 'Group'"));
      else if (!s.group.name) errs.push(field.required(`${path}.group.name`));
      forbid('serviceAccount', 'ServiceAccount');
      forbid('user', 'User');
      break;
    default:
      errs.push(field.notSupported(`${path}.kind`, s.kind ?? '', ['Group', 'ServiceAccount', 'User']));
  }
  return errs;
}

function validateVerbs(verbs: string[] | undefined, path: string): FieldError[] {
  if (!verbs?.length) return [field.required(`${path}.verbs`, 'verbs must contain at least one value')];
  if (verbs.includes('*')) return verbs.length > 1 ? [field.invalid(`${path}.verbs`, verbs, "if '*' is present, must not specify other verbs")] : [];
  return verbs.every((v) => supportedVerbs.includes(v)) ? [] : [field.notSupported(`${path}.verbs`, verbs, supportedVerbs)];
}

function nonResourceURLProblem(p: string): string | undefined {
  if (p === '') return 'must not be empty';
  if (p === '/') return undefined;
  if (!p.startsWith('/')) return 'must start with slash';
  if (p.includes(' ')) return 'must not contain white-space';
  if (p.includes('//')) return 'must not contain double slash';
  const wildcards = p.split('*').length - 1;
  if (wildcards > 1 || (wildcards === 1 && !p.endsWith('/*'))) return 'wildcard can only do suffix matching';
  return undefined;
}

function validateResourceRule(r: Obj, path: string): FieldError[] {
  const errs = validateVerbs(r.verbs, path);
  const groups: string[] = r.apiGroups ?? [];
  if (!groups.length) errs.push(field.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  else if (groups.length > 1 && groups.includes('*')) errs.push(field.invalid(`${path}.apiGroups`, groups, "if '*' is present, must not specify other api groups"));
  const resources: string[] = r.resources ?? [];
  if (!resources.length) errs.push(field.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  else if (resources.length > 1 && resources.includes('*')) errs.push(field.invalid(`${path}.resources`, resources, "if '*' is present, must not specify other resources"));
  const namespaces: string[] = r.namespaces ?? [];
  if (!namespaces.length && !r.clusterScope) errs.push(field.required(`${path}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace'));
  else if (namespaces.includes('*')) {
    if (namespaces.length > 1) errs.push(field.invalid(`${path}.namespaces`, namespaces, "if '*' is present, must not specify other namespaces"));
  } else {
    for (const [i, ns] of namespaces.entries()) for (const m of isDNS1123Label(ns)) errs.push(field.invalid(`${path}.namespaces[${i}]`, ns, nsErrIntro + m));
  }
  return errs;
}

function validateNonResourceRule(r: Obj, path: string): FieldError[] {
  const errs = validateVerbs(r.verbs, path);
  const urls: string[] = r.nonResourceURLs ?? [];
  if (!urls.length) errs.push(field.required(`${path}.nonResourceURLs`, 'nonResourceURLs must contain at least one value'));
  else if (urls.includes('*')) {
    if (urls.length > 1) errs.push(field.invalid(`${path}.nonResourceURLs`, urls, "if '*' is present, must not specify other non-resource URLs"));
  } else {
    for (const [i, u] of urls.entries()) {
      const problem = nonResourceURLProblem(u);
      if (problem) errs.push(field.invalid(`${path}.nonResourceURLs[${i}]`, u, problem));
    }
  }
  return errs;
}

/** kube's ValidateFlowSchemaSpec. */
function validateSpec(name: string, spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const mp = spec.matchingPrecedence ?? 0;
  if (mp <= 0) errs.push(field.invalid('spec.matchingPrecedence', mp, 'must be a positive value'));
  if (mp > maxMatchingPrecedence) errs.push(field.invalid('spec.matchingPrecedence', mp, `must not be greater than ${maxMatchingPrecedence}`));
  if (mp === 1 && name !== 'exempt') errs.push(field.invalid('spec.matchingPrecedence', mp, "only the schema named 'exempt' may have matchingPrecedence 1"));
  if (spec.distinguisherMethod != null && !['ByNamespace', 'ByUser'].includes(spec.distinguisherMethod.type)) {
    errs.push(field.notSupported('spec.distinguisherMethod.type', distinguisherShape(spec.distinguisherMethod), ['ByNamespace', 'ByUser']));
  }
  const pl = spec.priorityLevelConfiguration?.name ?? '';
  if (pl) for (const m of isDNS1123Subdomain(pl)) errs.push(field.invalid('spec.priorityLevelConfiguration.name', pl, m));
  else errs.push(field.required('spec.priorityLevelConfiguration.name', 'must reference a priority level'));
  for (const [i, rule] of ((spec.rules ?? []) as Obj[]).entries()) {
    const path = `spec.rules[${i}]`;
    if (rule.subjects?.length) for (const [j, s] of (rule.subjects as Obj[]).entries()) errs.push(...validateSubject(s, `${path}.subjects[${j}]`));
    else errs.push(field.required(`${path}.subjects`, 'subjects must contain at least one value'));
    if (!rule.resourceRules?.length && !rule.nonResourceRules?.length) errs.push(field.required(path, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
    for (const [j, r] of ((rule.resourceRules ?? []) as Obj[]).entries()) errs.push(...validateResourceRule(r, `${path}.resourceRules[${j}]`));
    for (const [j, r] of ((rule.nonResourceRules ?? []) as Obj[]).entries()) errs.push(...validateNonResourceRule(r, `${path}.nonResourceRules[${j}]`));
  }
  return errs;
}

/** kube's FlowSchemaSequence: the order classification tries schemas in (and `kubectl get` lists them). */
export function byMatchingPrecedence(a: Obj, b: Obj): number {
  const d = (a.spec?.matchingPrecedence ?? 0) - (b.spec?.matchingPrecedence ?? 0);
  return d !== 0 ? d : a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

const columns = tableOf([
  ['PriorityLevel', 'string', '`name` is the name of the priority level configuration being referenced Required.', 0, (o: Obj) => o.spec?.priorityLevelConfiguration?.name ?? ''],
  ['MatchingPrecedence', 'string', '`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default.', 0, (o: Obj) => o.spec?.matchingPrecedence ?? 0],
  ['DistinguisherMethod', 'string', '`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string.', 0, (o: Obj) => o.spec?.distinguisherMethod?.type ?? '<none>'],
  ['MissingPL', 'string', 'references a broken or non-existent PriorityLevelConfiguration', 0, (o: Obj) => ((o.status?.conditions ?? []) as Obj[]).find((c) => c.type === 'Dangling')?.status ?? '?'],
], { ageAt: 3 });

// kube's printFlowSchemaList sorts rows by matching precedence.
const table: TableDefinition = { ...columns, sortRows: byMatchingPrecedence };

export const flowschemas = defineResource({
  group: 'flowcontrol.apiserver.k8s.io', version: 'v1', kind: 'FlowSchema', resource: 'flowschemas', namespaced: false,
  subresources: { status: true },
  strategy: {
    ...statusSplit(),
    trackGeneration: true,
    defaults(obj) {
      obj.spec ??= {};
      defaultFlowSchemaSpec(obj.spec as Obj);
    },
    validate(obj): FieldError[] {
      const name = obj.metadata.name ?? '';
      const spec = (obj.spec ?? {}) as Obj;
      const errs: FieldError[] = [];
      const mandatory = mandatoryFlowSchemas.find((m) => m.metadata.name === name);
      if (mandatory && !isDeepStrictEqual(spec, mandatory.spec)) errs.push(field.invalid('spec', flowSchemaSpecShape(spec), `spec of '${name}' must equal the fixed value`));
      errs.push(...validateSpec(name, spec), ...validateConditions(obj.status as Obj | undefined));
      return errs;
    },
    table,
  },
});
