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
import { deleteWfRunFamily } from '../wf-run/delete-family.ts';
import { deleteWithIndexes, updateIndexes } from '../search-index/update-indexes.ts';

export function deleteWfRun(ctx: ProcessorContext, req: DeleteWfRunRequest): HandlerResult {
  const id = req.id;
  if (id === undefined) throw invalidArgument('Missing id');
  const p = ctx.partition;
  const t = ctx.tenant;
  const wfRunKey = keys.wfRunKey(p, t, id);
  // Deleting what is not there is not an error (upstream answers Empty too).
  const wfRun = ctx.get(Records.wfRun, wfRunKey);
  if (wfRun === undefined) return Empty.encode({}).finish();
  deleteWfRunFamily(ctx, wfRun, deleteWfRun); // children, correlation markers, a waiting parent

  for (const { key, value } of ctx.scan(Records.taskRun, keys.taskRunPrefix(p, t, id))) {
    if (value.attempts.length > 0 && latestAttempt(value).status === TaskStatus.TASK_SCHEDULED) {
      ctx.unscheduleTask(taskDefName(value), scheduledTaskFor(value));
    }
    updateIndexes(ctx, Records.taskRun, value, undefined);
    ctx.delete(key);
  }
  // Indexed records are decoded to find their search index entries.
  deleteWithIndexes(ctx, Records.nodeRun, keys.nodeRunPrefix(p, t, id));
  deleteWithIndexes(ctx, Records.variable, keys.variablePrefix(p, t, id));
  deleteWithIndexes(ctx, Records.externalEvent, keys.externalEventPrefix(p, t, id));
  deleteWithIndexes(ctx, Records.workflowEvent, keys.workflowEventPrefix(p, t, id));
  deleteWithIndexes(ctx, Records.userTaskRun, keys.userTaskRunPrefix(p, t, id));
  for (const prefix of [keys.checkpointPrefix(p, t, id), keys.inactiveThreadRunPrefix(p, t, id)]) {
    for (const { key } of ctx.scan(rawBytes, prefix)) ctx.delete(key);
  }
  ctx.delete(wfRunKey);
  deleteWfRunSearchEntries(ctx, wfRun);
  return Empty.encode({}).finish();
}

/** Deleting needs only the keys; this codec leaves the values undecoded. */
const rawBytes: RecordCodec<Uint8Array> = { name: 'raw', encode: (v) => v, decode: (b) => b };
