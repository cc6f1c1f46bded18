// ValidatingAdmissionPolicy (kube's validating policy dispatcher): every policy whose
// matchConstraints match, with each binding whose matchResources match, evaluated per param
// (paramKind + paramRef) over CEL; a failed validation does what the binding's validationActions
// say: Deny refuses with kube's `ValidatingAdmissionPolicy 'p' with binding 'b' denied request: ...`,
// Warn adds a Warning header, Audit an audit annotation. Errors follow the policy's failurePolicy.
import { ApiError, errors, type StatusReason } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { decode } from '../registry/encoding.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { GenericStore } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';
import { labelSelectorFromObject } from '../selectors/labels.js';
import type { Storage } from '../storage/interface.js';
import { admissionRequest, toVersion } from './admission-review.js';
import { CachedReads } from './cached-reads.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './chain.js';
import { ValidatingAdmissionPolicies } from './validating-admission-policies.js';
import type { UserInfo } from '../authentication/user.js';
import type { Authorizer } from '../authorization/authorizer.js';
import { authorizerValue, registerAuthorizer } from './validating-admission-policy-authorizer.js';
import { PolicyActivation, RequestInputs, type Variable } from './validating-admission-policy-cel.js';
import { matchResources } from './validating-admission-policy-matching.js';
import { isExempt, type MatchingContext } from './webhook-matching.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const readyWaitMs = 10_000;
/** kube-apiserver's own writes are made as its loopback user. */
const loopbackUser: UserInfo = { name: 'system:apiserver', groups: ['system:authenticated', 'system:masters'] };
const maxAuditAnnotationValueLength = 10 * 1024;
const maxMessageLength = 5 * 1024;
const validationFailureKey = 'validation.policy.admission.k8s.io/validation_failure';

interface Denial { policy: string; binding?: string; message: string; reason: StatusReason }

/** A configuration problem (matching, params): the policy's failurePolicy decides. */
class ConfigurationError extends Error {}

export class ValidatingAdmissionPolicyPlugin implements AdmissionPlugin {
  readonly name = 'ValidatingAdmissionPolicy';
  readonly policies = new ValidatingAdmissionPolicies();
  private readonly reads: CachedReads;
  /** The authorizer the CEL `authorizer` asks (unset: expressions that use it fail). */
  private readonly authz?: { id: bigint; unregister: () => void };

  constructor(private readonly storage: Storage, private readonly types: TypeRegistry, authorizer?: Authorizer) {
    this.reads = new CachedReads(storage, types);
    if (authorizer) this.authz = registerAuthorizer(authorizer);
  }

  start(store: GenericStore): Promise<void> {
    return this.policies.start(store, this.types);
  }

  stop(): void {
    this.policies.stop();
    this.authz?.unregister();
  }

  handles(operation: Operation): boolean {
    return operation !== 'CONNECT';
  }

  async validate(attrs: AdmissionAttributes): Promise<void> {
    if (isExempt(attrs.resource)) return;
    if (!(await this.policies.whenSynced(readyWaitMs))) {
      throw errors.forbiddenResource(attrs.resource.group, attrs.resource.resource, attrs.name, 'not yet ready to handle request');
    }
    const hooks = this.policies.current();
    if (hooks.length === 0) return;
    const ctx = this.matching();
    const denials: Denial[] = [];
    // Inputs converted once per request (and matched version), whatever the number of policies.
    const shared = new Map<ResourceType, RequestInputs>();
    for (const { policy, bindings } of hooks) {
      const spec = (policy as Obj).spec ?? {};
      const failurePolicy = spec.failurePolicy ?? 'Fail';
      const configError = (message: string, binding?: KubeObject) => {
        if (failurePolicy === 'Ignore') return;
        denials.push({ policy: policy.metadata.name!, binding: binding?.metadata.name, reason: 'Invalid',
          message: failurePolicy === 'Fail' ? `failed to configure ${binding ? 'binding' : 'policy'}: ${message}` : `unrecognized failure policy: '${failurePolicy}'` });
      };
      let resource: ResourceType | undefined;
      try {
        resource = await matchResources(spec.matchConstraints ?? {}, attrs, ctx);
      } catch (e) {
        configError((e as Error).message);
        continue;
      }
      if (!resource) continue;
      let paramType: ResourceType | undefined;
      if (spec.paramKind) {
        paramType = this.paramType(spec.paramKind);
        if (!paramType) {
          configError(`failed to find resource referenced by paramKind: '${gvkOf(spec.paramKind)}'`);
          continue;
        }
      }
      const annotations = new Map<string, string[]>();
      for (const binding of bindings) {
        const bspec = (binding as Obj).spec ?? {};
        let params: Array<KubeObject | null>;
        try {
          if (bspec.matchResources && !(await matchResources(bspec.matchResources, attrs, ctx))) continue;
          params = await this.collectParams(paramType, bspec.paramRef, attrs.namespace);
        } catch (e) {
          configError((e as Error).message, binding);
          continue;
        }
        const namespaceObject = await this.namespaceObject(attrs);
        let inputs = shared.get(resource);
        if (!inputs) shared.set(resource, inputs = requestInputs(attrs, resource, namespaceObject, this.authz?.id));
        for (const param of params) {
          const result = evaluatePolicy(spec, attrs, resource, param, namespaceObject, this.authz?.id, inputs);
          result.decisions.forEach((d, index) => {
            if (!d) return;
            for (const action of bspec.validationActions ?? []) {
              if (action === 'Deny') denials.push({ policy: policy.metadata.name!, binding: binding.metadata.name, message: d.message, reason: d.reason });
              else if (action === 'Warn') attrs.warnings?.push(`Validation failed for ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${binding.metadata.name}': ${d.message}`);
              else if (action === 'Audit') {
                attrs.annotate?.(validationFailureKey, JSON.stringify([{ message: d.message, policy: bspec.policyName, binding: binding.metadata.name, expressionIndex: index, validationActions: bspec.validationActions }]));
              }
            }
          });
          for (const a of result.annotations) {
            if ('error' in a) {
              denials.push({ policy: policy.metadata.name!, binding: binding.metadata.name, message: a.error, reason: '' });
              continue;
            }
            const values = annotations.get(a.key) ?? [];
            if (!values.includes(a.value)) annotations.set(a.key, [...values, a.value]);
          }
        }
      }
      for (const [key, values] of annotations) attrs.annotate?.(`${policy.metadata.name}/${key}`, values.join(', '));
    }
    if (denials.length) throw denial(denials[0], attrs);
  }

