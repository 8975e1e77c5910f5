// SleepNodeMatured: a SLEEP node's timer fired. Stale timers (WfRun deleted, thread moved on, an
// earlier maturation time that was re-armed later) are ignored.
import type { SleepNodeMatured } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { advanceWfRun } from '../wf-run/advance.ts';
import { msFromTs } from '../wf-run/time.ts';

export function sleepNodeMatured(ctx: ProcessorContext, req: SleepNodeMatured): HandlerResult {
  const nodeRunId = req.nodeRunId;
  if (nodeRunId?.wfRunId === undefined) return undefined;
  const rt = RunRuntime.load(ctx, nodeRunId.wfRunId);
  const thread = rt?.thread(nodeRunId.threadRunNumber);
  if (rt === undefined || thread === undefined) return undefined;
  if (nodeRunId.position !== thread.currentNodePosition) return undefined;
  const nodeRun = rt.currentNodeRun(thread);
  if (nodeRun.nodeType?.$case !== 'sleep') return undefined;
  const sleep = nodeRun.nodeType.value;
  const dueMs = msFromTs(sleep.maturationTime);
  if (dueMs !== undefined && ctx.nowMs < dueMs) return undefined;
  sleep.matured = true;
  // A halted thread keeps the matured flag and completes the sleep when it resumes.
  advanceWfRun(rt);
  rt.flush();
  return undefined;
}
