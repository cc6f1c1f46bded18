// kube's config controller keeps each FlowSchema's Dangling condition: False ("Found") while its priority
// level exists, True ("NotFound") while it does not (`kubectl get flowschemas` prints it as MISSINGPL).
// Every instance may write it; a write names the resourceVersion it was computed from, so of instances
// racing the first wins and the others' Conflict is dropped: they all want the same condition.
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { GenericStore } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const fieldManager = 'api-priority-and-fairness-config-consumer-v1';

export function danglingCondition(fs: Obj, priorityLevelExists: boolean): Obj {
  const pl = fs.spec?.priorityLevelConfiguration?.name ?? '';
  return priorityLevelExists
    ? { type: 'Dangling', status: 'False', reason: 'Found', message: `This FlowSchema references the PriorityLevelConfiguration object named "${pl}" and it exists` }
    : { type: 'Dangling', status: 'True', reason: 'NotFound', message: `This FlowSchema references the PriorityLevelConfiguration object named "${pl}" but there is no such object` };
}

export async function syncFlowSchemaStatus(store: GenericStore, rt: ResourceType, flowSchemas: Obj[], priorityLevels: Set<string>): Promise<void> {
  for (const fs of flowSchemas) {
    if (!fs.metadata?.resourceVersion) continue; // an imagined mandatory schema: nothing stored to write to
    const want = danglingCondition(fs, priorityLevels.has(fs.spec?.priorityLevelConfiguration?.name));
    const conditions = ((fs.status?.conditions ?? []) as Obj[]);
    const have = conditions.find((c) => c.type === 'Dangling');
    if (have && have.status === want.status && have.reason === want.reason && have.message === want.message) continue;
    const updated = structuredClone(fs) as KubeObject;
    updated.status = { ...fs.status, conditions: [...conditions.filter((c) => c.type !== 'Dangling'), { ...want, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] };
    try {
      await store.update(rt, '', fs.metadata.name, updated, { dryRun: false, fieldValidation: 'Ignore', warnings: [], fieldManager }, 'status');
    } catch (e) {
      if (!(e instanceof ApiError && (e.reason === 'Conflict' || e.reason === 'NotFound'))) throw e;
    }
  }
}
