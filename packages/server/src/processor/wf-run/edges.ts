// Leaving a NodeRun: the first outgoing edge whose condition holds is taken, and its variable
// mutations are applied all-or-nothing. Any failure here is a VAR_SUB_ERROR on the NodeRun being
// left (upstream reports mutation failures that way too, not as VAR_MUTATION_ERROR).
import type { Edge, NodeRun, ThreadRun, VariableMutation, VariableValue } from '@filly/proto';
import { VarSubError } from '../values/errors.ts';
import { compare } from '../values/compare.ts';
import { mutate } from '../values/arithmetic.ts';
import { applyJsonPath, applyLhPath, setAtJsonPath } from '../values/paths.ts';
import { typeDefOfVariableDef } from '../values/types.ts';
import type { RunRuntime } from './runtime.ts';
import { assign, assignBool, wrap, type VarTxn } from './assign.ts';
import { declaredVarDef, isNull, readVariable, writeVariable, NULL_VALUE } from './variables.ts';
import { outputOfNodeRun } from './node-output.ts';
import { ErrorName, NodeFailure, newFailure } from './failures.ts';

/**
 * Picks the name of the next Node after `nodeRun` and applies the chosen edge's mutations (unless the NodeRun
 * carries failures: a handled failure moves on without mutating). Throws NodeFailure after
 * recording the failure on the NodeRun.
 */
export function leaveNodeRun(rt: RunRuntime, thread: ThreadRun, nodeRun: NodeRun): string {
  const node = rt.node(thread, nodeRun.nodeName);
  for (const edge of node.outgoingEdges) {
    try {
      if (!conditionHolds(rt, thread, edge)) continue;
      if (nodeRun.failures.length === 0) applyMutations(rt, thread, edge, outputOfNodeRun(rt, nodeRun));
      rt.node(thread, edge.sinkNodeName); // asserts the sink exists
      return edge.sinkNodeName;
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw failLeaving(nodeRun, `Failed evaluating edge with sink node ${edge.sinkNodeName}: ${err.message}`);
    }
  }
  throw failLeaving(nodeRun, `Invalid WfSpec: No outgoing edges found on Node ${nodeRun.nodeName} with all conditions satisfied`);
}

function failLeaving(nodeRun: NodeRun, message: string): NodeFailure {
  const failure = newFailure(ErrorName.VAR_SUB_ERROR, message);
  nodeRun.failures.push(failure);
  return new NodeFailure(failure);
}

export function conditionHolds(rt: RunRuntime, thread: ThreadRun, edge: Edge): boolean {
  const cond = edge.edgeCondition;
  if (cond === undefined) return true;
  if (cond.$case === 'legacyCondition') {
    const { left, right, comparator } = cond.value;
    if (left === undefined || right === undefined) throw new VarSubError('Edge condition is missing an operand');
    const lhs = assign(rt, thread, left);
    const rhs = assign(rt, thread, right);
    return wrap(() => compare(lhs, comparator, rhs));
  }
  return assignBool(rt, thread, cond.value);
}

function applyMutations(rt: RunRuntime, thread: ThreadRun, edge: Edge, nodeOutput: VariableValue | undefined): void {
  // Mutations see each other's results but reach the store only if every one of them succeeds.
  const txn: VarTxn = new Map();
  for (const mutation of edge.variableMutations) {
    try {
      txn.set(mutation.lhsName, mutatedValue(rt, thread, mutation, txn, nodeOutput));
    } catch (err) {
      const m = err instanceof Error ? err.message : String(err);
      if (!(err instanceof VarSubError)) throw err;
      throw new VarSubError(`Mutating variable ${mutation.lhsName} with operation ${mutation.operation}: ${m}`);
    }
  }
  for (const [name, value] of txn) writeVariable(rt, thread, name, value);
}

function mutatedValue(rt: RunRuntime, thread: ThreadRun, mutation: VariableMutation, txn: VarTxn, nodeOutput: VariableValue | undefined): VariableValue {
  const current = txn.get(mutation.lhsName) ?? readVariable(rt, thread, mutation.lhsName);
  const rhs = rhsValue(rt, thread, mutation, txn, nodeOutput);
  const def = declaredVarDef(rt, thread, mutation.lhsName);
  if (def === undefined) throw new VarSubError(`Variable ${mutation.lhsName} not in scope!`);
  const declared = wrap(() => typeDefOfVariableDef(def));
  const path = mutation.lhsJsonPath;
  if (path === undefined) return wrap(() => mutate(current, mutation.operation, rhs, declared));
  // A JSON path names a member inside the variable: operate on that member, then put it back.
  // A member that does not exist yet simply receives the right-hand side.
  let member: VariableValue;
  try {
    member = applyJsonPath(current, path);
  } catch {
    member = NULL_VALUE;
  }
  const replacement = isNull(member) ? rhs : wrap(() => mutate(member, mutation.operation, rhs));
  return wrap(() => setAtJsonPath(current, path, replacement));
}

function rhsValue(rt: RunRuntime, thread: ThreadRun, mutation: VariableMutation, txn: VarTxn, nodeOutput: VariableValue | undefined): VariableValue {
  const rhs = mutation.rhsValue;
  switch (rhs?.$case) {
    case 'literalValue':
      return rhs.value;
    case 'rhsAssignment':
      return assign(rt, thread, rhs.value, txn);
    case 'nodeOutput': {
      const out = nodeOutput ?? NULL_VALUE;
      const path = rhs.value.path;
      if (path?.$case === 'jsonpath') return wrap(() => applyJsonPath(out, path.value));
      if (path?.$case === 'lhPath') return wrap(() => applyLhPath(out, path.value));
      return out;
    }
    case undefined:
      throw new VarSubError(`Mutation of ${mutation.lhsName} has no right-hand side`);
  }
}
