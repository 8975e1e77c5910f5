// The layout of the ordered key space. Every key the engine writes is built here.
//
//   m/{tenant}/{kind}/{id...}                metadata (the global partition; always in memory)
//   m/_cluster/{kind}/{id}                   cluster-scoped metadata (tenants, principals)
//   c/{ppp}/w/{tenant}/{rootWfRun}/{kind}/…  everything that belongs to one WfRun and its children
//   c/{ppp}/k/{tenant}/{entity:key}/…        an entity group: state keyed by something other than
//                                            a WfRun (a correlation key, a ScheduledWfRun)
//   c/{ppp}/t/{dueMs}/{timerId}              timers, in due order
//   c/{ppp}/q/{tenant}/{taskDef}/{taskRun}   scheduled tasks waiting for a worker
//   s/{name}                                 engine bookkeeping (checkpoints)
//
// Components are escaped so that '/' only ever separates them; numbers are zero-padded so that
// lexicographic order is numeric order. A WfRun "group" (c/ppp/w/tenant/root/) is the unit the
// engine loads into memory before a command on that WfRun is applied.
import type { NodeRunId, TaskRunId, VariableId, WfRunId, ExternalEventId, WfSpecId } from '@filly/proto';

export const CLUSTER_SCOPE = '_cluster';

/** Escapes one key component: '%' and '/' are the only reserved characters. */
export function esc(component: string): string {
  if (component.indexOf('%') === -1 && component.indexOf('/') === -1) return component;
  return component.replace(/%/g, '%25').replace(/\//g, '%2F');
}

export function pad(n: number, width: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`key number out of range: ${n}`);
  const s = String(n);
  if (s.length > width) throw new Error(`key number ${n} wider than ${width} digits`);
  return '0'.repeat(width - s.length) + s;
}

export const partitionPart = (partition: number): string => pad(partition, 3);

/** The string form of a WfRunId: ancestors first, joined by '_' (ids never contain '_'). */
export function wfRunIdString(id: WfRunId): string {
  return id.parentWfRunId ? `${wfRunIdString(id.parentWfRunId)}_${id.id}` : id.id;
}

export function rootWfRunId(id: WfRunId): string {
  let cur = id;
  while (cur.parentWfRunId) cur = cur.parentWfRunId;
  return cur.id;
}

// ---- metadata -------------------------------------------------------------------------------

export const metaPrefix = (tenant: string): string => `m/${esc(tenant)}/`;
export const taskDefKey = (tenant: string, name: string): string => `m/${esc(tenant)}/taskdef/${esc(name)}`;
export const externalEventDefKey = (tenant: string, name: string): string =>
  `m/${esc(tenant)}/eedef/${esc(name)}`;
export const wfSpecVersionsPrefix = (tenant: string, name: string): string => `m/${esc(tenant)}/wfspec/${esc(name)}/`;
export const wfSpecKey = (tenant: string, id: WfSpecId): string =>
  `${wfSpecVersionsPrefix(tenant, id.name)}${pad(id.majorVersion, 5)}/${pad(id.revision, 5)}`;
/** Every revision of one major version of a WfSpec, in revision order. */
export const wfSpecMajorPrefix = (tenant: string, name: string, majorVersion: number): string =>
  `${wfSpecVersionsPrefix(tenant, name)}${pad(majorVersion, 5)}/`;
/** Pointer (a WfSpecId) to the newest version of a WfSpec: highest major, then highest revision. */
export const wfSpecLatestKey = (tenant: string, name: string): string => `m/${esc(tenant)}/wfspec-latest/${esc(name)}`;
/** Pointer (a WfSpecId) to the newest revision within one major version of a WfSpec. */
export const wfSpecMajorLatestKey = (tenant: string, name: string, majorVersion: number): string =>
  `m/${esc(tenant)}/wfspec-major-latest/${esc(name)}/${pad(majorVersion, 5)}`;
export const tenantKey = (id: string): string => `m/${CLUSTER_SCOPE}/tenant/${esc(id)}`;
export const principalKey = (id: string): string => `m/${CLUSTER_SCOPE}/principal/${esc(id)}`;

// ---- WfRun groups ---------------------------------------------------------------------------

