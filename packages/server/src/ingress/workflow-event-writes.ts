// Writes of WorkflowEventDefs: commands on the global metadata partition.
import { Empty, WorkflowEventDef, type DeleteWorkflowEventDefRequest, type PutWorkflowEventDefRequest } from '@filly/proto';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { submitFor } from './submit.ts';
import { requireLhName, requirePresent } from './validate.ts';

export function putWorkflowEventDef(deps: IngressDeps, ctx: CallContext, req: PutWorkflowEventDefRequest): Promise<WorkflowEventDef> {
  requireLhName(req.name, 'name');
  return submitFor(deps, ctx, { $case: 'putWorkflowEventDef', value: req }, WorkflowEventDef.decode);
}

export function deleteWorkflowEventDef(deps: IngressDeps, ctx: CallContext, req: DeleteWorkflowEventDefRequest): Promise<Empty> {
  requireLhName(requirePresent(req.id, 'id').name, 'id.name');
  return submitFor(deps, ctx, { $case: 'deleteWorkflowEventDef', value: req }, Empty.decode);
}
