// kube's priority-and-fairness-config-producer post-start hook (pkg/registry/flowcontrol/ensurer): the
// suggested then the mandatory configuration objects are created when missing and kept up to date, and
// bootstrap objects no longer in the list are removed, at start and every minute after.
// - mandatory objects always get their spec back (exempt's spec.exempt is the operator's to tune);
// - suggested ones only while `apf.kubernetes.io/autoupdate-spec` is "true" (or missing/unparseable
//   on an object at generation 1, which nobody changed since it was created);
// - removal only of objects annotated autoupdate-spec=true.
// Every instance runs it, as every kube-apiserver does, and they do not fight: each update names the
// resourceVersion it was computed from and each delete its precondition, so the second writer gets a
// Conflict and leaves the object to the first; all instances aim at the same objects.
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { GenericStore } from '../../registry/store.js';
import type { ResourceType } from '../../registry/types.js';
import type { PostStartContext } from '../post-start.js';
import {
  autoUpdateAnnotation, mandatoryFlowSchemas, mandatoryPriorityLevels, suggestedFlowSchemas, suggestedPriorityLevels,
} from './bootstrap-configuration.js';
import { logger } from '../../logging/logger.js';
import { defaultFlowSchemaSpec, flowschemas } from './flowschemas.js';
import { defaultPriorityLevelSpec, prioritylevelconfigurations } from './prioritylevelconfigurations.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const fieldManager = 'api-priority-and-fairness-config-producer-v1';
const maintenanceMs = 60_000;
const write = { dryRun: false, fieldValidation: 'Ignore' as const, warnings: [] as string[], fieldManager };

/** kube's semantic equality: nil and empty lists, false and unset are the same. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Obj = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Obj)[k];
      if (x === null || x === undefined || x === false || (Array.isArray(x) && !x.length)) continue;
      out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

const sameSpec = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

interface Kind {
  rt: ResourceType;
  defaults(spec: Obj): void;
}

const fsKind: Kind = { rt: flowschemas, defaults: defaultFlowSchemaSpec };
const plKind: Kind = { rt: prioritylevelconfigurations, defaults: defaultPriorityLevelSpec };

/** kube's SpecEqualish: the bootstrap spec defaulted; exempt's tunable spec.exempt taken from the object. */
function specEqualish(kind: Kind, bootstrap: Obj, current: KubeObject): boolean {
  const expected = structuredClone(bootstrap.spec) as Obj;
  kind.defaults(expected);
  const actual = (current.spec ?? {}) as Obj;
  if (kind === plKind && bootstrap.metadata.name === 'exempt') {
    if (!actual.exempt) return false;
    expected.exempt = { ...expected.exempt, nominalConcurrencyShares: actual.exempt.nominalConcurrencyShares, lendablePercent: actual.exempt.lendablePercent };
  }
  return sameSpec(expected, actual);
}

function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  // Go's strconv.ParseBool.
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/** kube's ReviseIfNeeded: the object to write, or undefined when it is as it should be. */
export function reviseIfNeeded(kind: Kind, mandatory: boolean, current: KubeObject, bootstrap: Obj): KubeObject | undefined {
  const annotation = current.metadata.annotations?.[autoUpdateAnnotation];
  let autoUpdateSpec = mandatory;
  if (!autoUpdateSpec) autoUpdateSpec = parseBool(annotation) ?? current.metadata.generation === 1;
  const updateAnnotation = parseBool(annotation) !== autoUpdateSpec;
  const specChanged = autoUpdateSpec && !specEqualish(kind, bootstrap, current);
  if (!updateAnnotation && !specChanged) return undefined;
  const revised = structuredClone(current);
  if (specChanged) revised.spec = structuredClone(bootstrap.spec);
  if (updateAnnotation) revised.metadata.annotations = { ...revised.metadata.annotations, [autoUpdateAnnotation]: String(autoUpdateSpec) };
  return revised;
}

const isReason = (e: unknown, ...reasons: string[]) => e instanceof ApiError && reasons.includes(e.reason);

async function ensure(store: GenericStore, kind: Kind, bootstrap: Obj, mandatory: boolean): Promise<void> {
  const name = bootstrap.metadata.name as string;
  let current: KubeObject | undefined;
  for (;;) {
    try {
      current = await store.get(kind.rt, '', name);
      break;
    } catch (e) {
      if (!isReason(e, 'NotFound')) throw e;
    }
    try {
      await store.create(kind.rt, '', structuredClone(bootstrap) as KubeObject, write);
      return;
    } catch (e) {
      // Another instance created it meanwhile: look at what it wrote.
      if (!isReason(e, 'AlreadyExists')) throw e;
    }
  }
  const revised = reviseIfNeeded(kind, mandatory, current, bootstrap);
  if (!revised) return;
  try {
    await store.update(kind.rt, '', name, revised, write);
  } catch (e) {
    // Another writer was first: the next round looks again.
    if (!isReason(e, 'Conflict', 'NotFound')) throw e;
  }
}

async function removeUnwanted(store: GenericStore, kind: Kind, wanted: Obj[]): Promise<void> {
  const names = new Set(wanted.map((o) => o.metadata.name as string));
  const list = await store.list(kind.rt, '', {});
  for (const o of list.items) {
    if (names.has(o.metadata.name!) || parseBool(o.metadata.annotations?.[autoUpdateAnnotation]) !== true) continue;
    try {
      await store.delete(kind.rt, '', o.metadata.name!, { preconditions: { resourceVersion: o.metadata.resourceVersion } }, write);
    } catch (e) {
      if (!isReason(e, 'NotFound', 'Conflict')) throw e;
    }
  }
}

/** One round: suggested, then mandatory, then removal of dangling bootstrap objects (kube's order). */
export async function ensureAPFConfiguration(store: GenericStore): Promise<void> {
  for (const pl of suggestedPriorityLevels) await ensure(store, plKind, pl, false);
  for (const fs of suggestedFlowSchemas) await ensure(store, fsKind, fs, false);
  for (const pl of mandatoryPriorityLevels) await ensure(store, plKind, pl, true);
  for (const fs of mandatoryFlowSchemas) await ensure(store, fsKind, fs, true);
  await removeUnwanted(store, fsKind, [...mandatoryFlowSchemas, ...suggestedFlowSchemas]);
  await removeUnwanted(store, plKind, [...mandatoryPriorityLevels, ...suggestedPriorityLevels]);
}

const maintained = new WeakMap<GenericStore, NodeJS.Timeout>();

/** The hook: the first round must succeed (the hook runner retries it), then one a minute. */
export async function ensurePriorityAndFairnessConfiguration(ctx: PostStartContext): Promise<void> {
  await ensureAPFConfiguration(ctx.store);
  if (maintained.has(ctx.store)) return;
  const timer = setInterval(() => {
    ensureAPFConfiguration(ctx.store).catch((e: Error) => logger.error(`APF bootstrap ensurer: ${e.message}; will retry`));
  }, maintenanceMs);
  timer.unref();
  maintained.set(ctx.store, timer);
}

export function stopPriorityAndFairnessConfiguration(store: GenericStore): void {
  clearInterval(maintained.get(store));
  maintained.delete(store);
}
