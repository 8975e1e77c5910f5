// A child WfRun terminated: advance its parent, whose WAIT_FOR_CHILD_WF node (if it waits for this
// child) now completes or fails. Silent when the parent is gone.
import type { ChildWfRunTerminated } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { isTerminatedStatus } from '../wf-run/thread-status.ts';

export function childWfRunTerminated(ctx: ProcessorContext, req: ChildWfRunTerminated): HandlerResult {
  const parentId = req.parentWfRunId;
  if (parentId === undefined) return undefined;
  const rt = RunRuntime.load(ctx, parentId);
  if (rt === undefined || isTerminatedStatus(rt.wfRun.status)) return undefined;
  advanceWfRun(rt);
  rt.flush();
  return undefined;
}
