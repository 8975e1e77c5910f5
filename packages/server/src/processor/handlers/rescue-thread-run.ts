// RescueThreadRun: restarts a thread that ended in ERROR (see wf-run/rescue.ts), then advances
// the WfRun. Answers the WfRun. A rescue whose node fails again is refused and changes nothing.
import { WfRun, type RescueThreadRunRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument, notFound } from '../api-error.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { checkRescuable, rescueThread } from '../wf-run/rescue.ts';
import { wfRunIdToString } from '../values/wf-run-id.ts';

export function rescueThreadRun(ctx: ProcessorContext, req: RescueThreadRunRequest): HandlerResult {
  if (req.wfRunId === undefined) throw invalidArgument('Missing wf_run_id');
  const rt = RunRuntime.load(ctx, req.wfRunId);
  if (rt === undefined) throw notFound(`Couldn't find WfRun ${wfRunIdToString(req.wfRunId)}`);
  const thread = checkRescuable(rt, req.threadRunNumber);
  rescueThread(rt, thread, req.skipCurrentNode);
  advanceWfRun(rt);
  rt.flush();
  return WfRun.encode(rt.wfRun).finish();
}
