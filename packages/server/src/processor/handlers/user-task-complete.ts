// CompleteUserTaskRun: records the submitted results (checked against the UserTaskDef), marks the
// run DONE and advances the WfRun, whose USER_TASK node then completes with the results as output.
// Completing a run that already ended changes nothing and answers OK, as upstream does (a retried
// completion must not fail the caller).
import { Empty, UserTaskRunStatus, type CompleteUserTaskRunRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { failedPrecondition, invalidArgument } from '../api-error.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { userTaskDefByVersion } from '../user-tasks/user-task-defs.ts';
import { checkCompletionResults } from '../user-tasks/user-task-results.ts';
import { addEvent, assignTo, isUserTaskTerminated, mustLoadScope } from '../user-tasks/user-task-runs.ts';

export function completeUserTaskRun(ctx: ProcessorContext, req: CompleteUserTaskRunRequest): HandlerResult {
  if (req.userId === '') throw invalidArgument("Missing required argument 'user_id'.");
  const scope = mustLoadScope(ctx, req.userTaskRunId);
  const { utr } = scope;
  if (isUserTaskTerminated(utr)) return Empty.encode({}).finish();
  const defId = utr.userTaskDefId;
  const def = defId === undefined ? undefined : userTaskDefByVersion(ctx, ctx.tenant, defId.name, defId.version);
  if (def === undefined) {
    throw failedPrecondition(`UserTaskDef ${defId?.name ?? '?'} version ${defId?.version ?? '?'} was deleted; the UserTaskRun cannot be completed.`);
  }
  // Whoever completes the run owns it; no hooks fire for an assignment that ends at once.
  if (req.userId !== utr.userId) assignTo(utr, ctx.nowMs, req.userId, utr.userGroup);
  checkCompletionResults(def, req.results);
  // Submitted results land on top of any saved progress, as upstream merges them.
  utr.results = { ...utr.results, ...req.results };
  utr.status = UserTaskRunStatus.DONE;
  addEvent(utr, ctx.nowMs, { $case: 'completed', value: {} });
  advanceWfRun(scope.rt);
  scope.rt.flush();
  return Empty.encode({}).finish();
}
