// THROW_EVENT: evaluates the content, checks it against the WorkflowEventDef's content type,
// stores a WorkflowEvent numbered per (WfRun, def) from 0, and completes at once. Clients blocked
// in AwaitWorkflowEvent hear of it through a notify effect after the command commits.
import type { Node, NodeRun, VariableValue, WorkflowEvent, WorkflowEventId } from '@filly/proto';
import type { NodeKind } from './kind.ts';
import type { RunRuntime } from '../wf-run/runtime.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { VarSubError } from '../values/errors.ts';
import { assign } from '../wf-run/assign.ts';
import { ErrorName, NodeFailure, newFailure } from '../wf-run/failures.ts';
import { checkAgainstType } from '../wf-run/type-check.ts';
import { structDefLookupOf } from '../structs/struct-def-lookup.ts';
import { NULL_VALUE } from '../wf-run/variables.ts';
import { tsFromMs } from '../wf-run/time.ts';
import { workflowEventDetail, workflowEventTopic } from '../workflow-event-topic.ts';
import { updateIndexes } from '../search-index/update-indexes.ts';

/** Bound on the events of one def a single WfRun may throw (numbering scans them). */
export const MAX_WORKFLOW_EVENTS_PER_DEF = 100_000;

function throwNodeOf(node: Node) {
  if (node.node?.$case !== 'throwEvent') throw new Error('not a THROW_EVENT node');
  return node.node.value;
}

export const throwEventKind: NodeKind = {
  create: () => ({ $case: 'throwEvent', value: { workflowEventId: undefined } }),

  arrive(rt, thread, nodeRun, node) {
    const spec = throwNodeOf(node);
    const defName = spec.eventDefId?.name;
    if (defName === undefined || defName === '' || nodeRun.id === undefined) throw new Error('THROW_EVENT without def or NodeRun id');
    let content: VariableValue;
    try {
      content = spec.content === undefined ? NULL_VALUE : assign(rt, thread, spec.content);
    } catch (err) {
      if (!(err instanceof VarSubError)) throw err;
      throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Failed calculating content of workflow Event: ${err.message}`));
    }
    // A def deleted after the WfSpec was registered no longer constrains the content (upstream
    // throws the event regardless).
    const def = rt.ctx.get(Records.workflowEventDef, keys.workflowEventDefKey(rt.ctx.tenant, defName));
    const contentType = def?.contentType?.returnType;
    if (contentType !== undefined) {
      const problem = checkAgainstType(content, contentType, structDefLookupOf(rt.ctx, rt.ctx.tenant));
      if (problem !== undefined) {
        throw new NodeFailure(newFailure(ErrorName.VAR_SUB_ERROR, `Content of WorkflowEvent ${defName} does not match the WorkflowEventDef: ${problem}`));
      }
    }
    const id: WorkflowEventId = { wfRunId: rt.wfRunId, workflowEventDefId: { name: defName }, number: nextNumber(rt, defName) };
    const event: WorkflowEvent = { id, content, createdAt: tsFromMs(rt.nowMs), nodeRunId: nodeRun.id };
    // Written straight to the transaction (not the runtime's cache): an event never changes, and
    // a second THROW_EVENT in this same command must see it when it numbers its own.
    rt.ctx.put(Records.workflowEvent, keys.workflowEventKey(rt.ctx.partition, rt.ctx.tenant, id), event);
    updateIndexes(rt.ctx, Records.workflowEvent, undefined, event);
    eventRunOf(nodeRun).workflowEventId = id;
    rt.ctx.notify(workflowEventTopic(rt.ctx.tenant, rt.wfRunId), workflowEventDetail(id));
  },

  checkCompleted: () => true,
  canHalt: () => true,
};

function eventRunOf(nodeRun: NodeRun) {
  if (nodeRun.nodeType?.$case !== 'throwEvent') throw new Error('not a THROW_EVENT NodeRun');
  return nodeRun.nodeType.value;
}

/** One more than the highest number thrown so far for (WfRun, def); 0 for the first. */
function nextNumber(rt: RunRuntime, defName: string): number {
  const prefix = keys.workflowEventPrefix(rt.ctx.partition, rt.ctx.tenant, rt.wfRunId, defName);
  const found = rt.ctx.scan(Records.workflowEvent, prefix);
  if (found.length >= MAX_WORKFLOW_EVENTS_PER_DEF) {
    throw new NodeFailure(newFailure(ErrorName.INTERNAL_ERROR, `WfRun has thrown ${found.length} WorkflowEvents of ${defName}, the most one WfRun may throw.`));
  }
  const last = found[found.length - 1];
  return last === undefined ? 0 : (last.value.id?.number ?? -1) + 1;
}
