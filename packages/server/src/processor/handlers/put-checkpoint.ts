// PutCheckpoint: a running task saves progress. Only the TaskRun's latest attempt, while RUNNING,
// may checkpoint; any other caller is a stale worker and is told STOP_TASK (fencing) without an
// error. A checkpoint is numbered by TaskRun.total_checkpoints, bumps it (so a retried attempt's
// ScheduledTask reports how many exist) and re-arms the attempt's timeout.
import {
  PutCheckpointResponse,
  PutCheckpointResponse_FlowControlContinue as FlowControl,
  TaskStatus,
  type Checkpoint,
  type PutCheckpointRequest,
} from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { NULL_VALUE } from '../wf-run/variables.ts';
import { tsFromMs } from '../wf-run/time.ts';
import { armAttemptTimeout, latestAttempt, taskRunKeyOf } from '../node-runs/task-runs.ts';

const stopTask = (): Uint8Array =>
  PutCheckpointResponse.encode({ flowControlContinueType: FlowControl.STOP_TASK, createdCheckpoint: undefined }).finish();

export function putCheckpoint(ctx: ProcessorContext, req: PutCheckpointRequest): HandlerResult {
  const id = req.taskRunId;
  if (id?.wfRunId === undefined || id.taskGuid === '') throw invalidArgument('Missing task_run_id');
  const taskRunKey = taskRunKeyOf(ctx, id);
  const taskRun = ctx.get(Records.taskRun, taskRunKey);
  if (taskRun === undefined) throw invalidArgument('Could not find specified TaskRun');
  if (taskRun.attempts.length - 1 !== req.taskAttempt) return stopTask();
  if (latestAttempt(taskRun).status !== TaskStatus.TASK_RUNNING) return stopTask();

  const checkpointId = { taskRun: id, checkpointNumber: taskRun.totalCheckpoints };
  const checkpoint: Checkpoint = {
    id: checkpointId,
    value: req.value ?? NULL_VALUE,
    logs: req.logs,
    createdAt: tsFromMs(ctx.nowMs),
  };
  ctx.put(Records.checkpoint, keys.checkpointKey(ctx.partition, ctx.tenant, checkpointId), checkpoint);
  taskRun.totalCheckpoints += 1;
  armAttemptTimeout(ctx, taskRun);
  ctx.put(Records.taskRun, taskRunKey, taskRun);
  return PutCheckpointResponse.encode({ flowControlContinueType: FlowControl.CONTINUE_TASK, createdCheckpoint: checkpoint }).finish();
}
