// DeleteStructDef: removes one version (NOT_FOUND when absent, as upstream). When it was the
// newest, the "latest" pointer moves back to the newest remaining version.
import { Empty } from '@filly/proto';
import type { DeleteStructDefRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument, notFound } from '../api-error.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { latestStructDefId, structDefIdPointer } from '../structs/struct-def-lookup.ts';

export function deleteStructDef(ctx: ProcessorContext, req: DeleteStructDefRequest): HandlerResult {
  const id = req.id;
  if (id === undefined || id.name === '') throw invalidArgument('DeleteStructDef: id.name is required.');
  const key = id.version >= 0 ? keys.structDefKey(ctx.tenant, id.name, id.version) : undefined;
  if (key === undefined || ctx.get(Records.structDef, key) === undefined) throw notFound("Couldn't find provided StructDef");
  ctx.delete(key);

  const pointerKey = keys.structDefLatestKey(ctx.tenant, id.name);
  if (latestStructDefId(ctx, ctx.tenant, id.name)?.version !== id.version) return Empty.encode({}).finish();
  // Metadata is held in memory and a StructDef has few versions, so this scan is small.
  const remaining = ctx.scan(Records.structDef, keys.structDefVersionsPrefix(ctx.tenant, id.name)).filter((r) => r.key !== key);
  const newest = remaining[remaining.length - 1]?.value.id;
  if (newest === undefined) ctx.delete(pointerKey);
  else ctx.put(structDefIdPointer, pointerKey, newest);
  return Empty.encode({}).finish();
}
