// WAIT_FOR_THREADS: waits for threads named by a list of assignments or by one JSON_ARR / ARRAY
// of thread numbers. Each waited thread has a WaitingThreadStatus that moves IN_PROGRESS →
// COMPLETED_OR_FAILURE_HANDLED, or IN_PROGRESS → HANDLING_FAILURE (a per-thread failure handler
// runs) → COMPLETED_OR_FAILURE_HANDLED / UNSUCCESSFUL, or IN_PROGRESS → UNSUCCESSFUL. The
// strategy decides when the node completes or fails; an unhandled child failure surfaces here as
// the child's own EXCEPTION, or for an ERROR as CHILD_FAILURE.
import {
  LHStatus,
  ThreadType,
  WaitForThreadsRun_WaitingThreadStatus as Waiting,
  WaitForThreadsStrategy,
  type Failure,
  type Node,
  type NodeRun,
  type ThreadRun,
  type VariableValue,
  type WaitForThreadsRun_WaitForThread as WaitedThread,
} from '@filly/proto';
import type { NodeKind } from './kind.ts';
import type { RunRuntime } from '../wf-run/runtime.ts';
import { VarSubError } from '../values/errors.ts';
import { kindOf } from '../values/types.ts';
import { jsonArrTreeOf, valueOfJsonNode } from '../values/json.ts';
import { assign, assignInt } from '../wf-run/assign.ts';
import { ErrorName, NodeFailure, findHandler, isReservedFailureName, newFailure } from '../wf-run/failures.ts';
import { haltThread } from '../wf-run/halt.ts';
import { startThread } from '../wf-run/start.ts';
import { problemWithThreadInputs } from '../wf-run/thread-inputs.ts';
import { HANDLER_INPUT_VAR } from '../wf-run/pending-handlers.ts';
import { NULL_VALUE } from '../wf-run/variables.ts';

function nodeOf(node: Node) {
  if (node.node?.$case !== 'waitForThreads') throw new Error('not a WAIT_FOR_THREADS node');
  return node.node.value;
}

function runOf(nodeRun: NodeRun) {
  if (nodeRun.nodeType?.$case !== 'waitForThreads') throw new Error('not a WAIT_FOR_THREADS NodeRun');
  return nodeRun.nodeType.value;
}

/** The thread numbers the node names, in order. Throws VarSubError or NodeFailure. */
function threadNumbers(rt: RunRuntime, thread: ThreadRun, node: Node): number[] {
  const which = nodeOf(node).threadsToWaitFor;
  if (which === undefined) throw new Error('WAIT_FOR_THREADS node names no threads');
  if (which.$case === 'threads') {
    return which.value.threads.map((t) => {
      if (t.threadRunNumber === undefined) throw new VarSubError('thread_run_number is not set');
      return Number(assignInt(rt, thread, t.threadRunNumber));
    });
  }
  const list = assign(rt, thread, which.value);
  let items: VariableValue[];
  if (list.value?.$case === 'array') items = list.value.value.items;
  else if (list.value?.$case === 'jsonArr') items = jsonArrTreeOf(list).map(valueOfJsonNode);
  else throw new VarSubError(`The thread list must be a JSON_ARR, not ${kindOf(list)}`);
  return items.map(threadNumberOf);
}

function threadNumberOf(item: VariableValue): number {
  const v = item.value;
  if (v?.$case === 'int') return Number(v.value);
  if (v?.$case === 'str' && /^-?\d{1,10}$/.test(v.value.trim())) return Number(v.value.trim());
  throw new VarSubError(`${kindOf(item)} is not a thread run number`);
}

