import { isDeepStrictEqual } from 'node:util';
import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { mandatoryPriorityLevels } from './bootstrap-configuration.js';
import { validateConditions } from './conditions.js';
import { priorityLevelSpecShape } from './internal-shape.js';
import { requiredEntropyBits, maxHashBits } from '../../flowcontrol/shuffle-sharding.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const maxQueues = 10_000_000;
const preserveZeroSharesAnnotation = 'flowcontrol.k8s.io/v1beta3-preserve-zero-concurrency-shares';

/** kube's v1 defaulting of a PriorityLevelConfigurationSpec. */
export function defaultPriorityLevelSpec(spec: Obj): void {
  if (spec.limited) {
    const l = spec.limited as Obj;
    l.nominalConcurrencyShares ??= 30;
    l.lendablePercent ??= 0;
    const q = l.limitResponse?.queuing as Obj | undefined;
    if (q) {
      if (!q.handSize) q.handSize = 8;
      if (!q.queues) q.queues = 64;
      if (!q.queueLengthLimit) q.queueLengthLimit = 50;
    }
  }
  if (spec.exempt) {
    spec.exempt.nominalConcurrencyShares ??= 0;
    spec.exempt.lendablePercent ??= 0;
  }
}

function validatePercent(v: unknown, path: string): FieldError[] {
  return typeof v === 'number' && !(v >= 0 && v <= 100) ? [field.invalid(path, v, 'must be between 0 and 100, inclusive')] : [];
}

function validateQueuing(q: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const queues = q.queues ?? 0;
  const handSize = q.handSize ?? 0;
  const limit = q.queueLengthLimit ?? 0;
  if (limit <= 0) errs.push(field.invalid(`${path}.queueLengthLimit`, limit, 'must be positive'));
  if (queues <= 0) errs.push(field.invalid(`${path}.queues`, queues, 'must be positive'));
  else if (queues > maxQueues) errs.push(field.invalid(`${path}.queues`, queues, `must not be greater than ${maxQueues}`));
  if (handSize <= 0) errs.push(field.invalid(`${path}.handSize`, handSize, 'must be positive'));
  else if (handSize > queues) errs.push(field.invalid(`${path}.handSize`, handSize, `should not be greater than queues (${queues})`));
  else if (requiredEntropyBits(queues, handSize) > maxHashBits) {
    errs.push(field.invalid(`${path}.handSize`, handSize, `required entropy bits of deckSize ${queues} and handSize ${handSize} should not be greater than ${maxHashBits}`));
  }
  return errs;
}

function validateLimited(l: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const path = 'spec.limited';
  if ((l.nominalConcurrencyShares ?? 0) < 0) errs.push(field.invalid(`${path}.nominalConcurrencyShares`, l.nominalConcurrencyShares, 'must be a non-negative integer'));
  const lr = (l.limitResponse ?? {}) as Obj;
  if (lr.type === 'Reject') {
    if (lr.queuing != null) errs.push(field.forbidden(`${path}.limitResponse.queuing`, 'must be nil if limited.limitResponse.type is not Limited'));
  } else if (lr.type === 'Queue') {
    if (lr.queuing == null) errs.push(field.required(`${path}.limitResponse.queuing`, 'must not be empty if limited.limitResponse.type is Limited'));
    else errs.push(...validateQueuing(lr.queuing as Obj, `${path}.limitResponse.queuing`));
  } else errs.push(field.notSupported(`${path}.limitResponse.type`, lr.type ?? '', ['Queue', 'Reject']));
  errs.push(...validatePercent(l.lendablePercent, `${path}.lendablePercent`));
  if (typeof l.borrowingLimitPercent === 'number' && l.borrowingLimitPercent < 0) {
    errs.push(field.invalid(`${path}.borrowingLimitPercent`, l.borrowingLimitPercent, 'if specified, must be a non-negative integer'));
  }
  return errs;
}

