// AssignUserTaskRun: hands the run to a user and/or group. A run already claimed by a user moves
// only with override_claim; a finished run does not move at all. A new user arms the node's
// ON_TASK_ASSIGNED actions.
import { Empty, UserTaskRunStatus, type AssignUserTaskRunRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { failedPrecondition, invalidArgument } from '../api-error.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { armAssignmentActionsLeniently } from '../user-tasks/user-task-actions.ts';
import { assignTo, isUserTaskTerminated, mustLoadScope, userChanged } from '../user-tasks/user-task-runs.ts';

export function assignUserTaskRun(ctx: ProcessorContext, req: AssignUserTaskRunRequest): HandlerResult {
  if (req.userId === undefined && req.userGroup === undefined) throw invalidArgument('must provide either UserGroup or userId');
  const scope = mustLoadScope(ctx, req.userTaskRunId);
  const { utr } = scope;
  if (!req.overrideClaim && utr.userId !== undefined) {
    throw failedPrecondition(`User Task Run already assigned to ${utr.userId}`);
  }
  if (isUserTaskTerminated(utr)) {
    throw failedPrecondition(`Couldn't reassign User Task Run since it is in terminal status ${UserTaskRunStatus[utr.status]}`);
  }
  const previousUser = utr.userId;
  assignTo(utr, ctx.nowMs, req.userId, req.userGroup);
  if (userChanged(previousUser, req.userId)) armAssignmentActionsLeniently(scope);
  advanceWfRun(scope.rt);
  scope.rt.flush();
  return Empty.encode({}).finish();
}
