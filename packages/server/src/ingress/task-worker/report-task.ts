// ReportTask: a worker's result for one attempt. Acknowledged once the report is durable and
// applied; a late or duplicate report is accepted and ignored by the processor.
import { Empty, type ReportTaskRun } from '@filly/proto';
import type { CallContext } from '../call-context.ts';
import type { IngressDeps } from '../deps.ts';
import { submit } from '../submit.ts';
import { requireNonNegative, requirePresent, requireWfRunId } from '../validate.ts';

export async function reportTask(deps: IngressDeps, ctx: CallContext, req: ReportTaskRun): Promise<Empty> {
  const id = requirePresent(req.taskRunId, 'task_run_id');
  requireWfRunId(id.wfRunId, 'task_run_id.wf_run_id');
  requirePresent(id.taskGuid || undefined, 'task_run_id.task_guid');
  requireNonNegative(req.attemptNumber, 'attempt_number');
  await submit(deps, ctx, { $case: 'reportTaskRun', value: req });
  return Empty.fromPartial({});
}
