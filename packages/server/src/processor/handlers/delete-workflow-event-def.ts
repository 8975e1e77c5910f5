// DeleteWorkflowEventDef: NOT_FOUND when absent, as upstream. WfSpecs that throw it keep their
// THROW_EVENT nodes; their events are still stored, without a content check.
import { Empty, type DeleteWorkflowEventDefRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument, notFound } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';

export function deleteWorkflowEventDef(ctx: ProcessorContext, req: DeleteWorkflowEventDefRequest): HandlerResult {
  const name = req.id?.name;
  if (!name) throw invalidArgument('DeleteWorkflowEventDef: id.name is required.');
  const key = keys.workflowEventDefKey(ctx.tenant, name);
  if (ctx.get(Records.workflowEventDef, key) === undefined) throw notFound(`Couldn't find provided WorkflowEventDef '${name}'.`);
  ctx.delete(key);
  return Empty.encode({}).finish();
}
