// TaskClaimEvent: a worker's poll was matched with a queued attempt. The attempt starts now: it is
// taken off the queue, marked RUNNING, and its timeout starts. Answers the ScheduledTask the
// worker receives; a claim that lost a race gets FAILED_PRECONDITION (an empty poll response).
import { ScheduledTask, TaskStatus } from '@filly/proto';
import type { TaskClaimEvent } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { failedPrecondition, invalidArgument } from '../api-error.ts';
import { Records } from '../records.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { tsFromMs } from '../wf-run/time.ts';
import { armAttemptTimeout, latestAttempt, scheduledTaskFor, taskDefName, taskRunKeyOf } from '../node-runs/task-runs.ts';

export function taskClaimEvent(ctx: ProcessorContext, req: TaskClaimEvent): HandlerResult {
  const id = req.taskRunId;
  if (id?.wfRunId === undefined) throw invalidArgument('Missing task_run_id');
  const rt = RunRuntime.load(ctx, id.wfRunId);
  const taskRun = rt?.get(Records.taskRun, taskRunKeyOf(ctx, id));
  // A deleted WfRun's tasks are unqueued with it; a claim racing that deletion finds nothing.
  if (rt === undefined || taskRun === undefined) throw failedPrecondition('task already claimed');
  const attempt = latestAttempt(taskRun);
  if (attempt.status !== TaskStatus.TASK_SCHEDULED) throw failedPrecondition('task already claimed');

  // Queue records are write-only for handlers; the TaskRun holds everything the task carries.
  const name = taskDefName(taskRun);
  const task = scheduledTaskFor(taskRun);
  ctx.unscheduleTask(name, task);

  attempt.status = TaskStatus.TASK_RUNNING;
  attempt.startTime = tsFromMs(ctx.nowMs);
  attempt.taskWorkerId = req.taskWorkerId;
  attempt.taskWorkerVersion = req.taskWorkerVersion;
  taskRun.status = TaskStatus.TASK_RUNNING;
  armAttemptTimeout(ctx, taskRun);
  advanceWfRun(rt);
  rt.flush();
  return ScheduledTask.encode(task).finish();
}
