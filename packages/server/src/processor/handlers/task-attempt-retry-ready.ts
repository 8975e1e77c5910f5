// TaskAttemptRetryReady: a retry's backoff has elapsed; its PENDING attempt is queued now.
import { TaskStatus } from '@filly/proto';
import type { TaskAttemptRetryReady } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { Records } from '../records.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { dispatchLatestAttempt, taskRunKeyOf } from '../node-runs/task-runs.ts';

export function taskAttemptRetryReady(ctx: ProcessorContext, req: TaskAttemptRetryReady): HandlerResult {
  const id = req.taskRunId;
  if (id?.wfRunId === undefined) return undefined;
  const rt = RunRuntime.load(ctx, id.wfRunId);
  const taskRun = rt?.get(Records.taskRun, taskRunKeyOf(ctx, id));
  if (rt === undefined || taskRun === undefined) return undefined;
  const isLatest = req.attemptNumber === taskRun.attempts.length - 1;
  if (!isLatest || taskRun.attempts[req.attemptNumber]?.status !== TaskStatus.TASK_PENDING) return undefined;
  dispatchLatestAttempt(ctx, taskRun);
  advanceWfRun(rt);
  rt.flush();
  return undefined;
}
