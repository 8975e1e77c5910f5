// ExternalEventTimeout: an EXTERNAL_EVENT node's timeout fired. If the NodeRun is still waiting it
// is marked timed out and fails with TIMEOUT as the thread advances; otherwise it is ignored.
import { LHStatus } from '@filly/proto';
import type { ExternalEventTimeout } from '@filly/proto/internal';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { RunRuntime } from '../wf-run/runtime.ts';
import { advanceWfRun } from '../wf-run/advance.ts';

export function externalEventTimeout(ctx: ProcessorContext, req: ExternalEventTimeout): HandlerResult {
  const nodeRunId = req.nodeRunId;
  if (nodeRunId?.wfRunId === undefined) return undefined;
  const rt = RunRuntime.load(ctx, nodeRunId.wfRunId);
  const thread = rt?.thread(nodeRunId.threadRunNumber);
  if (rt === undefined || thread === undefined) return undefined;
  const nodeRun = rt.nodeRunAt(thread, nodeRunId.position);
  if (nodeRun?.nodeType?.$case !== 'externalEvent') return undefined;
  if (nodeRun.status === LHStatus.COMPLETED || nodeRun.status === LHStatus.ERROR) return undefined;
  nodeRun.nodeType.value.timedOut = true;
  advanceWfRun(rt);
  rt.flush();
  return undefined;
}
