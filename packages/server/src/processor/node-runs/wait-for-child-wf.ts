// WAIT_FOR_CHILD_WF: waits for a child WfRun (the WfRunId its assignment yields, normally the
// output of a RUN_CHILD_WF node). A COMPLETED child completes the node with the child's output; a
// child in ERROR fails it with CHILD_FAILURE; a child in EXCEPTION rethrows the child's failure.
// The child wakes this WfRun when it terminates (wf-run/on-wf-run-terminated.ts).
import { LHStatus, type NodeRun, type VariableValue, type WfRun, type WfRunId } from '@filly/proto';
import type { NodeKind } from './kind.ts';
import type { RunRuntime } from '../wf-run/runtime.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { VarSubError } from '../values/errors.ts';
import { kindOf } from '../values/types.ts';
import { assign } from '../wf-run/assign.ts';
import { ErrorName, NodeFailure, newFailure } from '../wf-run/failures.ts';
import { wfRunIdString } from '../../store/keys.ts';

function runOf(nodeRun: NodeRun) {
  if (nodeRun.nodeType?.$case !== 'waitForChildWf') throw new Error('not a WAIT_FOR_CHILD_WF NodeRun');
  return nodeRun.nodeType.value;
}

function childKey(rt: RunRuntime, id: WfRunId): string {
  return keys.wfRunKey(rt.ctx.partition, rt.ctx.tenant, id);
}

/** Only WfRuns of this WfRun's own family share its group; anything else cannot be waited for. */
function sameFamily(rt: RunRuntime, id: WfRunId): boolean {
  return keys.rootWfRunId(id) === keys.rootWfRunId(rt.wfRunId);
}

export const waitForChildWfKind: NodeKind = {
  create: () => ({ $case: 'waitForChildWf', value: { childWfRunId: undefined } }),

  arrive(rt, thread, nodeRun, node) {
    if (node.node?.$case !== 'waitForChildWf') throw new Error('not a WAIT_FOR_CHILD_WF node');
    const assn = node.node.value.childWfRunId;
    if (assn === undefined) throw new Error('WAIT_FOR_CHILD_WF node without child_wf_run_id');
    let id: WfRunId;
    try {
      const v = assign(rt, thread, assn);
      if (v.value?.$case !== 'wfRunId') {
        throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Received non-WF_RUN_ID value of type ${kindOf(v)}`));
      }
      id = v.value.value;
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Failed to assign WfRunId to wait for: ${err.message}`));
    }
    runOf(nodeRun).childWfRunId = id;
    if (!sameFamily(rt, id)) return;
    const child = rt.get(Records.wfRun, childKey(rt, id));
    if (child?.parentTrigger !== undefined) {
      child.parentTrigger.waitingNodeRun = nodeRun.id;
      rt.put(Records.wfRun, childKey(rt, id), child);
    }
  },

  checkCompleted(rt, _thread, nodeRun) {
    const id = runOf(nodeRun).childWfRunId;
    if (id === undefined) throw new Error('WAIT_FOR_CHILD_WF NodeRun without a child id');
    const child = sameFamily(rt, id) ? rt.get(Records.wfRun, childKey(rt, id)) : undefined;
    if (child === undefined) {
      throw new NodeFailure(newFailure(ErrorName.CHILD_FAILURE, `Child WfRun ${wfRunIdString(id)} not found`));
    }
    switch (child.status) {
      case LHStatus.COMPLETED:
        return true;
      case LHStatus.ERROR:
        throw new NodeFailure(newFailure(ErrorName.CHILD_FAILURE, `Child WfRun ${wfRunIdString(id)} failed`));
      case LHStatus.EXCEPTION: {
        const failure = latestFailureOfEntrypoint(rt, child);
        if (failure === undefined) throw new NodeFailure(newFailure(ErrorName.CHILD_FAILURE, `Child WfRun ${wfRunIdString(id)} failed`));
        throw new NodeFailure(newFailure(failure.failureName, `Child WfRun failed: ${failure.message}`, failure.content));
      }
      default:
        return false;
    }
  },

  canHalt: () => true,
};

function latestFailureOfEntrypoint(rt: RunRuntime, child: WfRun) {
  const entry = child.threadRuns.find((t) => t.number === 0);
  if (entry === undefined || child.id === undefined) return undefined;
  const key = keys.nodeRunKey(rt.ctx.partition, rt.ctx.tenant, { wfRunId: child.id, threadRunNumber: 0, position: entry.currentNodePosition });
  const nodeRun = rt.get(Records.nodeRun, key);
  return nodeRun?.failures[nodeRun.failures.length - 1];
}

/** The output of a completed WAIT_FOR_CHILD_WF NodeRun: the child entrypoint thread's output. */
export function waitForChildWfOutput(rt: RunRuntime, nodeRun: NodeRun): VariableValue | undefined {
  const id = runOf(nodeRun).childWfRunId;
  if (id === undefined || !sameFamily(rt, id)) return undefined;
  const child = rt.get(Records.wfRun, childKey(rt, id));
  const output = child?.threadRuns.find((t) => t.number === 0)?.output;
  return output ?? { value: undefined };
}
