// ResumeWfRun: removes the thread's manual halt; the thread runs again once no other halt reason
// holds it, picking up where it stopped (a task that finished meanwhile is followed at once).
import { Empty, type ResumeWfRunRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument, notFound } from '../api-error.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { advanceWfRun } from '../wf-run/advance.ts';

export function resumeWfRun(ctx: ProcessorContext, req: ResumeWfRunRequest): HandlerResult {
  if (req.wfRunId === undefined) throw invalidArgument('Missing wf_run_id');
  const rt = RunRuntime.load(ctx, req.wfRunId);
  if (rt === undefined) throw notFound("Couldn't find provided WfRun");
  const n = req.threadRunNumber;
  const thread = n < 0 || n > rt.wfRun.greatestThreadrunNumber ? undefined : rt.thread(n);
  if (thread === undefined) throw invalidArgument('Tried to resume a non-existent thread id.');
  thread.haltReasons = thread.haltReasons.filter((r) => r.reason?.$case !== 'manualHalt');
  advanceWfRun(rt);
  rt.flush();
  return Empty.encode({}).finish();
}
