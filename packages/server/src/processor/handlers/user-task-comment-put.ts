// PutUserTaskRunComment: appends a comment (with the next comment id) to the run's events.
import { UserTaskRun, type PutUserTaskRunCommentRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument } from '../api-error.ts';
import { indexComments } from '../user-tasks/user-task-comments.ts';
import { addEvent, mustLoadScope } from '../user-tasks/user-task-runs.ts';

export function putUserTaskRunComment(ctx: ProcessorContext, req: PutUserTaskRunCommentRequest): HandlerResult {
  if (req.userId.trim() === '') throw invalidArgument('The userId must be provided.');
  if (req.comment.trim() === '') throw invalidArgument('The comment must be provided.');
  const scope = mustLoadScope(ctx, req.userTaskRunId);
  const { utr } = scope;
  const userCommentId = indexComments(utr).count + 1;
  addEvent(utr, ctx.nowMs, { $case: 'commentAdded', value: { userCommentId, userId: req.userId, comment: req.comment } });
  scope.rt.flush();
  return UserTaskRun.encode(utr).finish();
}
