// Child WfRuns started by a RUN_CHILD_WF node. The child lives in its parent's group (its keys use
// the root id), so it is created and advanced within the parent's command; its parent runtime is
// linked while it runs so that inherited variables go through the parent's cache.
import { LHStatus, ThreadType, WfRun, type NodeRunId, type VariableValue, type WfRunId, type WfSpec } from '@filly/proto';
import { RunRuntime } from './runtime.ts';
import { startThread } from './start.ts';
import { advanceWfRun } from './advance.ts';
import { linkParentRuntime } from './variables.ts';
import { tsFromMs } from './time.ts';

export function startChildWfRun(
  parent: RunRuntime,
  childId: WfRunId,
  childSpec: WfSpec,
  inputs: Readonly<Record<string, VariableValue>>,
  triggeringNodeRun: NodeRunId,
): void {
  const ctx = parent.ctx;
  // What the child reads of its parent's group must be what the parent has so far.
  parent.flush();
  const wfRun = WfRun.fromPartial({
    id: childId,
    wfSpecId: childSpec.id,
    status: LHStatus.RUNNING,
    greatestThreadrunNumber: 0,
    startTime: tsFromMs(ctx.nowMs),
    parentTrigger: { triggeringNodeRun },
  });
  const child = new RunRuntime(ctx, wfRun, childSpec, undefined);
  linkParentRuntime(child, parent);
  startThread(child, childSpec.entrypointThreadName, undefined, inputs, ThreadType.ENTRYPOINT);
  advanceWfRun(child);
  child.flush();
}
