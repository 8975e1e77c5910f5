// START_MULTIPLE_THREADS: one CHILD thread per element of the node's iterable (a JSON_ARR or an
// ARRAY); each child gets the element as its INPUT variable when its ThreadSpec declares one.
// Completes at once; the output is the JSON_ARR of the children's numbers.
import { ThreadType, type Node, type VariableValue } from '@filly/proto';
import type { NodeKind } from './kind.ts';
import { VarSubError } from '../values/errors.ts';
import { kindOf } from '../values/types.ts';
import { jsonArrTreeOf, valueOfJsonNode } from '../values/json.ts';
import { assign } from '../wf-run/assign.ts';
import { ErrorName, NodeFailure, newFailure } from '../wf-run/failures.ts';
import { checkThreadLimit, startThread } from '../wf-run/start.ts';
import { problemWithThreadInputs } from '../wf-run/thread-inputs.ts';
import { HANDLER_INPUT_VAR } from '../wf-run/pending-handlers.ts';
import { assignThreadInputs } from './start-thread.ts';

function nodeOf(node: Node) {
  if (node.node?.$case !== 'startMultipleThreads') throw new Error('not a START_MULTIPLE_THREADS node');
  return node.node.value;
}

function itemsOf(iterable: VariableValue): VariableValue[] {
  const v = iterable.value;
  if (v?.$case === 'array') return v.value.items;
  if (v?.$case === 'jsonArr') return jsonArrTreeOf(iterable).map(valueOfJsonNode);
  throw new VarSubError(`Iterable must be ARRAY or JSON_ARR, got ${kindOf(iterable)}`);
}

export const startMultipleThreadsKind: NodeKind = {
  create: (_rt, _thread, node) => ({
    $case: 'startMultipleThreads',
    value: { threadSpecName: nodeOf(node).threadSpecName, childThreadIds: [] },
  }),

  arrive(rt, thread, nodeRun, node) {
    const def = nodeOf(node);
    const spec = rt.specOf(thread.wfSpecId).threadSpecs[def.threadSpecName];
    if (spec === undefined) throw new Error(`ThreadSpec ${def.threadSpecName} missing from WfSpec`);
    if (nodeRun.nodeType?.$case !== 'startMultipleThreads') throw new Error('not a START_MULTIPLE_THREADS NodeRun');
    const run = nodeRun.nodeType.value;
    const wantsInput = spec.variableDefs.some((d) => d.varDef?.name === HANDLER_INPUT_VAR);
    try {
      if (def.iterable === undefined) throw new VarSubError('START_MULTIPLE_THREADS node has no iterable');
      const items = itemsOf(assign(rt, thread, def.iterable));
      // All or none: the limit is checked for the whole batch before any child starts.
      checkThreadLimit(rt, items.length);
      for (const item of items) {
        const inputs = assignThreadInputs(rt, thread, def.variables);
        if (wantsInput) inputs[HANDLER_INPUT_VAR] = item;
        const problem = problemWithThreadInputs(spec, def.threadSpecName, inputs);
        if (problem !== undefined) throw new VarSubError(problem);
        run.childThreadIds.push(startThread(rt, def.threadSpecName, thread.number, inputs, ThreadType.CHILD).number);
      }
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Failed constructing input variables for thread: ${err.message}`));
    }
  },

  checkCompleted: () => true,
  canHalt: () => true,
};
