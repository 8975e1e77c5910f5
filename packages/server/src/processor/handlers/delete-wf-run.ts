// DeleteWfRun: removes the WfRun and everything it owns (NodeRuns, TaskRuns, Variables,
// ExternalEvents) and takes its queued tasks off the task queues. Timers still pending for it
// fire later and find nothing: their handlers ignore a missing WfRun.
import { Empty, TaskStatus, type DeleteWfRunRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext, RecordCodec } from '../context.ts';
import { invalidArgument } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { deleteWfRunSearchEntries } from '../wf-run/search-index.ts';
import { latestAttempt, scheduledTaskFor, taskDefName } from '../node-runs/task-runs.ts';

export function deleteWfRun(ctx: ProcessorContext, req: DeleteWfRunRequest): HandlerResult {
  const id = req.id;
  if (id === undefined) throw invalidArgument('Missing id');
  const p = ctx.partition;
  const t = ctx.tenant;
  const wfRunKey = keys.wfRunKey(p, t, id);
  // Deleting what is not there is not an error (upstream answers Empty too).
  const wfRun = ctx.get(Records.wfRun, wfRunKey);
  if (wfRun === undefined) return Empty.encode({}).finish();

  for (const { key, value } of ctx.scan(Records.taskRun, keys.taskRunPrefix(p, t, id))) {
    if (value.attempts.length > 0 && latestAttempt(value).status === TaskStatus.TASK_SCHEDULED) {
      ctx.unscheduleTask(taskDefName(value), scheduledTaskFor(value));
    }
    ctx.delete(key);
  }
  for (const prefix of [keys.nodeRunPrefix(p, t, id), keys.variablePrefix(p, t, id), keys.externalEventPrefix(p, t, id),
    keys.workflowEventPrefix(p, t, id), keys.checkpointPrefix(p, t, id), keys.userTaskRunPrefix(p, t, id)]) {
    for (const { key } of ctx.scan(rawBytes, prefix)) ctx.delete(key);
  }
  ctx.delete(wfRunKey);
  deleteWfRunSearchEntries(ctx, wfRun);
  return Empty.encode({}).finish();
}

/** Deleting needs only the keys; this codec leaves the values undecoded. */
const rawBytes: RecordCodec<Uint8Array> = { name: 'raw', encode: (v) => v, decode: (b) => b };
