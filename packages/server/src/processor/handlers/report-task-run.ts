// ReportTaskRun: a worker's result for one attempt. Only a RUNNING attempt takes a result; a late
// report (after a timeout) or a duplicate is ignored. Then the WfRun advances.
import { Empty, TaskStatus, type ReportTaskRun } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument, notFound } from '../api-error.ts';
import { Records } from '../records.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { msFromTs } from '../wf-run/time.ts';
import { applyAttemptResult, disarmAttemptTimeout, taskRunKeyOf } from '../node-runs/task-runs.ts';

/** What a worker may report: a finished attempt's status. */
const REPORTABLE: ReadonlySet<TaskStatus> = new Set([
  TaskStatus.TASK_SUCCESS,
  TaskStatus.TASK_FAILED,
  TaskStatus.TASK_TIMEOUT,
  TaskStatus.TASK_EXCEPTION,
  TaskStatus.TASK_OUTPUT_SERDE_ERROR,
  TaskStatus.TASK_INPUT_VAR_SUB_ERROR,
]);

export function reportTaskRun(ctx: ProcessorContext, req: ReportTaskRun): HandlerResult {
  const id = req.taskRunId;
  if (id?.wfRunId === undefined) throw invalidArgument('Missing task_run_id');
  const rt = RunRuntime.load(ctx, id.wfRunId);
  const taskRun = rt?.get(Records.taskRun, taskRunKeyOf(ctx, id));
  if (rt === undefined || taskRun === undefined) throw notFound('Provided taskRunId was invalid');
  if (req.attemptNumber < 0 || req.attemptNumber >= taskRun.attempts.length) {
    throw invalidArgument('Specified Task Attempt does not exist!');
  }
  if (!REPORTABLE.has(req.status)) throw invalidArgument(`A task attempt cannot be reported as ${TaskStatus[req.status] ?? req.status}`);
  if (taskRun.attempts[req.attemptNumber]?.status !== TaskStatus.TASK_RUNNING) return undefined;

  disarmAttemptTimeout(ctx, taskRun);
  applyAttemptResult(ctx, taskRun, req.attemptNumber, {
    status: req.status,
    result: req.result,
    logOutput: req.logOutput,
    endMs: msFromTs(req.time) ?? ctx.nowMs,
  });
  advanceWfRun(rt);
  rt.flush();
  return Empty.encode({}).finish();
}
