// The layout of the ordered key space. Every key the engine writes is built here.
//
//   m/{tenant}/{kind}/{id...}                metadata (the global partition; always in memory)
//   m/_cluster/{kind}/{id}                   cluster-scoped metadata (tenants, principals)
//   c/{ppp}/w/{tenant}/{rootWfRun}/{kind}/…  everything that belongs to one WfRun and its children
//   c/{ppp}/k/{tenant}/{entity:key}/…        an entity group: state keyed by something other than
//                                            a WfRun (a correlation key, a ScheduledWfRun)
//   c/{ppp}/x/{tenant}/{kind}/…              search indexes (write-only for handlers)
//   c/{ppp}/t/{dueMs}/{timerId}              timers, in due order
//   c/{ppp}/q/{tenant}/{taskDef}/{taskRun}   scheduled tasks waiting for a worker
//   s/{name}                                 engine bookkeeping (checkpoints)
//
// Components are escaped so that '/' only ever separates them; numbers are zero-padded so that
// lexicographic order is numeric order. A WfRun "group" (c/ppp/w/tenant/root/) is the unit the
// engine loads into memory before a command on that WfRun is applied.
import type { NodeRunId, TaskRunId, VariableId, WfRunId, ExternalEventId, WfSpecId, WorkflowEventId, CheckpointId, UserTaskRunId } from '@filly/proto';
import { invalidArgument } from '../processor/api-error.ts';

export const CLUSTER_SCOPE = '_cluster';

