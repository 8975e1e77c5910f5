// DeleteUserTaskRunComment: marks an existing comment deleted (an event; the text stays in the log).
import { UserTaskRun, type DeleteUserTaskRunCommentRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { failedPrecondition } from '../api-error.ts';
import { requireLiveComment } from '../user-tasks/user-task-comments.ts';
import { addEvent, mustLoadScope } from '../user-tasks/user-task-runs.ts';

export function deleteUserTaskRunComment(ctx: ProcessorContext, req: DeleteUserTaskRunCommentRequest): HandlerResult {
  if (req.userCommentId === 0) throw failedPrecondition('The User Comment Id must be provided');
  // Upstream answers FAILED_PRECONDITION (not INVALID_ARGUMENT) for a missing user id here.
  if (req.userId.trim() === '') throw failedPrecondition('The User Id must be provided');
  const scope = mustLoadScope(ctx, req.userTaskRunId);
  const { utr } = scope;
  requireLiveComment(utr, req.userCommentId, 'deleted');
  addEvent(utr, ctx.nowMs, { $case: 'commentDeleted', value: { userCommentId: req.userCommentId, userId: req.userId } });
  scope.rt.flush();
  return UserTaskRun.encode(utr).finish();
}
