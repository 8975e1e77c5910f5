// Writes of StructDefs: each becomes one command on the global metadata partition.
import { Empty, StructDef, type DeleteStructDefRequest, type PutStructDefRequest } from '@filly/proto';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { submitFor } from './submit.ts';
import { requireLhName, requirePresent } from './validate.ts';

export function putStructDef(deps: IngressDeps, ctx: CallContext, req: PutStructDefRequest): Promise<StructDef> {
  return submitFor(deps, ctx, { $case: 'putStructDef', value: req }, StructDef.decode);
}

export function deleteStructDef(deps: IngressDeps, ctx: CallContext, req: DeleteStructDefRequest): Promise<Empty> {
  requireLhName(requirePresent(req.id, 'id').name, 'id.name');
  return submitFor(deps, ctx, { $case: 'deleteStructDef', value: req }, Empty.decode);
}
