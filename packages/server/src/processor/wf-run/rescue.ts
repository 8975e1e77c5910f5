// RescueThreadRun: brings a thread in ERROR back to RUNNING, either re-running the node that
// failed or skipping it along its edges (without their mutations). A parent that failed at a
// WAIT_FOR_THREADS or EXIT node only because of this child's CHILD_FAILURE is rescued with it.
import { LHStatus, type ThreadRun } from '@filly/proto';
import type { RunRuntime } from './runtime.ts';
import { failedPrecondition, invalidArgument } from '../api-error.ts';
import { ErrorName, NodeFailure } from './failures.ts';
import { leaveNodeRun } from './edges.ts';
import { activateNode } from './thread-advance.ts';
import { syncWfRunStatus } from './halt.ts';

/** Checks that the thread can be rescued; throws the gRPC error upstream answers otherwise. */
export function checkRescuable(rt: RunRuntime, threadNumber: number): ThreadRun {
  if (threadNumber < 0 || threadNumber > rt.wfRun.greatestThreadrunNumber) {
    throw invalidArgument('Tried to rescue a non-existent thread id.');
  }
  const thread = rt.thread(threadNumber);
  if (thread === undefined) throw failedPrecondition('Specified ThreadRun has been garbage-collected.');
  if (thread.status !== LHStatus.ERROR) {
    throw failedPrecondition(`Specified ThreadRun has status ${LHStatus[thread.status] ?? thread.status}, not ERROR`);
  }
  const nodeRun = rt.currentNodeRun(thread);
  if (nodeRun.failures.length === 0) {
    throw new Error(`thread ${threadNumber} is in ERROR without a failure on its current NodeRun`);
  }
  if (nodeRun.failureHandlerIds.length > 0) {
    throw failedPrecondition('The failure of the specified ThreadRun was given to a failure handler thread');
  }
  let child = thread;
  for (let hops = 0; child.parentThreadId !== undefined && hops <= rt.wfRun.greatestThreadrunNumber; hops++) {
    const parent = rt.thread(child.parentThreadId);
    if (parent === undefined) break;
    if (parent.handledFailedChildren.includes(child.number)) {
      throw failedPrecondition('Parent of specified ThreadRun has already handled the failure');
    }
    child = parent;
  }
  return thread;
}

export function rescueThread(rt: RunRuntime, thread: ThreadRun, skipCurrentNode: boolean): void {
  // A chain of parents rescued for their children's CHILD_FAILURE is as deep as the thread tree.
  let cur: ThreadRun | undefined = thread;
  let skip = skipCurrentNode;
  for (let hops = 0; cur !== undefined && hops <= rt.wfRun.greatestThreadrunNumber; hops++) {
    rescueOne(rt, cur, skip);
    skip = false;
    cur = parentToRescue(rt, cur);
  }
  syncWfRunStatus(rt);
}

function rescueOne(rt: RunRuntime, thread: ThreadRun, skipCurrentNode: boolean): void {
  if (thread.status !== LHStatus.ERROR) throw new Error(`rescuing thread ${thread.number} from status ${thread.status}`);
  const failed = rt.currentNodeRun(thread);
  try {
    const next = skipCurrentNode ? leaveNodeRun(rt, thread, failed) : failed.nodeName;
    thread.status = LHStatus.RUNNING;
    activateNode(rt, thread, next);
  } catch (err) {
    if (!(err instanceof NodeFailure)) throw err;
    throw failedPrecondition(`Could not rescue threadRun: ${err.message}`);
  }
  thread.endTime = undefined;
  thread.errorMessage = undefined;
}

function parentToRescue(rt: RunRuntime, thread: ThreadRun): ThreadRun | undefined {
  if (thread.parentThreadId === undefined) return undefined;
  const parent = rt.thread(thread.parentThreadId);
  if (parent === undefined || parent.status !== LHStatus.ERROR) return undefined;
  const nodeRun = rt.currentNodeRun(parent);
  const kind = nodeRun.nodeType?.$case;
  if (kind !== 'waitForThreads' && kind !== 'exit') return undefined;
  const latest = nodeRun.failures[nodeRun.failures.length - 1];
  return latest?.failureName === ErrorName.CHILD_FAILURE ? parent : undefined;
}
