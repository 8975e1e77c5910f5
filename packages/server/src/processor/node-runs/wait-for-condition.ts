// WAIT_FOR_CONDITION: waits until its condition over variables holds. The condition is evaluated
// on every advance of the WfRun, so any command that changes a variable (in this thread or
// another) can release it. Nothing is in flight, so it can always halt.
import type { NodeKind } from './kind.ts';
import { VarSubError } from '../values/errors.ts';
import { compare } from '../values/compare.ts';
import { assign, assignBool, wrap } from '../wf-run/assign.ts';
import { ErrorName, NodeFailure, newFailure } from '../wf-run/failures.ts';

export const waitForConditionKind: NodeKind = {
  create: () => ({ $case: 'waitForCondition', value: {} }),
  arrive: () => undefined,

  checkCompleted(rt, thread, _nodeRun, node) {
    const cond = node.node?.$case === 'waitForCondition' ? node.node.value.nodeCondition : undefined;
    if (cond === undefined) throw new Error('WAIT_FOR_CONDITION node without a condition');
    try {
      if (cond.$case === 'condition') return assignBool(rt, thread, cond.value);
      const { left, right, comparator } = cond.value;
      if (left === undefined || right === undefined) throw new VarSubError('Condition is missing an operand');
      const lhs = assign(rt, thread, left);
      const rhs = assign(rt, thread, right);
      return wrap(() => compare(lhs, comparator, rhs));
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Failed evaluating condition: ${err.message}`));
    }
  },

  canHalt: () => true,
};
