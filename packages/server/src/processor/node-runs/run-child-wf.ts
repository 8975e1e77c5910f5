// RUN_CHILD_WF: starts a child WfRun (id: a fresh guid under this WfRun) of the named WfSpec with
// the node's inputs, advances it as far as it goes in this same command, and completes at once.
// Its output is the child's WfRunId, which a WAIT_FOR_CHILD_WF node then waits for.
import type { NodeRun, ThreadRun, VariableValue, WfRunId, WfSpec } from '@filly/proto';
import type { NodeKind } from './kind.ts';
import type { RunRuntime } from '../wf-run/runtime.ts';
import { latestWfSpec } from '../metadata-reads.ts';
import { VarSubError } from '../values/errors.ts';
import { assign } from '../wf-run/assign.ts';
import { ErrorName, NodeFailure, newFailure } from '../wf-run/failures.ts';
import { startChildWfRun } from '../wf-run/child-wf-runs.ts';

function runChildNodeOf(node: Parameters<NodeKind['create']>[2]) {
  if (node.node?.$case !== 'runChildWf') throw new Error('not a RUN_CHILD_WF node');
  return node.node.value;
}

function runOf(nodeRun: NodeRun) {
  if (nodeRun.nodeType?.$case !== 'runChildWf') throw new Error('not a RUN_CHILD_WF NodeRun');
  return nodeRun.nodeType.value;
}

export const runChildWfKind: NodeKind = {
  create: () => ({ $case: 'runChildWf', value: { childWfRunId: undefined, inputs: {}, wfSpecId: undefined } }),

  arrive(rt, thread, nodeRun, node) {
    const spec = runChildNodeOf(node);
    const inputs: Record<string, VariableValue> = {};
    try {
      for (const name of Object.keys(spec.inputs).sort()) {
        const assn = spec.inputs[name];
        if (assn !== undefined) inputs[name] = assign(rt, thread, assn);
      }
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Failed constructing input variables for child workflow: ${err.message}`));
    }
    const childSpec = resolveChildSpec(rt, thread, spec);
    const run = runOf(nodeRun);
    run.inputs = inputs;
    run.wfSpecId = childSpec.id;
    if (nodeRun.id === undefined) throw new Error('NodeRun without id');
    const childId: WfRunId = { id: rt.ctx.newGuid(), parentWfRunId: rt.wfRunId };
    run.childWfRunId = childId;
    startChildWfRun(rt, childId, childSpec, inputs, nodeRun.id);
  },

  checkCompleted: () => true,
  canHalt: () => true,
};

/** The major version -1 (what the SDKs send) means the latest one. */
function resolveChildSpec(rt: RunRuntime, thread: ThreadRun, spec: ReturnType<typeof runChildNodeOf>): WfSpec {
  const major = spec.majorVersion < 0 ? undefined : spec.majorVersion;
  let name: string;
  if (spec.wfSpec?.$case === 'wfSpecVar') {
    try {
      const v = assign(rt, thread, spec.wfSpec.value);
      if (v.value?.$case !== 'str') throw new VarSubError('the WfSpec name is not a STR');
      name = v.value.value;
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, err.message));
    }
  } else if (spec.wfSpec?.$case === 'wfSpecName') {
    name = spec.wfSpec.value;
  } else {
    throw new Error('RUN_CHILD_WF node names no WfSpec');
  }
  const found = latestWfSpec(rt.ctx, rt.ctx.tenant, name, major);
  if (found?.id === undefined) throw new NodeFailure(newFailure(ErrorName.CHILD_FAILURE, `Couldn't find WfSpec ${name}`));
  return found;
}

/** The output of a completed RUN_CHILD_WF NodeRun: the child's WfRunId. */
export function runChildWfOutput(nodeRun: NodeRun): VariableValue | undefined {
  const id = runOf(nodeRun).childWfRunId;
  return id === undefined ? undefined : { value: { $case: 'wfRunId', value: id } };
}
