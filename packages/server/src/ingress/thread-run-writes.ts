// Writes on one ThreadRun of a WfRun: RescueThreadRun (answers the WfRun after the rescue).
import { WfRun, type RescueThreadRunRequest } from '@filly/proto';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { submitFor } from './submit.ts';
import { requireNonNegative, requireWfRunId } from './validate.ts';

export function rescueThreadRun(deps: IngressDeps, ctx: CallContext, req: RescueThreadRunRequest): Promise<WfRun> {
  requireWfRunId(req.wfRunId, 'wf_run_id');
  requireNonNegative(req.threadRunNumber, 'thread_run_number');
  return submitFor(deps, ctx, { $case: 'rescueThreadRun', value: req }, WfRun.decode);
}
