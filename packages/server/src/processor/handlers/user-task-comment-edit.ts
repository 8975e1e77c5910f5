// EditUserTaskRunComment: a new text for an existing, not deleted comment (an event; the
// original stays in the log).
import { UserTaskRun, type EditUserTaskRunCommentRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { failedPrecondition, invalidArgument } from '../api-error.ts';
import { requireLiveComment } from '../user-tasks/user-task-comments.ts';
import { addEvent, mustLoadScope } from '../user-tasks/user-task-runs.ts';

export function editUserTaskRunComment(ctx: ProcessorContext, req: EditUserTaskRunCommentRequest): HandlerResult {
  if (req.userCommentId === 0) throw failedPrecondition('The User Comment Id must be provided');
  if (req.userId.trim() === '') throw invalidArgument('The userId must be provided.');
  if (req.comment.trim() === '') throw invalidArgument('The comment must be provided.');
  const scope = mustLoadScope(ctx, req.userTaskRunId);
  const { utr } = scope;
  requireLiveComment(utr, req.userCommentId, 'edited');
  addEvent(utr, ctx.nowMs, {
    $case: 'commentEdited',
    value: { userCommentId: req.userCommentId, userId: req.userId, comment: req.comment },
  });
  scope.rt.flush();
  return UserTaskRun.encode(utr).finish();
}