/** kube's ValidatePriorityLevelConfigurationSpec, with the mandatory objects' fixed specs. */
function validateSpec(name: string, spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const mandatory = mandatoryPriorityLevels.find((m) => m.metadata.name === name);
  if (mandatory) {
    // exempt's spec.exempt is the operator's to tune; the rest is fixed.
    const strip = (s: Obj) => (name === 'exempt' ? { ...s, exempt: undefined } : s);
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(strip(spec))), JSON.parse(JSON.stringify(strip(mandatory.spec))))) {
      errs.push(field.invalid('spec', priorityLevelSpecShape(spec), `spec of '${name}'${name === 'exempt' ? " except the 'spec.exempt' field" : ''} must equal the fixed value`));
    }
  }
  if ((name === 'exempt') !== (spec.type === 'Exempt')) errs.push(field.invalid('spec.type', spec.type ?? '', "must be 'Exempt' if and only if `name` is 'exempt'"));
  switch (spec.type) {
    case 'Exempt':
      if (spec.limited != null) errs.push(field.forbidden('spec.limited', 'must be nil if the type is not Limited'));
      if (spec.exempt != null) {
        const e = spec.exempt as Obj;
        if (typeof e.nominalConcurrencyShares === 'number' && e.nominalConcurrencyShares < 0) errs.push(field.invalid('spec.exempt.nominalConcurrencyShares', e.nominalConcurrencyShares, 'must be a non-negative integer'));
        errs.push(...validatePercent(e.lendablePercent, 'spec.exempt.lendablePercent'));
      }
      break;
    case 'Limited':
      if (spec.exempt != null) errs.push(field.forbidden('spec.exempt', 'must be nil if the type is Limited'));
      if (spec.limited == null) errs.push(field.required('spec.limited', 'must not be empty when type is Limited'));
      else errs.push(...validateLimited(spec.limited as Obj));
      break;
    default:
      errs.push(field.notSupported('spec.type', spec.type ?? '', ['Exempt', 'Limited']));
  }
  return errs;
}

const queuingCell = (key: string) => (o: Obj) => (o.spec?.limited ? o.spec.limited.limitResponse?.queuing?.[key] ?? '<none>' : '<none>');

export const prioritylevelconfigurations = defineResource({
  group: 'flowcontrol.apiserver.k8s.io', version: 'v1', kind: 'PriorityLevelConfiguration', resource: 'prioritylevelconfigurations', namespaced: false,
  subresources: { status: true },
  strategy: {
    ...statusSplit(),
    trackGeneration: true,
    defaults(obj) {
      obj.spec ??= {};
      defaultPriorityLevelSpec(obj.spec as Obj);
    },
    validate(obj): FieldError[] {
      const errs: FieldError[] = [];
      if (obj.metadata.annotations?.[preserveZeroSharesAnnotation] !== undefined) {
        errs.push(field.forbidden('metadata.annotations', `annotation '${preserveZeroSharesAnnotation}' is forbidden`));
      }
      errs.push(...validateSpec(obj.metadata.name ?? '', (obj.spec ?? {}) as Obj), ...validateConditions(obj.status as Obj | undefined));
      return errs;
    },
    table: tableOf([
      ['Type', 'string', '`type` indicates whether this priority level is subject to limitation on request execution.  A value of `"Exempt"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do not detract from the capacity made available to other priority levels.  A value of `"Limited"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server\'s limited capacity is made available exclusively to this priority level. Required.', 0, (o: Obj) => o.spec?.type ?? ''],
      ['NominalConcurrencyShares', 'string', '`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level. This is the number of execution seats available at this priority level. This is used both for requests dispatched from this priority level as well as requests dispatched from other priority levels borrowing seats from this level. The server\'s concurrency limit (ServerCL) is divided among the Limited priority levels in proportion to their NCS values:\n\nNominalCL(i)  = ceil( ServerCL * NCS(i) / sum_ncs ) sum_ncs = sum[priority level k] NCS(k)\n\nBigger numbers mean a larger nominal concurrency limit, at the expense of every other priority level.\n\nIf not specified, this field defaults to a value of 30.\n\nSetting this field to zero supports the construction of a "jail" for this priority level that is used to hold some request(s)', 0, (o: Obj) => (o.spec?.limited ? o.spec.limited.nominalConcurrencyShares : '<none>')],
      ['Queues', 'string', '`queues` is the number of queues for this priority level. The queues exist independently at each apiserver. The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the distinguisher method of associated flow schemas irrelevant.  This field has a default value of 64.', 0, queuingCell('queues')],
      ['HandSize', 'string', '`handSize` is a small positive number that configures the shuffle sharding of requests into queues.  When enqueuing a request at this priority level the request\'s flow identifier (a string pair) is hashed and the hash value is used to shuffle the list of queues and deal a hand of the size specified here.  The request is put into one of the shortest queues in that hand. `handSize` must be no larger than `queues`, and should be significantly smaller (so that a few heavy flows do not saturate most of the queues).  See the user-facing documentation for more extensive guidance on setting this field.  This field has a default value of 8.', 0, queuingCell('handSize')],
      ['QueueLengthLimit', 'string', '`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be defaulted to 50.', 0, queuingCell('queueLengthLimit')],
    ]),
  },
});
