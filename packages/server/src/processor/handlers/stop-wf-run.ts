// StopWfRun: halts a thread (and its children) with a manual halt reason. A task already handed to
// a worker keeps running; the thread is HALTING until its report arrives, then HALTED.
import { Empty, type StopWfRunRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument, notFound } from '../api-error.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { haltThread, manualHaltReason } from '../wf-run/halt.ts';
import { advanceWfRun } from '../wf-run/advance.ts';

export function stopWfRun(ctx: ProcessorContext, req: StopWfRunRequest): HandlerResult {
  if (req.wfRunId === undefined) throw invalidArgument('Missing wf_run_id');
  const rt = RunRuntime.load(ctx, req.wfRunId);
  if (rt === undefined) throw notFound("Couldn't find specified WfRun");
  const n = req.threadRunNumber;
  const thread = n < 0 || n > rt.wfRun.greatestThreadrunNumber ? undefined : rt.thread(n);
  if (thread === undefined) throw invalidArgument('Tried to stop a non-existent thread id.');
  // Stopping twice changes nothing: one manual halt is undone by one resume.
  if (thread.haltReasons.some((r) => r.reason?.$case === 'manualHalt')) return Empty.encode({}).finish();
  haltThread(rt, thread, manualHaltReason());
  advanceWfRun(rt);
  rt.flush();
  return Empty.encode({}).finish();
}
