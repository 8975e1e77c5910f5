// TaskAttemptTimeout: the timer armed at claim time (and re-armed by each checkpoint). If the
// attempt is still RUNNING it times out (and may be retried); if it already finished, or a
// checkpoint came after the timer was armed, the timer is stale and ignored.
import { TaskStatus } from '@filly/proto';
import type { TaskAttemptTimeout } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { Records } from '../records.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { firedTimerKeyOf } from '../../commands/fired-timer.ts';
import { applyAttemptResult, disarmAttemptTimeout, taskRunKeyOf } from '../node-runs/task-runs.ts';

export function taskAttemptTimeout(ctx: ProcessorContext, req: TaskAttemptTimeout): HandlerResult {
  const id = req.taskRunId;
  if (id?.wfRunId === undefined) return undefined;
  const rt = RunRuntime.load(ctx, id.wfRunId);
  const taskRun = rt?.get(Records.taskRun, taskRunKeyOf(ctx, id));
  if (rt === undefined || taskRun === undefined) return undefined;
  if (taskRun.attempts[req.attemptNumber]?.status !== TaskStatus.TASK_RUNNING) return undefined;
  // A checkpoint since this timer was armed re-armed the timeout: this one is stale.
  if (req.totalCheckpoints !== taskRun.totalCheckpoints) return undefined;
  disarmAttemptTimeout(ctx, taskRun, firedTimerKeyOf(ctx.command));
  applyAttemptResult(ctx, taskRun, req.attemptNumber, {
    status: TaskStatus.TASK_TIMEOUT,
    result: undefined,
    logOutput: undefined,
    endMs: ctx.nowMs,
  });
  advanceWfRun(rt);
  rt.flush();
  return undefined;
}
