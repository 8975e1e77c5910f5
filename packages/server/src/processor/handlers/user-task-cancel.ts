// CancelUserTaskRun: the run becomes CANCELLED and its USER_TASK node fails with
// USER_TASK_CANCELLED (or the node's on_cancellation_exception_name). Cancelling a run that already
// ended answers OK, as upstream does, but leaves it as it is: a DONE run's node has moved on, so
// relabelling it CANCELLED (upstream) would only make its history disagree with its WfRun.
import { Empty, UserTaskRunStatus, type CancelUserTaskRunRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { failedPrecondition, invalidArgument } from '../api-error.ts';
import { VarSubError } from '../values/errors.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { cancelUserTaskRun as cancelRun, cancellationFailureName, isUserTaskTerminated, mustLoadScope } from '../user-tasks/user-task-runs.ts';

export function cancelUserTaskRun(ctx: ProcessorContext, req: CancelUserTaskRunRequest): HandlerResult {
  const scope = mustLoadScope(ctx, req.userTaskRunId);
  const { utr } = scope;
  if (isUserTaskTerminated(utr)) return Empty.encode({}).finish();
  try {
    cancellationFailureName(scope);
  } catch (err) {
    if (!(err instanceof VarSubError)) throw err;
    throw invalidArgument(`Must specify a valid on cancel exception name: ${err.message}`);
  }
  cancelRun(utr, ctx.nowMs);
  advanceWfRun(scope.rt);
  scope.rt.flush();
  return Empty.encode({}).finish();
}
