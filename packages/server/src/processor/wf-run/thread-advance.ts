// One ThreadRun's step: if its current NodeRun is done, leave it through its edges and arrive at
// the next node; if the NodeRun failed, decide what the failure does to the thread.
import { LHStatus, type Node, type NodeRun, type ThreadRun } from '@filly/proto';
import type { RunRuntime } from './runtime.ts';
import { kindOfNode } from '../node-runs/index.ts';
import { NodeFailure, statusOfFailure } from './failures.ts';
import { leaveNodeRun } from './edges.ts';
import { maybeFinishHalting, maybeUnhalt, syncWfRunStatus } from './halt.ts';
import { failWithoutGrace, respondToNodeFailure } from './failure-handling.ts';
import { isTerminated } from './thread-status.ts';
import { tsFromMs } from './time.ts';
import { maybeMigrate } from '../migration/lazy-migration.ts';

/** Advances the thread by at most one node. True when anything changed (status or position). */
export function advanceThread(rt: RunRuntime, thread: ThreadRun): boolean {
  if (isTerminated(thread)) return false;
  if (thread.status === LHStatus.HALTED) return maybeUnhalt(rt, thread);
  if (thread.status === LHStatus.HALTING) {
    const halted = maybeFinishHalting(rt, thread);
    if (halted) syncWfRunStatus(rt);
    return halted;
  }
  const nodeRun = rt.currentNodeRun(thread);
  if (nodeRun.failures.length > 0) return advanceFromFailedNodeRun(rt, thread, nodeRun);
  try {
    const node = rt.node(thread, nodeRun.nodeName);
    // A WfRun with a migration plan moves threads that wait at, or arrive at, a mapped node.
    if (!checkCompleted(rt, thread, nodeRun, node)) return maybeMigrate(rt, thread, nodeRun.nodeName, true);
    if (node.node?.$case === 'exit') {
      completeThread(rt, thread);
    } else {
      const next = leaveNodeRun(rt, thread, nodeRun);
      if (!maybeMigrate(rt, thread, next, false)) activateNode(rt, thread, next);
    }
  } catch (err) {
    if (!(err instanceof NodeFailure)) throw err;
    respondToNodeFailure(rt, thread, err.failure);
  }
  return true;
}

/**
 * A running thread whose current NodeRun failed is one whose failure a handler thread took on.
 * Once that handler completes, the thread leaves the failed node by its edges (without their
 * mutations: the node produced nothing to mutate with).
 */
function advanceFromFailedNodeRun(rt: RunRuntime, thread: ThreadRun, nodeRun: NodeRun): boolean {
  const failure = nodeRun.failures[nodeRun.failures.length - 1];
  if (failure === undefined) throw new Error('unreachable: failures is not empty');
  nodeRun.status = statusOfFailure(failure);
  const handlerNumber = failure.failureHandlerThreadrunId;
  if (handlerNumber === undefined) return false;
  if (rt.thread(handlerNumber)?.status !== LHStatus.COMPLETED) return false;
  try {
    activateNode(rt, thread, leaveNodeRun(rt, thread, nodeRun));
  } catch (err) {
    if (!(err instanceof NodeFailure)) throw err;
    failWithoutGrace(rt, thread, err.failure);
  }
  return true;
}

function checkCompleted(rt: RunRuntime, thread: ThreadRun, nodeRun: NodeRun, node: Node): boolean {
  let done: boolean;
  try {
    done = kindOfNode(node).checkCompleted(rt, thread, nodeRun, node);
  } catch (err) {
    if (err instanceof NodeFailure) {
      nodeRun.failures.push(err.failure);
      nodeRun.status = statusOfFailure(err.failure);
      nodeRun.errorMessage = err.failure.message;
    }
    throw err;
  }
  if (done) {
    nodeRun.status = LHStatus.COMPLETED;
    nodeRun.endTime = tsFromMs(rt.nowMs);
  }
  return done;
}

/** Moves the thread to a new NodeRun of `nodeName` (the next position) and starts it. */
export function activateNode(rt: RunRuntime, thread: ThreadRun, nodeName: string): void {
  const node = rt.node(thread, nodeName);
  thread.currentNodePosition += 1;
  const nodeRun = newNodeRun(rt, thread, nodeName, thread.currentNodePosition);
  rt.putNodeRun(nodeRun);
  nodeRun.status = LHStatus.RUNNING;
  try {
    kindOfNode(node).arrive(rt, thread, nodeRun, node);
  } catch (err) {
    if (err instanceof NodeFailure) {
      nodeRun.failures.push(err.failure);
      nodeRun.status = statusOfFailure(err.failure);
    }
    throw err;
  }
}

export function newNodeRun(rt: RunRuntime, thread: ThreadRun, nodeName: string, position: number): NodeRun {
  const node = rt.node(thread, nodeName);
  return {
    id: { wfRunId: rt.wfRunId, threadRunNumber: thread.number, position },
    wfSpecId: thread.wfSpecId,
    failureHandlerIds: [],
    status: LHStatus.STARTING,
    arrivalTime: tsFromMs(rt.nowMs),
    endTime: undefined,
    threadSpecName: thread.threadSpecName,
    nodeName,
    errorMessage: undefined,
    failures: [],
    nodeType: kindOfNode(node).create(rt, thread, node),
  };
}

function completeThread(rt: RunRuntime, thread: ThreadRun): void {
  thread.status = LHStatus.COMPLETED;
  thread.endTime = tsFromMs(rt.nowMs);
  syncWfRunStatus(rt);
}
