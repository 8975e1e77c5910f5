// UserTaskDeadlineReassign (timer): a REASSIGN action came due. It applies only while the run is
// still ASSIGNED to the user it had when the action was armed (same epoch); anything else means
// someone acted in time. A new assignment that cannot be computed fails the node (VAR_SUB_ERROR).
import { UserTaskRunStatus } from '@filly/proto';
import type { UserTaskDeadlineReassign } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { VarSubError } from '../values/errors.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { armAssignmentActionsLeniently } from '../user-tasks/user-task-actions.ts';
import { assignText, assignTo, loadScope, setPendingFailure, userChanged, varSubFailure } from '../user-tasks/user-task-runs.ts';

export function userTaskDeadlineReassign(ctx: ProcessorContext, req: UserTaskDeadlineReassign): HandlerResult {
  const scope = loadScope(ctx, req.userTaskRunId);
  if (scope === undefined) return undefined;
  const { rt, utr } = scope;
  if (utr.status !== UserTaskRunStatus.ASSIGNED || utr.epoch !== req.epoch || utr.id === undefined) return undefined;
  let newUserId: string | undefined;
  let newUserGroup: string | undefined;
  try {
    if (req.newUserGroup !== undefined) newUserGroup = assignText(scope, req.newUserGroup);
    if (req.newUserId !== undefined) newUserId = assignText(scope, req.newUserId);
  } catch (err) {
    if (!(err instanceof VarSubError)) throw err;
    setPendingFailure(rt, utr.id, varSubFailure('Failed calculating new assignment for UserTaskRun: ', err));
    advanceWfRun(rt);
    rt.flush();
    return undefined;
  }
  // Nothing to hand the run to: leave it where it is.
  if (newUserId === undefined && newUserGroup === undefined) return undefined;
  const previousUser = utr.userId;
  assignTo(utr, ctx.nowMs, newUserId, newUserGroup);
  if (userChanged(previousUser, newUserId)) armAssignmentActionsLeniently(scope);
  advanceWfRun(rt);
  rt.flush();
  return undefined;
}
