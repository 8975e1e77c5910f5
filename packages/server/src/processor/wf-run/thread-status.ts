// Status predicates shared by threads and NodeRuns.
import { LHStatus, type NodeRun, type ThreadRun } from '@filly/proto';

export function isTerminatedStatus(status: LHStatus): boolean {
  return status === LHStatus.COMPLETED || status === LHStatus.ERROR || status === LHStatus.EXCEPTION;
}

export function isTerminated(thread: ThreadRun): boolean {
  return isTerminatedStatus(thread.status);
}

/** RUNNING, STARTING or HALTING: the thread can still move by itself. */
export function isThreadRunning(thread: ThreadRun): boolean {
  return thread.status === LHStatus.RUNNING || thread.status === LHStatus.STARTING || thread.status === LHStatus.HALTING;
}

export function isNodeRunInProgress(nodeRun: NodeRun): boolean {
  return nodeRun.status === LHStatus.STARTING || nodeRun.status === LHStatus.RUNNING || nodeRun.status === LHStatus.HALTING;
}