  /** generic.CollectParams: the params a binding evaluates its policy with ([null] when it uses none). */
  private async collectParams(rt: ResourceType | undefined, paramRef: Obj | undefined, namespace: string): Promise<Array<KubeObject | null>> {
    if (!rt || !paramRef) return [null];
    let prefix = rt.storagePrefix;
    if (rt.namespaced) {
      const ns = paramRef.namespace || namespace;
      if (!ns) throw new ConfigurationError('cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
      prefix = `${prefix}/${ns}`;
    } else if (paramRef.namespace) {
      throw new ConfigurationError('paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
    }
    let params: KubeObject[];
    if (paramRef.name) {
      const found = (await this.storage.get(`${prefix}/${paramRef.name}`, { resourceVersion: '0' })).value;
      params = found ? [decode(rt, found)] : [];
    } else {
      const selector = labelSelectorFromObject(paramRef.selector);
      const list = await this.storage.list(`${prefix}/`, { resourceVersion: '0' });
      params = list.items.map((sv) => decode(rt, sv)).filter((o) => selector.matches(o.metadata.labels ?? {}));
    }
    if (params.length === 0 && paramRef.parameterNotFoundAction === 'Deny') {
      throw new ConfigurationError('no params found for policy binding with `Deny` parameterNotFoundAction');
    }
    return params;
  }

  /** The served type a policy's paramKind names (a custom resource's too, once its CRD is established). */
  private paramType(paramKind: Obj): ResourceType | undefined {
    const [group, version] = splitApiVersion(paramKind.apiVersion);
    return this.types.lookupKind(group, version, String(paramKind.kind ?? ''));
  }

  /** kube's CreateNamespaceObject: the request's namespace (none for a Namespace itself or a cluster-scoped object). */
  private async namespaceObject(attrs: AdmissionAttributes): Promise<KubeObject | null> {
    const isNamespace = attrs.resource.group === '' && attrs.resource.resource === 'namespaces';
    if (!attrs.namespace || isNamespace) return null;
    const ns = await this.reads.get('', 'namespaces', '', attrs.namespace);
    if (!ns) return null;
    const { managedFields: _managed, ...metadata } = ns.metadata as Obj;
    return { ...ns, metadata } as KubeObject;
  }

  private matching(): MatchingContext {
    return {
      types: this.types,
      namespaceLabels: async (name) => {
        const ns = await this.reads.get('', 'namespaces', '', name);
        return ns ? ns.metadata.labels ?? {} : undefined;
      },
      request: () => undefined,
    };
  }
}

/** The CEL inputs of a request as `resource` (its own or an equivalent version) sees it. */
export function requestInputs(attrs: AdmissionAttributes, resource: ResourceType, namespaceObject: KubeObject | null, authorizerId?: bigint): RequestInputs {
  const request = admissionRequest('', attrs, resource, undefined);
  delete request.object;
  delete request.oldObject;
  return new RequestInputs({
    object: toVersion(attrs.object, attrs.resource, resource) ?? null,
    oldObject: toVersion(attrs.oldObject, attrs.resource, resource) ?? null,
    request, namespaceObject,
    authorizer: authorizerId === undefined ? undefined : authorizerValue(authorizerId, attrs.user ?? loopbackUser,
      { group: attrs.resource.group, resource: attrs.resource.resource, subresource: attrs.subresource, namespace: attrs.namespace, name: attrs.name }),
  });
}

export interface PolicyDecision { message: string; reason: StatusReason }
export type AuditAnnotationResult = { key: string; value: string } | { error: string };

/** One policy over one request and param (kube's validator.Validate): a denial per failed validation (by index), and the audit annotations. */
export function evaluatePolicy(spec: Obj, attrs: AdmissionAttributes, resource: ResourceType, param: KubeObject | null, namespaceObject: KubeObject | null, authorizerId?: bigint,
  inputs = requestInputs(attrs, resource, namespaceObject, authorizerId)):
  { decisions: Array<PolicyDecision | undefined>; annotations: AuditAnnotationResult[] } {
  const failOnError = (spec.failurePolicy ?? 'Fail') !== 'Ignore';
  const activation = new PolicyActivation(inputs, param, (spec.variables ?? []) as Variable[]);

  // matchConditions: any false skips the policy; errors with none false follow failurePolicy.
  const conditionErrors: string[] = [];
  for (const c of (spec.matchConditions ?? []) as Obj[]) {
    const r = activation.evaluate(c.expression);
    if ('error' in r) conditionErrors.push(`failed to evaluate condition ${JSON.stringify(c.name)}: ${r.error}`);
    else if (r.value === false) return { decisions: [], annotations: [] };
    else if (r.value !== true) conditionErrors.push(`failed to evaluate condition ${JSON.stringify(c.name)}: expression '${c.expression}' resulted in non-bool type`);
  }
  if (conditionErrors.length) {
    const message = conditionErrors.length === 1 ? conditionErrors[0] : `[${conditionErrors.join(', ')}]`;
    return { decisions: failOnError ? [{ message, reason: '' }] : [], annotations: [] };
  }

  const decisions = ((spec.validations ?? []) as Obj[]).map((v): PolicyDecision | undefined => {
    const r = activation.evaluate(v.expression);
    if ('error' in r) return failOnError ? { message: r.error, reason: '' } : undefined;
    if (r.value === true) return undefined;
    let message = '';
    if (v.messageExpression) {
      const m = activation.evaluate(v.messageExpression);
      if ('value' in m && typeof m.value === 'string') {
        message = m.value.trim();
        if (message.length > maxMessageLength || message.includes('\n')) message = '';
      }
    }
    if (!message && v.message) message = String(v.message).trim();
    if (!message) message = `failed expression: ${String(v.expression).trim()}`;
    return { message, reason: (v.reason ?? 'Invalid') as StatusReason };
  });

  const annotations: AuditAnnotationResult[] = [];
  for (const a of (spec.auditAnnotations ?? []) as Obj[]) {
    const r = activation.evaluate(a.valueExpression);
    if ('error' in r) {
      if (failOnError) annotations.push({ error: r.error });
    } else if (typeof r.value === 'string') {
      const value = r.value.trim();
      if (value) annotations.push({ key: a.key, value: value.slice(0, maxAuditAnnotationValueLength) });
    } else if (r.value !== null) {
      annotations.push({ error: `valueExpression '${a.valueExpression}' resulted in unsupported return type: ${celTypeName(r.value)}. Return type must be either string or null.` });
    }
  }
  return { decisions, annotations };
}

function splitApiVersion(apiVersion: unknown): [string, string] {
  const v = String(apiVersion ?? '');
  const slash = v.indexOf('/');
  return slash < 0 ? ['', v] : [v.slice(0, slash), v.slice(slash + 1)];
}

/** schema.GroupVersionKind's String(): `group/version, Kind=kind`. */
function gvkOf(paramKind: Obj): string {
  const [group, version] = splitApiVersion(paramKind.apiVersion);
  return `${group}/${version}, Kind=${paramKind.kind ?? ''}`;
}

function celTypeName(v: unknown): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'map' : typeof v;
}

const reasonCodes: Record<string, number> = { Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413, Invalid: 422 };

/** The first denial as kube's dispatcher returns it: admission.NewForbidden's text, the validation's reason and code. */
function denial(d: Denial, attrs: AdmissionAttributes): ApiError {
  const message = d.binding
    ? `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`
    : `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`;
  const reason = d.reason || 'Invalid';
  const forbidden = errors.forbiddenResource(attrs.resource.group, attrs.resource.resource, attrs.name, message);
  return new ApiError(reasonCodes[reason] ?? 422, reason, forbidden.message, { ...forbidden.details, causes: [{ message }] });
}
