// DeleteWfSpec: removes one exact version (NOT_FOUND when absent, as upstream) and moves the
// "latest" pointers back to the newest remaining version.
import { Empty } from '@filly/proto';
import type { DeleteWfSpecRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument } from '../api-error.ts';
import { deleteWfSpecVersion } from '../wf-spec/wf-spec-records.ts';

export function deleteWfSpec(ctx: ProcessorContext, req: DeleteWfSpecRequest): HandlerResult {
  const id = req.id;
  if (!id?.name) throw invalidArgument('DeleteWfSpec: id.name is required.');
  if (id.majorVersion < 0 || id.revision < 0) throw invalidArgument('DeleteWfSpec: versions must not be negative.');
  deleteWfSpecVersion(ctx, ctx.tenant, id);
  return Empty.encode({}).finish();
}