/** Escapes one key component: '%' and '/' are the only reserved characters. */
export function esc(component: string): string {
  if (component.indexOf('%') === -1 && component.indexOf('/') === -1) return component;
  return component.replace(/%/g, '%25').replace(/\//g, '%2F');
}

// Numbers in keys come from requests (versions, thread and position numbers, times): one out of
// range is the caller's mistake, answered INVALID_ARGUMENT rather than as a server bug.
export function pad(n: number, width: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || String(n).length > width) {
    throw invalidArgument(`A number in the request is out of range: ${n} (allowed: 0 to ${'9'.repeat(width)}).`);
  }
  const s = String(n);
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
// Search ranges over metadata: every record of a kind whose name starts with `namePrefix`.
export const taskDefSearchPrefix = (tenant: string, namePrefix = ''): string => `m/${esc(tenant)}/taskdef/${esc(namePrefix)}`;
export const externalEventDefSearchPrefix = (tenant: string, namePrefix = ''): string => `m/${esc(tenant)}/eedef/${esc(namePrefix)}`;
export const wfSpecSearchPrefix = (tenant: string, namePrefix = ''): string => `m/${esc(tenant)}/wfspec/${esc(namePrefix)}`;
export const userTaskDefSearchPrefix = (tenant: string, namePrefix = ''): string => `m/${esc(tenant)}/utdef/${esc(namePrefix)}`;
export const structDefSearchPrefix = (tenant: string, namePrefix = ''): string => `m/${esc(tenant)}/structdef/${esc(namePrefix)}`;
export const workflowEventDefSearchPrefix = (tenant: string, namePrefix = ''): string => `m/${esc(tenant)}/wfevtdef/${esc(namePrefix)}`;
export const tenantSearchPrefix = (): string => `m/${CLUSTER_SCOPE}/tenant/`;
export const principalSearchPrefix = (): string => `m/${CLUSTER_SCOPE}/principal/`;

// ---- struct defs ----------------------------------------------------------------------------

/** Every version of one StructDef, in version order. */
export const structDefVersionsPrefix = (tenant: string, name: string): string => `m/${esc(tenant)}/structdef/${esc(name)}/`;
export const structDefKey = (tenant: string, name: string, version: number): string =>
  `${structDefVersionsPrefix(tenant, name)}${pad(version, 7)}`;
/** Pointer (a StructDefId) to the newest version of a StructDef. */
export const structDefLatestKey = (tenant: string, name: string): string => `m/${esc(tenant)}/structdef-latest/${esc(name)}`;
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

/** The AttemptTimerPointer of a TaskRun whose attempt is running (the key of its timeout timer). */
export const attemptTimerPointerKey = (p: number, tenant: string, id: TaskRunId): string =>
  inGroup(p, tenant, req(id.wfRunId), `attempttimer/${esc(wfRunIdString(req(id.wfRunId)))}/${esc(id.taskGuid)}`);

export const variablePrefix = (p: number, tenant: string, id: WfRunId, threadRunNumber?: number): string =>
  inGroup(p, tenant, id, `var/${esc(wfRunIdString(id))}/${threadRunNumber === undefined ? '' : pad(threadRunNumber, 5) + '/'}`);
export const variableKey = (p: number, tenant: string, id: VariableId): string =>
  `${variablePrefix(p, tenant, req(id.wfRunId), id.threadRunNumber)}${esc(id.name)}`;

export const externalEventPrefix = (p: number, tenant: string, id: WfRunId, defName?: string): string =>
  inGroup(p, tenant, id, `extevt/${esc(wfRunIdString(id))}/${defName === undefined ? '' : esc(defName) + '/'}`);
/** Events of one def share a prefix; the processor orders them by created_at when it claims one. */
export const externalEventKey = (p: number, tenant: string, id: ExternalEventId): string =>
  `${externalEventPrefix(p, tenant, req(id.wfRunId), req(id.externalEventDefId).name)}${esc(id.guid)}`;

// ---- user tasks -----------------------------------------------------------------------------

/** Every version of one UserTaskDef, in version order. */
export const userTaskDefVersionsPrefix = (tenant: string, name: string): string => `m/${esc(tenant)}/utdef/${esc(name)}/`;
export const userTaskDefKey = (tenant: string, name: string, version: number): string =>
  `${userTaskDefVersionsPrefix(tenant, name)}${pad(version, 10)}`;
/** Pointer (a UserTaskDefId) to the newest version of a UserTaskDef. */
export const userTaskDefLatestKey = (tenant: string, name: string): string => `m/${esc(tenant)}/utdef-latest/${esc(name)}`;

export const userTaskRunPrefix = (p: number, tenant: string, id: WfRunId): string =>
  inGroup(p, tenant, id, `utrun/${esc(wfRunIdString(id))}/`);
export const userTaskRunKey = (p: number, tenant: string, id: UserTaskRunId): string =>
  `${userTaskRunPrefix(p, tenant, req(id.wfRunId))}${esc(id.userTaskGuid)}`;

// ---- entity groups --------------------------------------------------------------------------

/**
 * Prefix of the group of one keyed entity: `entity` names the kind (fixed by the code), `key` is
 * the routing key the command was partitioned by. Loaded before its command like a WfRun group.
 */
export function entityGroupPrefix(partition: number, tenant: string, entity: string, key: string): string {
  if (!/^[a-z][a-z-]*$/.test(entity)) throw new Error(`bad entity kind ${entity}`);
  return `c/${partitionPart(partition)}/k/${esc(tenant)}/${entity}:${esc(key)}/`;
}

// ---- scheduled WfRuns and migration plans ----------------------------------------------------

/** Entity kind of a ScheduledWfRun's group (routed by the ScheduledWfRun's id). */
export const SCHEDULED_WF_RUN_ENTITY = 'scheduled-wf-run';
export const scheduledWfRunKey = (p: number, tenant: string, id: string): string =>
  `${entityGroupPrefix(p, tenant, SCHEDULED_WF_RUN_ENTITY, id)}scheduled`;
/** Every ScheduledWfRun group of one tenant on one partition (SearchScheduledWfRun scans these). */
export const scheduledWfRunsOfPartitionPrefix = (p: number, tenant: string): string =>
  `c/${partitionPart(p)}/k/${esc(tenant)}/${SCHEDULED_WF_RUN_ENTITY}:`;
export const workflowMigrationPlanKey = (tenant: string, name: string): string => `m/${esc(tenant)}/wfmigration/${esc(name)}`;

// ---- workflow events, correlated events, checkpoints ----------------------------------------

export const workflowEventDefKey = (tenant: string, name: string): string => `m/${esc(tenant)}/wfevtdef/${esc(name)}`;

/** WorkflowEvents of one WfRun (of one def when given), in (def, number) order. */
export const workflowEventPrefix = (p: number, tenant: string, id: WfRunId, defName?: string): string =>
  inGroup(p, tenant, id, `wfevt/${esc(wfRunIdString(id))}/${defName === undefined ? '' : esc(defName) + '/'}`);
export const workflowEventKey = (p: number, tenant: string, id: WorkflowEventId): string =>
  `${workflowEventPrefix(p, tenant, req(id.wfRunId), req(id.workflowEventDefId).name)}${pad(id.number, 7)}`;

/** Checkpoints of one WfRun's TaskRuns (of one TaskRun when given), in number order. */
export const checkpointPrefix = (p: number, tenant: string, id: WfRunId, taskGuid?: string): string =>
  inGroup(p, tenant, id, `checkpoint/${esc(wfRunIdString(id))}/${taskGuid === undefined ? '' : esc(taskGuid) + '/'}`);
export const checkpointKey = (p: number, tenant: string, id: CheckpointId): string =>
  `${checkpointPrefix(p, tenant, req(req(id.taskRun).wfRunId), req(id.taskRun).taskGuid)}${pad(id.checkpointNumber, 7)}`;

/** Entity kind of a correlation key's group: its CorrelatedEvents and the markers of waiting NodeRuns. */
export const CORRELATION_ENTITY = 'correlation';
export const correlatedEventKey = (p: number, tenant: string, key: string, externalEventDefName: string): string =>
  `${entityGroupPrefix(p, tenant, CORRELATION_ENTITY, key)}event/${esc(externalEventDefName)}`;
export const correlationMarkerKey = (p: number, tenant: string, key: string, externalEventDefName: string): string =>
  `${entityGroupPrefix(p, tenant, CORRELATION_ENTITY, key)}marker/${esc(externalEventDefName)}`;

// ---- thread archival ------------------------------------------------------------------------

/** Finished ThreadRuns moved out of their WfRun (InactiveThreadRun), by thread number. */
export const inactiveThreadRunPrefix = (p: number, tenant: string, id: WfRunId): string =>
  inGroup(p, tenant, id, `inactivethread/${esc(wfRunIdString(id))}/`);
export const inactiveThreadRunKey = (p: number, tenant: string, id: WfRunId, threadRunNumber: number): string =>
  `${inactiveThreadRunPrefix(p, tenant, id)}${pad(threadRunNumber, 10)}`;
/** The WfRun records of every descendant (child, grandchild, ...) of a WfRun; ids never contain '_'. */
export const wfRunDescendantsPrefix = (p: number, tenant: string, id: WfRunId): string =>
  inGroup(p, tenant, id, `wfrun/${esc(wfRunIdString(id) + '_')}`);

// ---- search indexes ---------------------------------------------------------------------------

/**
 * WfRun search entries: c/{ppp}/x/{tenant}/wfrun/{index}/…/{startMs}/{wfRunId}. Written by the
 * processor beside the WfRun (write-only for handlers, like timers) and scanned by ingress. Every
 * WfRun has one entry under `all/` and one under `spec/{wfSpecName}/`; keys never change during a
 * WfRun's life, so an update rewrites values only and deletion needs nothing but the WfRun.
 */
export const wfRunSearchPrefix = (partition: number, tenant: string, wfSpecName?: string): string =>
  `c/${partitionPart(partition)}/x/${esc(tenant)}/wfrun/${wfSpecName === undefined ? 'all/' : `spec/${esc(wfSpecName)}/`}`;
export const wfRunSearchKey = (partition: number, tenant: string, wfSpecName: string | undefined, startMs: number, id: WfRunId): string =>
  `${wfRunSearchPrefix(partition, tenant, wfSpecName)}${pad(Math.max(0, Math.floor(startMs)), 15)}/${esc(wfRunIdString(id))}`;

// ---- secondary indexes ----------------------------------------------------------------------

/**
 * Search indexes over the objects of WfRuns and correlation keys:
 *   c/{ppp}/x/{tenant}/{kind}/{indexed values…}/{createdMs15}/{object id…}
 * written by the processor in the transaction that writes the object (processor/search-index/),
 * never read by handlers, scanned by ingress/searches/. Within one index prefix, entries sort by
 * creation time, then id. The values that may change (a status, an assignee, a value) are part
 * of the prefix, so an update moves the entry to another key.
 */
export const INDEX_TIME_DIGITS = 15;
const indexRoot = (p: number, tenant: string, kind: string): string => `c/${partitionPart(p)}/x/${esc(tenant)}/${kind}/`;
const indexTime = (createdMs: number): string => pad(Math.max(0, Math.floor(createdMs)), INDEX_TIME_DIGITS);

/** EXTERNAL_EVENT NodeRuns of one ExternalEventDef in one status (numeric LHStatus). */
export const nodeRunIndexPrefix = (p: number, tenant: string, extEvtDefName: string, status: number): string =>
  `${indexRoot(p, tenant, 'noderun')}${esc(extEvtDefName)}/${pad(status, 3)}/`;
export const nodeRunIndexKey = (prefix: string, createdMs: number, id: NodeRunId): string =>
  `${prefix}${indexTime(createdMs)}/${esc(wfRunIdString(req(id.wfRunId)))}/${pad(id.threadRunNumber, 5)}/${pad(id.position, 7)}`;

/** TaskRuns of one TaskDef: all of them, or those in one status (numeric TaskStatus). */
export const taskRunIndexPrefix = (p: number, tenant: string, taskDefName: string, status?: number): string =>
  `${indexRoot(p, tenant, 'taskrun')}${esc(taskDefName)}/${status === undefined ? 'all' : pad(status, 3)}/`;
export const taskRunIndexKey = (prefix: string, createdMs: number, id: TaskRunId): string =>
  `${prefix}${indexTime(createdMs)}/${esc(wfRunIdString(req(id.wfRunId)))}/${esc(id.taskGuid)}`;

/** The attribute a UserTaskRun index is keyed by (a search names at least one). */
export type UserTaskRunIndexAttribute = 'status' | 'def' | 'user' | 'group';
export const userTaskRunIndexPrefix = (p: number, tenant: string, attribute: UserTaskRunIndexAttribute, value: string): string =>
  `${indexRoot(p, tenant, 'utrun')}${attribute}/${esc(value)}/`;
export const userTaskRunIndexKey = (prefix: string, createdMs: number, id: UserTaskRunId): string =>
  `${prefix}${indexTime(createdMs)}/${esc(wfRunIdString(req(id.wfRunId)))}/${esc(id.userTaskGuid)}`;

/**
 * Variables of a WfSpec (by name) holding one value. `indexedName` is the variable's name, or
 * `{name}_{jsonPath}` for a JSON index; `encodedValue` comes from search-index/variable-values.ts.
 */
export const variableIndexPrefix = (p: number, tenant: string, wfSpecName: string, indexedName: string, encodedValue: string): string =>
  `${indexRoot(p, tenant, 'var')}${esc(wfSpecName)}/${esc(indexedName)}/${esc(encodedValue)}/`;
export const variableIndexKey = (prefix: string, createdMs: number, id: VariableId): string =>
  `${prefix}${indexTime(createdMs)}/${esc(wfRunIdString(req(id.wfRunId)))}/${pad(id.threadRunNumber, 5)}/${esc(id.name)}`;

/** ExternalEvents of one ExternalEventDef: all, or only claimed / only unclaimed ones. */
export const externalEventIndexPrefix = (p: number, tenant: string, defName: string, claimed?: boolean): string =>
  `${indexRoot(p, tenant, 'extevt')}${esc(defName)}/${claimed === undefined ? 'all' : claimed ? 'claimed' : 'unclaimed'}/`;
export const externalEventIndexKey = (prefix: string, createdMs: number, id: ExternalEventId): string =>
  `${prefix}${indexTime(createdMs)}/${esc(wfRunIdString(req(id.wfRunId)))}/${esc(id.guid)}`;

export const workflowEventIndexPrefix = (p: number, tenant: string, defName: string): string =>
  `${indexRoot(p, tenant, 'wfevt')}${esc(defName)}/`;
export const workflowEventIndexKey = (prefix: string, createdMs: number, id: WorkflowEventId): string =>
  `${prefix}${indexTime(createdMs)}/${esc(wfRunIdString(req(id.wfRunId)))}/${pad(id.number, 7)}`;

/** CorrelatedEvents of one ExternalEventDef: all, or those that have / have not produced ExternalEvents. */
export const correlatedEventIndexPrefix = (p: number, tenant: string, defName: string, hasExternalEvents?: boolean): string =>
  `${indexRoot(p, tenant, 'correvt')}${esc(defName)}/${hasExternalEvents === undefined ? 'all' : hasExternalEvents ? 'used' : 'unused'}/`;
export const correlatedEventIndexKey = (prefix: string, createdMs: number, correlationKey: string): string =>
  `${prefix}${indexTime(createdMs)}/${esc(correlationKey)}`;

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