function waitedEntry(rt: RunRuntime, thread: ThreadRun, number: number): WaitedThread {
  const waited = rt.thread(number);
  if (waited === undefined) {
    throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Couldn't wait for nonexistent threadRun: ${number}`));
  }
  // Waiting for oneself or an ancestor would never end.
  let cur: ThreadRun | undefined = thread;
  for (let hops = 0; cur !== undefined && hops <= rt.wfRun.greatestThreadrunNumber; hops++) {
    if (cur.number === number) {
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Determined threadrunnumber ${number} is a parent!`));
    }
    cur = cur.parentThreadId === undefined ? undefined : rt.thread(cur.parentThreadId);
  }
  return {
    threadEndTime: undefined,
    threadStatus: waited.status,
    threadRunNumber: number,
    waitingStatus: Waiting.THREAD_IN_PROGRESS,
    failureHandlerThreadRunId: undefined,
  };
}

function latestFailure(rt: RunRuntime, threadNumber: number): Failure {
  const t = rt.thread(threadNumber);
  const nodeRun = t === undefined ? undefined : rt.currentNodeRun(t);
  const failure = nodeRun?.failures[nodeRun.failures.length - 1];
  if (failure === undefined) throw new Error(`failed thread ${threadNumber} has no failure on its current NodeRun`);
  return failure;
}

/** Moves one waited thread's WaitingThreadStatus along; may start its failure handler. */
function updateWaited(rt: RunRuntime, thread: ThreadRun, node: Node, w: WaitedThread): void {
  if (w.waitingStatus === Waiting.THREAD_COMPLETED_OR_FAILURE_HANDLED) return;
  const child = rt.thread(w.threadRunNumber);
  if (child === undefined) throw new Error(`waited thread ${w.threadRunNumber} is missing`);
  w.threadStatus = child.status;
  if (w.waitingStatus === Waiting.THREAD_IN_PROGRESS) {
    if (child.status === LHStatus.COMPLETED) {
      w.waitingStatus = Waiting.THREAD_COMPLETED_OR_FAILURE_HANDLED;
    } else if (child.status === LHStatus.ERROR || child.status === LHStatus.EXCEPTION) {
      const failure = latestFailure(rt, child.number);
      const handler = findHandler(nodeOf(node).perThreadFailureHandlers, failure.failureName);
      if (handler === undefined) {
        w.waitingStatus = Waiting.THREAD_UNSUCCESSFUL;
      } else {
        w.waitingStatus = Waiting.THREAD_HANDLING_FAILURE;
        w.failureHandlerThreadRunId = startChildFailureHandler(rt, handler.handlerSpecName, failure, child).number;
      }
    }
  } else if (w.waitingStatus === Waiting.THREAD_HANDLING_FAILURE) {
    const handler = w.failureHandlerThreadRunId === undefined ? undefined : rt.thread(w.failureHandlerThreadRunId);
    if (handler?.status === LHStatus.COMPLETED) {
      w.waitingStatus = Waiting.THREAD_COMPLETED_OR_FAILURE_HANDLED;
      thread.handledFailedChildren.push(w.threadRunNumber);
    } else if (handler?.status === LHStatus.ERROR || handler?.status === LHStatus.EXCEPTION) {
      w.waitingStatus = Waiting.THREAD_UNSUCCESSFUL;
    }
  }
}

/** The failed child is already terminated, so its handler can start at once (as its child). */
function startChildFailureHandler(rt: RunRuntime, specName: string, failure: Failure, failedChild: ThreadRun): ThreadRun {
  const spec = rt.specOf(failedChild.wfSpecId).threadSpecs[specName];
  if (spec === undefined) throw new Error(`handler ThreadSpec ${specName} missing from WfSpec`);
  const inputs: Record<string, VariableValue> = spec.variableDefs.length > 0 ? { [HANDLER_INPUT_VAR]: failure.content ?? NULL_VALUE } : {};
  const problem = problemWithThreadInputs(spec, specName, inputs);
  if (problem !== undefined) {
    throw new NodeFailure(
      newFailure(
        ErrorName.CHILD_FAILURE,
        `Failure Handler spec ${specName} for thread ${failedChild.number} rejected input variables: ${problem}`,
      ),
    );
  }
  return startThread(rt, specName, failedChild.number, inputs, ThreadType.FAILURE_HANDLER);
}

/** The failure a waited thread that ended unsuccessfully passes on: its handler's, else its own. */
function propagatedFailure(rt: RunRuntime, w: WaitedThread): NodeFailure {
  const source = w.failureHandlerThreadRunId ?? w.threadRunNumber;
  const failure = latestFailure(rt, source);
  if (!isReservedFailureName(failure.failureName)) {
    return new NodeFailure(newFailure(failure.failureName, failure.message, failure.content));
  }
  return new NodeFailure(
    newFailure(
      ErrorName.CHILD_FAILURE,
      `Child thread ${w.threadRunNumber} failed with ${failure.failureName}: ${failure.message}`,
    ),
  );
}

/** WAIT_FOR_FIRST / WAIT_FOR_ANY are done: the threads still going are no longer needed. */
function haltOthers(rt: RunRuntime, thread: ThreadRun, nodeRun: NodeRun): void {
  const position = nodeRun.id?.position ?? thread.currentNodePosition;
  for (const w of runOf(nodeRun).threads) {
    switch (w.waitingStatus) {
      case Waiting.THREAD_IN_PROGRESS:
      case Waiting.THREAD_HANDLING_FAILURE:
      case Waiting.THREAD_STOPPED: {
        const other = rt.thread(w.threadRunNumber);
        if (other === undefined) break;
        haltThread(rt, other, {
          reason: { $case: 'haltedByParent', value: { parentThreadRunNumber: thread.number, waitingNodeRunPosition: position } },
        });
        break;
      }
      case Waiting.THREAD_COMPLETED_OR_FAILURE_HANDLED:
      case Waiting.THREAD_UNSUCCESSFUL:
        thread.handledFailedChildren.push(w.threadRunNumber);
        break;
      default:
        break;
    }
  }
}

export const waitForThreadsKind: NodeKind = {
  create: () => ({ $case: 'waitForThreads', value: { threads: [] } }),

  arrive(rt, thread, nodeRun, node) {
    let numbers: number[];
    try {
      numbers = threadNumbers(rt, thread, node);
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Failed determining thread run number to wait for: ${err.message}`));
    }
    const run = runOf(nodeRun);
    for (const n of numbers) run.threads.push(waitedEntry(rt, thread, n));
  },

  checkCompleted(rt, thread, nodeRun, node) {
    const run = runOf(nodeRun);
    for (const w of run.threads) updateWaited(rt, thread, node, w);
    const strategy = nodeOf(node).strategy;
    if (strategy === WaitForThreadsStrategy.WAIT_FOR_ANY) {
      if (run.threads.some((w) => w.waitingStatus === Waiting.THREAD_COMPLETED_OR_FAILURE_HANDLED)) {
        haltOthers(rt, thread, nodeRun);
        return true;
      }
      if (run.threads.every((w) => w.waitingStatus === Waiting.THREAD_UNSUCCESSFUL)) {
        throw new NodeFailure(newFailure(ErrorName.CHILD_FAILURE, 'All child threads failed'));
      }
      return false;
    }
    if (strategy === WaitForThreadsStrategy.WAIT_FOR_FIRST) {
      for (const w of run.threads) {
        if (w.waitingStatus === Waiting.THREAD_COMPLETED_OR_FAILURE_HANDLED) {
          haltOthers(rt, thread, nodeRun);
          return true;
        }
        if (w.waitingStatus === Waiting.THREAD_UNSUCCESSFUL) {
          haltOthers(rt, thread, nodeRun);
          throw propagatedFailure(rt, w);
        }
      }
      return false;
    }
    // WAIT_FOR_ALL: the first unsuccessful thread (in list order) fails the node.
    let all = true;
    for (const w of run.threads) {
      if (w.waitingStatus === Waiting.THREAD_UNSUCCESSFUL) throw propagatedFailure(rt, w);
      if (w.waitingStatus !== Waiting.THREAD_COMPLETED_OR_FAILURE_HANDLED) all = false;
    }
    return all;
  },

  canHalt: () => true,
};

/**
 * The thread_status of each waited thread follows the thread itself, as upstream reports it when
 * the NodeRun is read. Called at the end of every advance, for the threads that have children.
 */
export function refreshWaitedThreadStatuses(rt: RunRuntime): void {
  for (const thread of rt.wfRun.threadRuns) {
    if (thread.childThreadIds.length === 0) continue;
    const nodeRun = rt.nodeRunAt(thread, thread.currentNodePosition);
    if (nodeRun?.nodeType?.$case !== 'waitForThreads') continue;
    for (const w of nodeRun.nodeType.value.threads) {
      const status = rt.thread(w.threadRunNumber)?.status;
      if (status !== undefined) w.threadStatus = status;
    }
  }
}
