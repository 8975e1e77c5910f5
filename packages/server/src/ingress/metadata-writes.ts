// Writes of metadata: each becomes one command on the global metadata partition.
import {
  Empty,
  ExternalEventDef,
  TaskDef,
  Tenant,
  WfSpec,
  type DeleteExternalEventDefRequest,
  type DeleteTaskDefRequest,
  type DeleteWfSpecRequest,
  type PutExternalEventDefRequest,
  type PutTaskDefRequest,
  type PutTenantRequest,
  type PutWfSpecRequest,
} from '@filly/proto';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { submitFor } from './submit.ts';
import { requireLhName, requirePresent } from './validate.ts';

export function putTaskDef(deps: IngressDeps, ctx: CallContext, req: PutTaskDefRequest): Promise<TaskDef> {
  requireLhName(req.name, 'name');
  return submitFor(deps, ctx, { $case: 'putTaskDef', value: req }, TaskDef.decode);
}

export async function deleteTaskDef(deps: IngressDeps, ctx: CallContext, req: DeleteTaskDefRequest): Promise<Empty> {
  requireLhName(requirePresent(req.id, 'id').name, 'id.name');
  return submitFor(deps, ctx, { $case: 'deleteTaskDef', value: req }, Empty.decode);
}

export function putWfSpec(deps: IngressDeps, ctx: CallContext, req: PutWfSpecRequest): Promise<WfSpec> {
  requireLhName(req.name, 'name');
  return submitFor(deps, ctx, { $case: 'putWfSpec', value: req }, WfSpec.decode);
}

export function deleteWfSpec(deps: IngressDeps, ctx: CallContext, req: DeleteWfSpecRequest): Promise<Empty> {
  requireLhName(requirePresent(req.id, 'id').name, 'id.name');
  return submitFor(deps, ctx, { $case: 'deleteWfSpec', value: req }, Empty.decode);
}

export function putExternalEventDef(deps: IngressDeps, ctx: CallContext, req: PutExternalEventDefRequest): Promise<ExternalEventDef> {
  requireLhName(req.name, 'name');
  return submitFor(deps, ctx, { $case: 'putExternalEventDef', value: req }, ExternalEventDef.decode);
}

export function deleteExternalEventDef(deps: IngressDeps, ctx: CallContext, req: DeleteExternalEventDefRequest): Promise<Empty> {
  requireLhName(requirePresent(req.id, 'id').name, 'id.name');
  return submitFor(deps, ctx, { $case: 'deleteExternalEventDef', value: req }, Empty.decode);
}

export function putTenant(deps: IngressDeps, ctx: CallContext, req: PutTenantRequest): Promise<Tenant> {
  requireLhName(req.id, 'id');
  return submitFor(deps, ctx, { $case: 'putTenant', value: req }, Tenant.decode);
}
