// SaveUserTaskRunProgress: stores draft results without completing the run. With the default
// policy only the user the run is assigned to (or anyone, if unclaimed) may save; IGNORE_CLAIM
// lets anyone save without taking the run over. Nothing in the WfRun moves.
import { UserTaskRun, UserTaskRunStatus, SaveUserTaskRunProgressRequest_SaveUserTaskRunAssignmentPolicy as Policy } from '@filly/proto';
import type { SaveUserTaskRunProgressRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { failedPrecondition } from '../api-error.ts';
import { addEvent, isUserTaskTerminated, mustLoadScope } from '../user-tasks/user-task-runs.ts';

export function saveUserTaskRunProgress(ctx: ProcessorContext, req: SaveUserTaskRunProgressRequest): HandlerResult {
  const scope = mustLoadScope(ctx, req.userTaskRunId);
  const { utr } = scope;
  if (req.policy === Policy.FAIL_IF_CLAIMED_BY_OTHER && utr.userId !== undefined && req.userId !== utr.userId) {
    throw failedPrecondition('UserTaskRun is assigned to another user');
  }
  if (isUserTaskTerminated(utr)) throw failedPrecondition(`UserTaskRun is in status ${UserTaskRunStatus[utr.status]}`);
  utr.results = { ...req.results };
  addEvent(utr, ctx.nowMs, { $case: 'saved', value: { userId: req.userId, results: { ...req.results } } });
  scope.rt.flush();
  return UserTaskRun.encode(utr).finish();
}
