// UserTaskDeadlineCancel (timer): a CANCEL action came due. A run that already ended is left alone.
import type { UserTaskDeadlineCancel } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { cancelUserTaskRun, isUserTaskTerminated, loadScope } from '../user-tasks/user-task-runs.ts';

export function userTaskDeadlineCancel(ctx: ProcessorContext, req: UserTaskDeadlineCancel): HandlerResult {
  const scope = loadScope(ctx, req.userTaskRunId);
  if (scope === undefined || isUserTaskTerminated(scope.utr)) return undefined;
  cancelUserTaskRun(scope.utr, ctx.nowMs);
  advanceWfRun(scope.rt);
  scope.rt.flush();
  return undefined;
}
