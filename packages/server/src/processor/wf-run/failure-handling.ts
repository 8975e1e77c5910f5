// What a failed NodeRun does to its thread. A node whose FailureHandlerDefs catch the failure
// halts its thread (pending_failure) and leaves a PendingFailureHandler on the WfRun; the handler
// thread starts once the thread and its children have stopped (pending-handlers.ts). Otherwise the
// thread fails "without grace": its children halt, and the failure travels up to the parent of an
// interrupt or failure-handler thread.
import type { Failure, ThreadRun } from '@filly/proto';
import type { RunRuntime } from './runtime.ts';
import { findHandler, newFailure, statusOfFailure } from './failures.ts';
import { haltThread, nodeRunMaybeHalt, parentHaltedReason, syncWfRunStatus } from './halt.ts';
import { tsFromMs } from './time.ts';

export function respondToNodeFailure(rt: RunRuntime, thread: ThreadRun, failure: Failure): void {
  const nodeRun = rt.currentNodeRun(thread);
  const handler = findHandler(rt.node(thread, nodeRun.nodeName).failureHandlers, failure.failureName);
  if (handler === undefined) {
    for (const childId of thread.childThreadIds) {
      const child = rt.thread(childId);
      if (child === undefined) continue;
      haltThread(rt, child, parentHaltedReason(thread.number));
      nodeRunMaybeHalt(rt, child, rt.currentNodeRun(child));
    }
    nodeRun.status = statusOfFailure(failure);
    failWithoutGrace(rt, thread, failure);
    return;
  }
  rt.wfRun.pendingFailures.push({ failedThreadRun: thread.number, handlerSpecName: handler.handlerSpecName });
  haltThread(rt, thread, { reason: { $case: 'pendingFailure', value: { nodeRunPosition: thread.currentNodePosition } } });
}

/**
 * Fails the thread with no chance of handling. An interrupt handler's failure also fails the
 * thread it interrupted (recorded on that thread's current NodeRun); a failure handler's failure
 * fails the thread whose failure it was handling.
 */
export function failWithoutGrace(rt: RunRuntime, thread: ThreadRun, failure: Failure): void {
  // Bounded by the depth of the thread tree: each step moves to the parent.
  let cur: ThreadRun | undefined = thread;
  let curFailure = failure;
  for (let hops = 0; cur !== undefined && hops <= rt.wfRun.greatestThreadrunNumber; hops++) {
    cur.errorMessage = curFailure.message;
    cur.status = statusOfFailure(curFailure);
    cur.endTime = tsFromMs(rt.nowMs);
    const parent: ThreadRun | undefined = cur.parentThreadId === undefined ? undefined : rt.thread(cur.parentThreadId);
    if (cur.interruptTriggerId !== undefined && parent !== undefined) {
      const parentFailure = newFailure(curFailure.failureName, `Interrupt thread with id ${cur.number} failed!`, curFailure.content);
      const parentNodeRun = rt.currentNodeRun(parent);
      parentNodeRun.failures.push(parentFailure);
      parentNodeRun.status = statusOfFailure(parentFailure);
      curFailure = parentFailure;
      cur = parent;
    } else if (cur.failureBeingHandled !== undefined && parent !== undefined) {
      cur = parent;
    } else {
      cur = undefined;
    }
  }
  syncWfRunStatus(rt);
}

/** Records a failure that prevented a handler thread from starting; the thread fails with it. */
export function putFailureOnThreadRun(rt: RunRuntime, thread: ThreadRun, failure: Failure): void {
  const nodeRun = rt.currentNodeRun(thread);
  nodeRun.failures.push(failure);
  thread.status = statusOfFailure(failure);
  thread.errorMessage = failure.message;
  nodeRunMaybeHalt(rt, thread, nodeRun);
  syncWfRunStatus(rt);
}
