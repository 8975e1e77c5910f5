// TaskAttemptTimeout: the timer armed at claim time. If the attempt is still RUNNING it times
// out (and may be retried); if it already finished, the timer is stale and ignored.
import { TaskStatus } from '@filly/proto';
import type { TaskAttemptTimeout } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { Records } from '../records.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { applyAttemptResult, taskRunKeyOf } from '../node-runs/task-runs.ts';

export function taskAttemptTimeout(ctx: ProcessorContext, req: TaskAttemptTimeout): HandlerResult {
  const id = req.taskRunId;
  if (id?.wfRunId === undefined) return undefined;
  const rt = RunRuntime.load(ctx, id.wfRunId);
  const taskRun = rt?.get(Records.taskRun, taskRunKeyOf(ctx, id));
  if (rt === undefined || taskRun === undefined) return undefined;
  if (taskRun.attempts[req.attemptNumber]?.status !== TaskStatus.TASK_RUNNING) return undefined;
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
