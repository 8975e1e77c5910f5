// Halting and resuming threads. A thread halts for reasons (a manual stop, a halted parent, a
// pending or running interrupt or failure handler, a WAIT_FOR_THREADS that no longer needs it); it
// is HALTING until its current NodeRun and its children can stop, then HALTED, and it runs again
// once every reason is resolved.
import { LHStatus, type NodeRun, type ThreadHaltReason, type ThreadRun } from '@filly/proto';
import type { RunRuntime } from './runtime.ts';
import { kindOfNode } from '../node-runs/index.ts';
import { isNodeRunInProgress, isTerminated, isTerminatedStatus } from './thread-status.ts';
import { statusOfFailure } from './failures.ts';
import { tsFromMs } from './time.ts';
import { onWfRunStatusChanged } from './on-wf-run-terminated.ts';

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

function isResolved(rt: RunRuntime, thread: ThreadRun, reason: ThreadHaltReason): boolean {
  const r = reason.reason;
  switch (r?.$case) {
    case 'manualHalt':
      return false; // removed only by ResumeWfRun
    case 'parentHalted': {
      const parent = rt.thread(r.value.parentThreadId);
      if (parent === undefined) return true;
      if (parent.status === LHStatus.HALTED || parent.status === LHStatus.HALTING) {
        return parentOnlyHaltedForThisInterrupt(parent, thread);
      }
      // A failed parent keeps its children halted until it is rescued.
      return !(parent.status === LHStatus.ERROR || parent.status === LHStatus.EXCEPTION);
    }
    case 'interrupted':
      return rt.thread(r.value.interruptThreadId)?.status === LHStatus.COMPLETED;
    case 'handlingFailure':
      return handlingFailureResolved(rt, r.value.handlerThreadId);
    case 'haltedByParent': // a WAIT_FOR_THREADS that no longer needs the thread: final
    case 'pendingInterrupt': // replaced by 'interrupted' once the handler thread starts
    case 'pendingFailure': // replaced by 'handlingFailure' once the handler thread starts
    case undefined:
      return false;
  }
}

/** An interrupt handler runs while its parent is halted for exactly that interrupt. */
function parentOnlyHaltedForThisInterrupt(parent: ThreadRun, thread: ThreadRun): boolean {
  if (parent.haltReasons.length !== 1) return false;
  const only = parent.haltReasons[0]?.reason;
  return only?.$case === 'interrupted' && only.value.interruptThreadId === thread.number;
}

/**
 * The handler of a failure finished. If it completed, the failure counts as properly handled
 * (for a WAIT_FOR_THREADS node: every failed child it waited for is handled too). If it failed,
 * the reason goes away as well; the handler's failure has already failed the thread.
 */
function handlingFailureResolved(rt: RunRuntime, handlerNumber: number): boolean {
  const handler = rt.thread(handlerNumber);
  if (handler === undefined) return true;
  if (handler.status === LHStatus.COMPLETED) {
    const being = handler.failureBeingHandled;
    const failed = being === undefined ? undefined : rt.thread(being.threadRunNumber);
    const nodeRun = being === undefined || failed === undefined ? undefined : rt.nodeRunAt(failed, being.nodeRunPosition);
    const failure = nodeRun?.failures[nodeRun.failures.length - 1];
    if (failure !== undefined) failure.wasProperlyHandled = true;
    if (failed !== undefined && nodeRun?.nodeType?.$case === 'waitForThreads') {
      for (const waited of nodeRun.nodeType.value.threads) {
        const status = rt.thread(waited.threadRunNumber)?.status ?? waited.threadStatus;
        if (status === LHStatus.ERROR || status === LHStatus.EXCEPTION) failed.handledFailedChildren.push(waited.threadRunNumber);
      }
    }
    return true;
  }
  return handler.status === LHStatus.ERROR || handler.status === LHStatus.EXCEPTION;
}

/** For a HALTED thread: drops resolved reasons and runs again when none is left. */
export function maybeUnhalt(rt: RunRuntime, thread: ThreadRun): boolean {
  thread.haltReasons = thread.haltReasons.filter((r) => !isResolved(rt, thread, r));
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

/**
 * The WfRun's status mirrors its entrypoint thread (number 0), with upstream's one exception: a
 * halt that is only part of handling a failure or an interrupt leaves the WfRun RUNNING.
 */
export function syncWfRunStatus(rt: RunRuntime): void {
  const entry = rt.thread(0);
  if (entry === undefined) return;
  const wfRun = rt.wfRun;
  let status = entry.status;
  if ((status === LHStatus.HALTING || status === LHStatus.HALTED) && !entry.haltReasons.some(isUserHalt)) {
    status = LHStatus.RUNNING;
  }
  if (wfRun.status === status) return;
  wfRun.status = status;
  if (isTerminatedStatus(status)) wfRun.endTime = entry.endTime ?? tsFromMs(rt.nowMs);
  else wfRun.endTime = undefined;
  onWfRunStatusChanged(rt);
}

function isUserHalt(reason: ThreadHaltReason): boolean {
  const why = reason.reason?.$case;
  return why === 'manualHalt' || why === 'parentHalted' || why === 'haltedByParent';
}
