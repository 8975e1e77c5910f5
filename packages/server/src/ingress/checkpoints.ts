// Checkpoints of a running task: PutCheckpoint is a command on the TaskRun's WfRun (its answer
// may tell a stale worker to stop); GetCheckpoint reads that WfRun's committed state.
import { PutCheckpointResponse, type Checkpoint, type CheckpointId, type PutCheckpointRequest } from '@filly/proto';
import { Records } from '../processor/records.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { mustGet } from './must-get.ts';
import { submitFor } from './submit.ts';
import { requireNonNegative, requirePresent, requireWfRunId } from './validate.ts';
import { requireStoredNumber, wfRunPartition } from './workflow-event-reads.ts';

export function putCheckpoint(deps: IngressDeps, ctx: CallContext, req: PutCheckpointRequest): Promise<PutCheckpointResponse> {
  const taskRunId = requirePresent(req.taskRunId, 'task_run_id');
  requireWfRunId(taskRunId.wfRunId, 'task_run_id.wf_run_id');
  requirePresent(taskRunId.taskGuid || undefined, 'task_run_id.task_guid');
  requireNonNegative(req.taskAttempt, 'task_attempt');
  return submitFor(deps, ctx, { $case: 'putCheckpoint', value: req }, PutCheckpointResponse.decode);
}

export function getCheckpoint(deps: IngressDeps, ctx: CallContext, id: CheckpointId): Promise<Checkpoint> {
  const taskRunId = requirePresent(id.taskRun, 'task_run');
  const wfRunId = requireWfRunId(taskRunId.wfRunId, 'task_run.wf_run_id');
  requirePresent(taskRunId.taskGuid || undefined, 'task_run.task_guid');
  requireStoredNumber(id.checkpointNumber, 'checkpoint_number', `Checkpoint ${id.checkpointNumber} of TaskRun ${taskRunId.taskGuid}`);
  return mustGet(deps.engine.get(Records.checkpoint, keys.checkpointKey(wfRunPartition(deps, wfRunId), ctx.tenant, id)),
    `Checkpoint ${id.checkpointNumber} of TaskRun ${keys.wfRunIdString(wfRunId)}/${taskRunId.taskGuid}`);
}
