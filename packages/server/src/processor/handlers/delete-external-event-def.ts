// DeleteExternalEventDef: NOT_FOUND when absent, as upstream.
import { Empty } from '@filly/proto';
import type { DeleteExternalEventDefRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument, notFound } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';

export function deleteExternalEventDef(ctx: ProcessorContext, req: DeleteExternalEventDefRequest): HandlerResult {
  const name = req.id?.name;
  if (!name) throw invalidArgument('DeleteExternalEventDef: id.name is required.');
  const key = keys.externalEventDefKey(ctx.tenant, name);
  if (ctx.get(Records.externalEventDef, key) === undefined) throw notFound(`ExternalEventDef '${name}' does not exist.`);
  ctx.delete(key);
  return Empty.encode({}).finish();
}