/** Prefix of the group that holds a WfRun, its children and everything they own. */
export function wfRunGroupPrefix(partition: number, tenant: string, wfRunId: WfRunId): string {
  return `c/${partitionPart(partition)}/w/${esc(tenant)}/${esc(rootWfRunId(wfRunId))}/`;
}

const inGroup = (partition: number, tenant: string, wfRunId: WfRunId, rest: string): string =>
  `${wfRunGroupPrefix(partition, tenant, wfRunId)}${rest}`;

export const wfRunKey = (p: number, tenant: string, id: WfRunId): string =>
  inGroup(p, tenant, id, `wfrun/${esc(wfRunIdString(id))}`);

export const nodeRunPrefix = (p: number, tenant: string, id: WfRunId, threadRunNumber?: number): string =>
  inGroup(p, tenant, id, `noderun/${esc(wfRunIdString(id))}/${threadRunNumber === undefined ? '' : pad(threadRunNumber, 5) + '/'}`);
export const nodeRunKey = (p: number, tenant: string, id: NodeRunId): string =>
  `${nodeRunPrefix(p, tenant, req(id.wfRunId), id.threadRunNumber)}${pad(id.position, 7)}`;

export const taskRunPrefix = (p: number, tenant: string, id: WfRunId): string =>
  inGroup(p, tenant, id, `taskrun/${esc(wfRunIdString(id))}/`);
export const taskRunKey = (p: number, tenant: string, id: TaskRunId): string =>
  `${taskRunPrefix(p, tenant, req(id.wfRunId))}${esc(id.taskGuid)}`;

export const variablePrefix = (p: number, tenant: string, id: WfRunId, threadRunNumber?: number): string =>
  inGroup(p, tenant, id, `var/${esc(wfRunIdString(id))}/${threadRunNumber === undefined ? '' : pad(threadRunNumber, 5) + '/'}`);
export const variableKey = (p: number, tenant: string, id: VariableId): string =>
  `${variablePrefix(p, tenant, req(id.wfRunId), id.threadRunNumber)}${esc(id.name)}`;

export const externalEventPrefix = (p: number, tenant: string, id: WfRunId, defName?: string): string =>
  inGroup(p, tenant, id, `extevt/${esc(wfRunIdString(id))}/${defName === undefined ? '' : esc(defName) + '/'}`);
/** Events of one def share a prefix; the processor orders them by created_at when it claims one. */
export const externalEventKey = (p: number, tenant: string, id: ExternalEventId): string =>
  `${externalEventPrefix(p, tenant, req(id.wfRunId), req(id.externalEventDefId).name)}${esc(id.guid)}`;

// ---- entity groups --------------------------------------------------------------------------

/**
 * Prefix of the group of one keyed entity: `entity` names the kind (fixed by the code), `key` is
 * the routing key the command was partitioned by. Loaded before its command like a WfRun group.
 */
export function entityGroupPrefix(partition: number, tenant: string, entity: string, key: string): string {
  if (!/^[a-z][a-z-]*$/.test(entity)) throw new Error(`bad entity kind ${entity}`);
  return `c/${partitionPart(partition)}/k/${esc(tenant)}/${entity}:${esc(key)}/`;
}

// ---- timers and task queues -----------------------------------------------------------------

export const timerPrefix = (partition: number): string => `c/${partitionPart(partition)}/t/`;
export const timerKey = (partition: number, dueMs: number, timerId: string): string =>
  `${timerPrefix(partition)}${pad(Math.max(0, Math.floor(dueMs)), 15)}/${esc(timerId)}`;

export const scheduledTaskPrefix = (partition: number): string => `c/${partitionPart(partition)}/q/`;
export const scheduledTaskKey = (partition: number, tenant: string, taskDefName: string, taskRunId: TaskRunId): string =>
  `${scheduledTaskPrefix(partition)}${esc(tenant)}/${esc(taskDefName)}/${esc(wfRunIdString(req(taskRunId.wfRunId)))}/${esc(taskRunId.taskGuid)}`;

// ---- engine bookkeeping ---------------------------------------------------------------------

export const APPLY_CHECKPOINT_KEY = 's/apply-checkpoint';

function req<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('key built from an id with a missing component');
  return v;
}
