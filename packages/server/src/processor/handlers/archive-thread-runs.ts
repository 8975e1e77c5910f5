// ArchiveThreadRuns: a ThreadRetentionPolicy timer came due. Archives every finished thread of the
// WfRun whose retention time has passed (wf-run/archival/archive-threads.ts). Silent when the
// WfRun is gone, or when its WfSpec was deleted (such a WfRun keeps its threads).
import type { ArchiveThreadRuns } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { ApiError } from '../api-error.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { archiveFinishedThreads } from '../wf-run/archival/archive-threads.ts';

export function archiveThreadRuns(ctx: ProcessorContext, req: ArchiveThreadRuns): HandlerResult {
  if (req.wfRunId === undefined) return undefined;
  let rt: RunRuntime | undefined;
  try {
    rt = RunRuntime.load(ctx, req.wfRunId);
  } catch (err) {
    if (err instanceof ApiError) return undefined;
    throw err;
  }
  if (rt === undefined) return undefined;
  archiveFinishedThreads(rt);
  rt.flush();
  return undefined;
}
