// Creating a WfRun: the WfRun record, its entrypoint thread (number 0) with its variables and
// entrypoint NodeRun (position 0), then the first advance.
import { LHStatus, ThreadType, WfRun, type ThreadRun, type VariableValue, type WfRunId, type WfSpec } from '@filly/proto';
import type { ProcessorContext } from '../context.ts';
import { RunRuntime } from './runtime.ts';
import { createThreadVariables } from './variables.ts';
import { newNodeRun } from './thread-advance.ts';
import { advanceWfRun } from './advance.ts';
import { tsFromMs } from './time.ts';
import { ErrorName, NodeFailure, newFailure } from './failures.ts';

export function startWfRun(
  ctx: ProcessorContext,
  id: WfRunId,
  wfSpec: WfSpec,
  inputs: Readonly<Record<string, VariableValue>>,
): RunRuntime {
  const wfRun = WfRun.fromPartial({
    id,
    wfSpecId: wfSpec.id,
    status: LHStatus.RUNNING,
    greatestThreadrunNumber: 0,
    startTime: tsFromMs(ctx.nowMs),
  });
  const rt = new RunRuntime(ctx, wfRun, wfSpec, undefined);
  startThread(rt, wfSpec.entrypointThreadName, undefined, inputs, ThreadType.ENTRYPOINT);
  advanceWfRun(rt);
  return rt;
}

/** Starts a thread: number, variables, and its ENTRYPOINT NodeRun, ready to be advanced. */
export function startThread(
  rt: RunRuntime,
  threadSpecName: string,
  parentNumber: number | undefined,
  inputs: Readonly<Record<string, VariableValue>>,
  type: ThreadType,
): ThreadRun {
  const wfRun = rt.wfRun;
  // A thread starts on its parent's WfSpec version: mid-migration, a thread already moved to the
  // new version spawns threads of the new version (upstream would use the WfRun's version).
  const specId = parentNumber === undefined ? wfRun.wfSpecId : (rt.thread(parentNumber)?.wfSpecId ?? wfRun.wfSpecId);
  const spec = rt.specOf(specId).threadSpecs[threadSpecName];
  if (spec === undefined) throw new Error(`ThreadSpec ${threadSpecName} missing from WfSpec`);
  if (parentNumber !== undefined) checkThreadLimit(rt, 1);
  let number = 0;
  if (parentNumber !== undefined) {
    wfRun.greatestThreadrunNumber += 1;
    number = wfRun.greatestThreadrunNumber;
  }
  const thread: ThreadRun = {
    wfSpecId: specId,
    number,
    status: LHStatus.RUNNING,
    threadSpecName,
    startTime: tsFromMs(rt.nowMs),
    endTime: undefined,
    errorMessage: undefined,
    childThreadIds: [],
    parentThreadId: parentNumber,
    haltReasons: [],
    interruptTriggerId: undefined,
    failureBeingHandled: undefined,
    currentNodePosition: 0,
    handledFailedChildren: [],
    type,
    output: undefined,
  };
  wfRun.threadRuns.push(thread);
  if (parentNumber !== undefined) rt.thread(parentNumber)?.childThreadIds.push(number);

  const entryName = Object.keys(spec.nodes).find((n) => spec.nodes[n]?.node?.$case === 'entrypoint');
  if (entryName === undefined) throw new Error(`ThreadSpec ${threadSpecName} has no ENTRYPOINT node`);
  const entryRun = newNodeRun(rt, thread, entryName, 0);
  rt.putNodeRun(entryRun);
  createThreadVariables(rt, thread, spec, inputs);
  entryRun.status = LHStatus.RUNNING;
  return thread;
}

/**
 * Refuses to create `more` threads when the WfRun would then hold more than the configured
 * maximum; the NodeRun that asked fails with INTERNAL_ERROR naming the setting that raises it.
 */
export function checkThreadLimit(rt: RunRuntime, more: number): void {
  const max = rt.ctx.limits.maxThreadRunsPerWfRun;
  const wouldHave = rt.wfRun.threadRuns.length + more;
  if (wouldHave <= max) return;
  throw new NodeFailure(
    newFailure(
      ErrorName.INTERNAL_ERROR,
      `WfRun would have ${wouldHave} ThreadRuns, exceeding the maximum number of ThreadRuns per WfRun: ${max}. ` +
        'Reduce the number of spawned ThreadRuns or increase LHS_X_MAX_THREAD_RUNS_PER_WF_RUN.',
    ),
  );
}
