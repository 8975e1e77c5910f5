// Where a command goes: its partition key, and the WfRun whose state must be in memory before it
// is applied. Pure functions of the command, shared by ingress, the engine and replay.
import type { WfRunId } from '@filly/proto';
import type { Command } from '@filly/proto/internal';
import { rootWfRunId } from '../store/keys.ts';
import { partitionForKey } from './partition.ts';

/** Partition number carried by commands on the global metadata partition. */
export const METADATA_PARTITION = -1;

export type Routing =
  | { kind: 'metadata' }
  /** A command on one WfRun: everything of its root WfRun lives on one partition. */
  | { kind: 'wf-run'; wfRunId: WfRunId; key: string }
  /** A command keyed by something else (a TaskDef name for worker heartbeats). */
  | { kind: 'keyed'; key: string }
  /**
   * A command on a keyed entity (a correlation key, a ScheduledWfRun): its entity group
   * (keys.entityGroupPrefix(partition, tenant, entity, key)) is loaded before it is applied.
   */
  | { kind: 'entity'; entity: string; key: string };

export function routingOf(body: Command['body']): Routing {
  if (!body) throw new Error('command without a body');
  switch (body.$case) {
    case 'putTaskDef':
    case 'deleteTaskDef':
    case 'putWfSpec':
    case 'deleteWfSpec':
    case 'putExternalEventDef':
    case 'deleteExternalEventDef':
    case 'putTenant':
    case 'putPrincipal':
    case 'deletePrincipal':
    case 'initializeCluster':
    case 'putUserTaskDef':
    case 'deleteUserTaskDef':
    case 'putWorkflowEventDef':
    case 'deleteWorkflowEventDef':
    case 'putStructDef':
    case 'deleteStructDef':
    case 'putWorkflowMigrationPlan':
    case 'deleteWorkflowMigrationPlan':
    case 'migrateWfSpec':
      return { kind: 'metadata' };
    case 'runWf':
      return wfRun({ id: body.value.id ?? '', parentWfRunId: body.value.parentWfRunId });
    case 'stopWfRun':
    case 'resumeWfRun':
    case 'putExternalEvent':
      return wfRun(body.value.wfRunId);
    case 'deleteWfRun':
      return wfRun(body.value.id);
    case 'deleteExternalEvent':
      return wfRun(body.value.id?.wfRunId);
    case 'reportTaskRun':
    case 'taskClaimEvent':
    case 'taskAttemptRetryReady':
    case 'taskAttemptTimeout':
      return wfRun(body.value.taskRunId?.wfRunId);
    case 'sleepNodeMatured':
    case 'externalEventTimeout':
      return wfRun(body.value.nodeRunId?.wfRunId);
    case 'taskWorkerHeartBeat':
      return { kind: 'keyed', key: body.value.taskDefId?.name ?? '' };
    case 'rescueThreadRun':
      return wfRun(body.value.wfRunId);
    case 'assignUserTaskRun':
    case 'completeUserTaskRun':
    case 'cancelUserTaskRun':
    case 'saveUserTaskRunProgress':
    case 'putUserTaskRunComment':
    case 'editUserTaskRunComment':
    case 'deleteUserTaskRunComment':
      return wfRun(body.value.userTaskRunId?.wfRunId);
    case 'userTaskDeadlineReassign':
    case 'userTaskDeadlineCancel':
      return wfRun(body.value.userTaskRunId?.wfRunId);
    case 'userTaskTriggeredTask':
      return wfRun(body.value.source?.wfRunId);
    case 'putCorrelatedEvent':
      return entity('correlation', body.value.key);
    case 'deleteCorrelatedEvent':
      return entity('correlation', body.value.id?.key);
    case 'updateCorrelationMarker':
      return entity('correlation', body.value.correlationKey);
    case 'putCheckpoint':
      return wfRun(body.value.taskRunId?.wfRunId);
    case 'scheduleWf':
      return entity('scheduled-wf-run', body.value.id);
    case 'deleteScheduledWfRun':
      return entity('scheduled-wf-run', body.value.id?.id);
    case 'applyWorkflowMigrationPlan':
      return wfRun(body.value.wfRunId);
    case 'scheduledWfRunFired':
      return entity('scheduled-wf-run', body.value.id?.id);
    case 'childWfRunTerminated':
      return wfRun(body.value.parentWfRunId);
    case 'archiveThreadRuns':
      return wfRun(body.value.wfRunId);
  }
}

function wfRun(id: WfRunId | undefined): Routing {
  if (!id || id.id === '') throw new Error('command names no WfRun');
  return { kind: 'wf-run', wfRunId: id, key: rootWfRunId(id) };
}

function entity(kind: string, key: string | undefined): Routing {
  if (key === undefined || key === '') throw new Error(`command names no ${kind} key`);
  return { kind: 'entity', entity: kind, key };
}

export function partitionOf(routing: Routing, partitionCount: number): number {
  return routing.kind === 'metadata' ? METADATA_PARTITION : partitionForKey(routing.key, partitionCount);
}
