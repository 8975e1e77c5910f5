// START_THREAD: starts a CHILD thread of the node's ThreadSpec with inputs assigned from the
// node's `variables`; the NodeRun completes at once and outputs the child's number (INT).
import { ThreadType, type Node, type ThreadRun, type VariableAssignment, type VariableValue } from '@filly/proto';
import type { NodeKind } from './kind.ts';
import type { RunRuntime } from '../wf-run/runtime.ts';
import { VarSubError } from '../values/errors.ts';
import { assign } from '../wf-run/assign.ts';
import { ErrorName, NodeFailure, newFailure } from '../wf-run/failures.ts';
import { startThread } from '../wf-run/start.ts';
import { problemWithThreadInputs } from '../wf-run/thread-inputs.ts';

function startThreadNodeOf(node: Node) {
  if (node.node?.$case !== 'startThread') throw new Error('not a START_THREAD node');
  return node.node.value;
}

/** Evaluates a start node's input assignments in the parent's scope. Throws VarSubError. */
export function assignThreadInputs(rt: RunRuntime, thread: ThreadRun, variables: Readonly<Record<string, VariableAssignment>>): Record<string, VariableValue> {
  const out: Record<string, VariableValue> = {};
  for (const name of Object.keys(variables).sort()) {
    const assn = variables[name];
    if (assn !== undefined) out[name] = assign(rt, thread, assn);
  }
  return out;
}

export const startThreadKind: NodeKind = {
  create: (_rt, _thread, node) => ({
    $case: 'startThread',
    value: { childThreadId: undefined, threadSpecName: startThreadNodeOf(node).threadSpecName },
  }),

  arrive(rt, thread, nodeRun, node) {
    const def = startThreadNodeOf(node);
    let inputs: Record<string, VariableValue>;
    try {
      inputs = assignThreadInputs(rt, thread, def.variables);
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Failed constructing input variables for thread: ${err.message}`));
    }
    const spec = rt.specOf(thread.wfSpecId).threadSpecs[def.threadSpecName];
    if (spec === undefined) throw new Error(`ThreadSpec ${def.threadSpecName} missing from WfSpec`);
    const problem = problemWithThreadInputs(spec, def.threadSpecName, inputs);
    if (problem !== undefined) {
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Invalid input variables for child thread: ${problem}`));
    }
    const child = startThread(rt, def.threadSpecName, thread.number, inputs, ThreadType.CHILD);
    if (nodeRun.nodeType?.$case !== 'startThread') throw new Error('not a START_THREAD NodeRun');
    nodeRun.nodeType.value.childThreadId = child.number;
  },

  checkCompleted: () => true,
  canHalt: () => true,
};
