// SLEEP: arriving computes the maturation time and arms a timer; the NodeRun completes once the
// timer has fired (sleep-node-matured marks it matured). A SLEEP can always halt where it is.
import type { Node, NodeRun, ThreadRun } from '@filly/proto';
import type { NodeKind } from './kind.ts';
import type { RunRuntime } from '../wf-run/runtime.ts';
import { VarSubError } from '../values/errors.ts';
import { assign, assignInt } from '../wf-run/assign.ts';
import { ErrorName, NodeFailure, newFailure } from '../wf-run/failures.ts';
import { msFromTs, parseIsoInstantMs, tsFromMs } from '../wf-run/time.ts';

function sleepRunOf(nodeRun: NodeRun) {
  if (nodeRun.nodeType?.$case !== 'sleep') throw new Error('not a SLEEP NodeRun');
  return nodeRun.nodeType.value;
}

/** When the sleep ends, in epoch ms. Throws VarSubError. */
function maturationMs(rt: RunRuntime, thread: ThreadRun, node: Node): number {
  const length = node.node?.$case === 'sleep' ? node.node.value.sleepLength : undefined;
  switch (length?.$case) {
    case 'rawSeconds':
      return rt.nowMs + Number(assignInt(rt, thread, length.value)) * 1000;
    case 'timestamp':
      return Number(assignInt(rt, thread, length.value));
    case 'isoDate': {
      const v = assign(rt, thread, length.value);
      if (v.value?.$case !== 'str') throw new VarSubError('iso_date did not evaluate to a STR');
      const ms = parseIsoInstantMs(v.value.value);
      if (ms === undefined) throw new VarSubError(`failed parsing date string ${v.value.value}`);
      return ms;
    }
    case undefined:
      throw new Error('SLEEP node without a length');
  }
}

function arm(rt: RunRuntime, nodeRun: NodeRun, dueMs: number): void {
  sleepRunOf(nodeRun).maturationTime = tsFromMs(dueMs);
  rt.ctx.scheduleTimer(dueMs, { $case: 'sleepNodeMatured', value: { nodeRunId: nodeRun.id } });
}

function failure(err: VarSubError): NodeFailure {
  return new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Failed calculating maturation for timer: ${err.message}`));
}

export const sleepKind: NodeKind = {
  create: () => ({ $case: 'sleep', value: { maturationTime: undefined, matured: false } }),

  arrive(rt, thread, nodeRun, node) {
    try {
      arm(rt, nodeRun, maturationMs(rt, thread, node));
    } catch (err) {
      if (err instanceof VarSubError) throw failure(err);
      throw err;
    }
  },

  checkCompleted(rt, thread, nodeRun, node) {
    const run = sleepRunOf(nodeRun);
    if (run.matured) return true;
    // A sleep until a timestamp follows its variable: if the variable changed, re-arm.
    if (node.node?.$case === 'sleep' && node.node.value.sleepLength?.$case !== 'rawSeconds') {
      try {
        const due = maturationMs(rt, thread, node);
        if (due !== msFromTs(run.maturationTime)) arm(rt, nodeRun, due);
      } catch (err) {
        if (err instanceof VarSubError) throw failure(err);
        throw err;
      }
    }
    return false;
  },

  canHalt: () => true,
};
