// Halting and resuming threads. A thread halts for reasons (a manual stop, a halted parent, and
// later interrupts and failure handlers); it is HALTING until its current NodeRun and its children
// can stop, then HALTED, and it runs again once every reason is resolved.
import { LHStatus, type NodeRun, type ThreadHaltReason, type ThreadRun } from '@filly/proto';
import type { RunRuntime } from './runtime.ts';
import { kindOfNode } from '../node-runs/index.ts';
import { isNodeRunInProgress, isTerminated, isTerminatedStatus } from './thread-status.ts';
import { statusOfFailure } from './failures.ts';
import { tsFromMs } from './time.ts';

/** Asks the NodeRun to stop where it is; true when it is no longer in progress. */
export function nodeRunMaybeHalt(rt: RunRuntime, thread: ThreadRun, nodeRun: NodeRun): boolean {
  if (!isNodeRunInProgress(nodeRun)) return true;
  const kind = kindOfNode(rt.node(thread, nodeRun.nodeName));
  if (kind.canHalt(rt, nodeRun)) {
    nodeRun.status = LHStatus.HALTED;
    return true;
  }
  nodeRun.status = LHStatus.HALTING;
  return false;
}

export function parentHaltedReason(parentNumber: number): ThreadHaltReason {
  return { reason: { $case: 'parentHalted', value: { parentThreadId: parentNumber } } };
}

export function manualHaltReason(): ThreadHaltReason {
  // Upstream's ManualHalt carries a single always-true flag.
  return { reason: { $case: 'manualHalt', value: { meaningOfLife: true } } };
}

export function haltThread(rt: RunRuntime, thread: ThreadRun, reason: ThreadHaltReason): void {
  if (isTerminated(thread)) return;
  thread.haltReasons.push(reason);
  if (thread.status !== LHStatus.HALTED) thread.status = LHStatus.HALTING;
  const why = reason.reason?.$case;
  for (const childId of thread.childThreadIds) {
    const child = rt.thread(childId);
    if (child === undefined) continue;
    // A running interrupt handler keeps going when its parent is interrupted again.
    if (child.interruptTriggerId !== undefined && (why === 'pendingInterrupt' || why === 'interrupted')) continue;
    haltThread(rt, child, parentHaltedReason(thread.number));
  }
  nodeRunMaybeHalt(rt, thread, rt.currentNodeRun(thread));
  maybeFinishHalting(rt, thread);
  syncWfRunStatus(rt);
}

/** For a HALTING thread: becomes HALTED once its NodeRun and all children have stopped. */
export function maybeFinishHalting(rt: RunRuntime, thread: ThreadRun): boolean {
  if (isTerminated(thread) || thread.status === LHStatus.HALTED) return true;
  if (thread.status !== LHStatus.HALTING) throw new Error(`thread ${thread.number} is not halting`);
  let childrenHalted = true;
  for (const childId of thread.childThreadIds) {
    const child = rt.thread(childId);
    if (child !== undefined && !maybeFinishHalting(rt, child)) childrenHalted = false;
  }
  if (nodeRunMaybeHalt(rt, thread, rt.currentNodeRun(thread)) && childrenHalted) {
    thread.status = LHStatus.HALTED;
    return true;
  }
  return false;
}

function isResolved(rt: RunRuntime, reason: ThreadHaltReason): boolean {
  const r = reason.reason;
  switch (r?.$case) {
    case 'manualHalt':
      return false; // removed only by ResumeWfRun
    case 'parentHalted': {
      const parent = rt.thread(r.value.parentThreadId);
      return parent === undefined || (parent.status !== LHStatus.HALTED && parent.status !== LHStatus.HALTING);
    }
    default:
      return false;
  }
}

/** For a HALTED thread: drops resolved reasons and runs again when none is left. */
export function maybeUnhalt(rt: RunRuntime, thread: ThreadRun): boolean {
  thread.haltReasons = thread.haltReasons.filter((r) => !isResolved(rt, r));
  if (thread.haltReasons.length > 0) return false;
  const nodeRun = rt.currentNodeRun(thread);
  const failure = nodeRun.failures[nodeRun.failures.length - 1];
  if (failure === undefined) {
    thread.status = LHStatus.RUNNING;
    if (nodeRun.status === LHStatus.HALTED || nodeRun.status === LHStatus.HALTING) nodeRun.status = LHStatus.RUNNING;
  } else if (failure.wasProperlyHandled) {
    thread.status = LHStatus.RUNNING;
  } else {
    thread.status = statusOfFailure(failure);
  }
  syncWfRunStatus(rt);
  return true;
}

/** The WfRun's status always mirrors its entrypoint thread (number 0). */
export function syncWfRunStatus(rt: RunRuntime): void {
  const entry = rt.thread(0);
  if (entry === undefined) return;
  const wfRun = rt.wfRun;
  if (wfRun.status === entry.status) return;
  wfRun.status = entry.status;
  if (isTerminatedStatus(entry.status)) wfRun.endTime = entry.endTime ?? tsFromMs(rt.nowMs);
  else wfRun.endTime = undefined;
}
