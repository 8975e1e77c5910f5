// EXIT: ends the thread, either by throwing the node's FailureDef or by completing (once every
// child thread has stopped) with the thread's output set from return_content.
import { LHStatus, type ThreadRun } from '@filly/proto';
import type { NodeKind } from './kind.ts';
import type { RunRuntime } from '../wf-run/runtime.ts';
import { assign } from '../wf-run/assign.ts';
import { VarSubError } from '../values/errors.ts';
import { ErrorName, NodeFailure, newFailure } from '../wf-run/failures.ts';
import { NULL_VALUE } from '../wf-run/variables.ts';
import { isTerminated } from '../wf-run/thread-status.ts';

export const exitKind: NodeKind = {
  create: () => ({ $case: 'exit', value: {} }),
  arrive: () => undefined,
  checkCompleted(rt, thread, _nodeRun, node) {
    const exit = node.node?.$case === 'exit' ? node.node.value : undefined;
    if (exit?.result?.$case === 'failureDef') {
      const def = exit.result.value;
      let message = def.message;
      let content = NULL_VALUE;
      if (def.content !== undefined) {
        try {
          content = assign(rt, thread, def.content);
        } catch (err) {
          if (!(err instanceof VarSubError)) throw err;
          message += `\n\nWARNING: Unable to assign output content: ${err.message}`;
        }
      }
      throw new NodeFailure(newFailure(def.failureName, message, content));
    }
    const failedChildren = unfinishedOrFailedChildren(rt, thread);
    if (failedChildren === 'waiting') return false;
    if (failedChildren.length > 0) {
      throw new NodeFailure(
        newFailure(ErrorName.CHILD_FAILURE, `Child thread (or threads) failed: ${failedChildren.join(' ')}`),
      );
    }
    if (exit?.result?.$case === 'returnContent') {
      try {
        thread.output = assign(rt, thread, exit.result.value);
      } catch (err) {
        if (!(err instanceof VarSubError)) throw err;
        throw new NodeFailure(newFailure(ErrorName.VAR_ERROR, `Failed calculating threadRun output: ${err.message}`));
      }
    }
    return true;
  },
  canHalt: () => false,
};

function unfinishedOrFailedChildren(rt: RunRuntime, thread: ThreadRun): number[] | 'waiting' {
  const failed: number[] = [];
  for (const childId of thread.childThreadIds) {
    const child = rt.thread(childId);
    if (child === undefined) continue; // archived threads finished long ago
    const halted = child.status === LHStatus.HALTED;
    if (!isTerminated(child) && !halted) return 'waiting';
    if (child.status !== LHStatus.COMPLETED && !halted && !thread.handledFailedChildren.includes(childId)) {
      failed.push(childId);
    }
  }
  return failed;
}
