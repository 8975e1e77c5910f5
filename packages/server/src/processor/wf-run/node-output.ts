// What a completed NodeRun produced, recovered from the records it points at (the TaskRun's last
// attempt, the claimed ExternalEvent), so that nothing is stored twice.
import { LHStatus, type NodeRun, type ThreadRun, type VariableValue } from '@filly/proto';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { VarSubError } from '../values/errors.ts';
import { runChildWfOutput } from '../node-runs/run-child-wf.ts';
import { waitForChildWfOutput } from '../node-runs/wait-for-child-wf.ts';
import { userTaskNodeOutput } from '../user-tasks/user-task-output.ts';
import type { RunRuntime } from './runtime.ts';
import { NULL_VALUE } from './variables.ts';

/** The output of a COMPLETED NodeRun; undefined for node types that produce none. */
export function outputOfNodeRun(rt: RunRuntime, nodeRun: NodeRun): VariableValue | undefined {
  const sub = nodeRun.nodeType;
  switch (sub?.$case) {
    case 'task': {
      const id = sub.value.taskRunId;
      if (id === undefined) return undefined;
      const taskRun = rt.get(Records.taskRun, keys.taskRunKey(rt.ctx.partition, rt.ctx.tenant, id));
      const last = taskRun?.attempts[taskRun.attempts.length - 1];
      if (last === undefined) return undefined;
      return last.result?.$case === 'output' ? last.result.value : NULL_VALUE;
    }
    case 'externalEvent': {
      const id = sub.value.externalEventId;
      if (id === undefined) return undefined;
      const event = rt.get(Records.externalEvent, keys.externalEventKey(rt.ctx.partition, rt.ctx.tenant, id));
      return event?.content ?? NULL_VALUE;
    }
    case 'startThread': {
      const child = sub.value.childThreadId;
      return child === undefined ? NULL_VALUE : { value: { $case: 'int', value: BigInt(child) } };
    }
    case 'startMultipleThreads':
      return { value: { $case: 'jsonArr', value: JSON.stringify(sub.value.childThreadIds) } };
    case 'runChildWf':
      return runChildWfOutput(nodeRun);
    case 'waitForChildWf':
      return waitForChildWfOutput(rt, nodeRun);
    case 'userTask':
      return userTaskNodeOutput(rt, sub.value.userTaskRunId);
    default:
      return undefined;
  }
}

/**
 * The output of the most recent NodeRun of `nodeName` in this thread (a NodeOutputReference).
 * Walks back from the current position; the entrypoint (position 0) never has output.
 */
export function mostRecentNodeOutput(rt: RunRuntime, thread: ThreadRun, nodeName: string): VariableValue {
  for (let position = thread.currentNodePosition; position > 0; position--) {
    const nodeRun = rt.nodeRunAt(thread, position);
    if (nodeRun === undefined || nodeRun.nodeName !== nodeName) continue;
    // The NodeRun being arrived at may name itself (a loop reading its previous iteration).
    if (position === thread.currentNodePosition && nodeRun.status !== LHStatus.COMPLETED) continue;
    if (nodeRun.status !== LHStatus.COMPLETED) {
      throw new VarSubError(`Specified node ${nodeName} has not completed, so it has no output.`);
    }
    const out = outputOfNodeRun(rt, nodeRun);
    if (out === undefined) throw new VarSubError(`Specified node ${nodeName} has no output.`);
    return out;
  }
  throw new VarSubError(`Specified node ${nodeName} does not have any previous runs.`);
}
