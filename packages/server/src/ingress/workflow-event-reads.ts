// Reads of WorkflowEventDefs (metadata) and of the WorkflowEvents a WfRun threw (its partition).
import type {
  ListWorkflowEventsRequest,
  WfRunId,
  WorkflowEvent,
  WorkflowEventDef,
  WorkflowEventDefId,
  WorkflowEventId,
  WorkflowEventList,
} from '@filly/proto';
import { partitionForKey } from '../commands/partition.ts';
import { notFound } from '../processor/api-error.ts';
import { Records } from '../processor/records.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { mustGet } from './must-get.ts';
import { readPage } from './pages.ts';
import { requireLhName, requireNonNegative, requireWfRunId } from './validate.ts';

/** Numbers of WorkflowEvents and Checkpoints are stored in 7 digits; a larger one cannot exist. */
export const MAX_STORED_NUMBER = 9_999_999;

export function requireStoredNumber(n: number, field: string, what: string): number {
  requireNonNegative(n, field);
  if (n > MAX_STORED_NUMBER) throw notFound(`${what} was not found.`);
  return n;
}

export const wfRunPartition = (deps: IngressDeps, id: WfRunId): number => partitionForKey(keys.rootWfRunId(id), deps.engine.partitionCount);

export function getWorkflowEventDef(deps: IngressDeps, ctx: CallContext, id: WorkflowEventDefId): Promise<WorkflowEventDef> {
  const name = requireLhName(id.name, 'name');
  return mustGet(deps.engine.get(Records.workflowEventDef, keys.workflowEventDefKey(ctx.tenant, name)), `WorkflowEventDef ${name}`);
}

export function getWorkflowEvent(deps: IngressDeps, ctx: CallContext, id: WorkflowEventId): Promise<WorkflowEvent> {
  const wfRunId = requireWfRunId(id.wfRunId, 'wf_run_id');
  const defName = requireLhName(id.workflowEventDefId?.name, 'workflow_event_def_id.name');
  requireStoredNumber(id.number, 'number', `WorkflowEvent ${keys.wfRunIdString(wfRunId)}/${defName}/${id.number}`);
  return mustGet(deps.engine.get(Records.workflowEvent, keys.workflowEventKey(wfRunPartition(deps, wfRunId), ctx.tenant, id)),
    `WorkflowEvent ${keys.wfRunIdString(wfRunId)}/${defName}/${id.number}`);
}

export async function listWorkflowEvents(deps: IngressDeps, ctx: CallContext, req: ListWorkflowEventsRequest): Promise<WorkflowEventList> {
  const id = requireWfRunId(req.wfRunId, 'wf_run_id');
  return readPage(deps, Records.workflowEvent, keys.workflowEventPrefix(wfRunPartition(deps, id), ctx.tenant, id), req.bookmark, req.limit);
}
