// Reads of a WfRun and what it owns: served from committed state on the WfRun's partition.
import {
  ExternalEvent,
  type ExternalEventId,
  type ExternalEventList,
  type ListExternalEventsRequest,
  type ListNodeRunsRequest,
  type ListTaskRunsRequest,
  type ListVariablesRequest,
  type NodeRun,
  type NodeRunId,
  type NodeRunList,
  type TaskRun,
  type TaskRunId,
  type TaskRunList,
  type Variable,
  type VariableId,
  type VariableList,
  type WfRun,
  type WfRunId,
} from '@filly/proto';
import { partitionForKey } from '../commands/partition.ts';
import { Records } from '../processor/records.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { mustGet } from './must-get.ts';
import { maskTaskRun, maskVariable } from './masking.ts';
import { maskCorrelationKey } from './correlation-masking.ts';
import { readPage } from './pages.ts';
import { requireLhName, requirePresent, requireWfRunId } from './validate.ts';

const partition = (deps: IngressDeps, id: WfRunId): number => partitionForKey(keys.rootWfRunId(id), deps.engine.partitionCount);

export async function getWfRun(deps: IngressDeps, ctx: CallContext, id: WfRunId): Promise<WfRun> {
  requireWfRunId(id, 'id');
  return mustGet(deps.engine.get(Records.wfRun, keys.wfRunKey(partition(deps, id), ctx.tenant, id)), `WfRun ${keys.wfRunIdString(id)}`);
}

export async function getNodeRun(deps: IngressDeps, ctx: CallContext, id: NodeRunId): Promise<NodeRun> {
  const wfRunId = requireWfRunId(id.wfRunId, 'wf_run_id');
  return maskCorrelationKey(await mustGet(deps.engine.get(Records.nodeRun, keys.nodeRunKey(partition(deps, wfRunId), ctx.tenant, id)),
    `NodeRun ${keys.wfRunIdString(wfRunId)}/${id.threadRunNumber}/${id.position}`));
}

export async function getTaskRun(deps: IngressDeps, ctx: CallContext, id: TaskRunId): Promise<TaskRun> {
  const wfRunId = requireWfRunId(id.wfRunId, 'wf_run_id');
  requirePresent(id.taskGuid || undefined, 'task_guid');
  const t = await mustGet(deps.engine.get(Records.taskRun, keys.taskRunKey(partition(deps, wfRunId), ctx.tenant, id)),
    `TaskRun ${keys.wfRunIdString(wfRunId)}/${id.taskGuid}`);
  return maskTaskRun(t);
}

export async function getVariable(deps: IngressDeps, ctx: CallContext, id: VariableId): Promise<Variable> {
  const wfRunId = requireWfRunId(id.wfRunId, 'wf_run_id');
  requirePresent(id.name || undefined, 'name');
  const v = await mustGet(deps.engine.get(Records.variable, keys.variableKey(partition(deps, wfRunId), ctx.tenant, id)),
    `Variable ${id.name} of thread ${id.threadRunNumber} of WfRun ${keys.wfRunIdString(wfRunId)}`);
  return maskVariable(v);
}

export async function getExternalEvent(deps: IngressDeps, ctx: CallContext, id: ExternalEventId): Promise<ExternalEvent> {
  const wfRunId = requireWfRunId(id.wfRunId, 'wf_run_id');
  requireLhName(id.externalEventDefId?.name, 'external_event_def_id.name');
  requirePresent(id.guid || undefined, 'guid');
  return mustGet(deps.engine.get(Records.externalEvent, keys.externalEventKey(partition(deps, wfRunId), ctx.tenant, id)),
    `ExternalEvent ${keys.wfRunIdString(wfRunId)}/${id.externalEventDefId?.name}/${id.guid}`);
}

export async function listNodeRuns(deps: IngressDeps, ctx: CallContext, req: ListNodeRunsRequest): Promise<NodeRunList> {
  const id = requireWfRunId(req.wfRunId, 'wf_run_id');
  const prefix = keys.nodeRunPrefix(partition(deps, id), ctx.tenant, id, req.threadRunNumber);
  const page = await readPage(deps, Records.nodeRun, prefix, req.bookmark, req.limit);
  return { results: page.results.map(maskCorrelationKey), bookmark: page.bookmark };
}

export async function listTaskRuns(deps: IngressDeps, ctx: CallContext, req: ListTaskRunsRequest): Promise<TaskRunList> {
  const id = requireWfRunId(req.wfRunId, 'wf_run_id');
  const page = await readPage(deps, Records.taskRun, keys.taskRunPrefix(partition(deps, id), ctx.tenant, id), req.bookmark, req.limit);
  return { results: page.results.map(maskTaskRun), bookmark: page.bookmark };
}

export async function listVariables(deps: IngressDeps, ctx: CallContext, req: ListVariablesRequest): Promise<VariableList> {
  const id = requireWfRunId(req.wfRunId, 'wf_run_id');
  const page = await readPage(deps, Records.variable, keys.variablePrefix(partition(deps, id), ctx.tenant, id), req.bookmark, req.limit);
  return { results: page.results.map(maskVariable), bookmark: page.bookmark };
}

export async function listExternalEvents(deps: IngressDeps, ctx: CallContext, req: ListExternalEventsRequest): Promise<ExternalEventList> {
  const id = requireWfRunId(req.wfRunId, 'wf_run_id');
  return readPage(deps, Records.externalEvent, keys.externalEventPrefix(partition(deps, id), ctx.tenant, id), req.bookmark, req.limit);
}
