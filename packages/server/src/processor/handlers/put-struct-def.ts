// PutStructDef: StructDefs are versioned. An identical schema and description returns the newest
// stored version; a changed one is stored as the next version, if the requested compatibility
// type allows the schema change.
import { StructDef } from '@filly/proto';
import type { PutStructDefRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument } from '../api-error.ts';
import { isValidName } from '../names.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { timestampOfMs } from '../wf-spec/timestamps.ts';
import { decidePut, validatedSchema } from '../structs/evolve.ts';
import { LATEST_VERSION, structDefIdPointer, structDefLookupOf } from '../structs/struct-def-lookup.ts';

export function putStructDef(ctx: ProcessorContext, req: PutStructDefRequest): HandlerResult {
  if (!isValidName(req.name)) throw invalidArgument('StructDef name must be a valid hostname');
  const structs = structDefLookupOf(ctx, ctx.tenant);
  const schema = validatedSchema(req.structDef, structs, 'StructDef validation failed');
  const latest = structs(req.name, LATEST_VERSION);
  const decision = decidePut(schema, req.description, latest, req.allowedUpdates);
  if (decision.kind === 'unchanged') return StructDef.encode(decision.existing).finish();

  const def: StructDef = {
    id: { name: req.name, version: decision.version },
    createdAt: timestampOfMs(ctx.nowMs),
    structDef: schema,
  };
  if (req.description !== undefined) def.description = req.description;
  ctx.put(Records.structDef, keys.structDefKey(ctx.tenant, req.name, decision.version), def);
  ctx.put(structDefIdPointer, keys.structDefLatestKey(ctx.tenant, req.name), { name: req.name, version: decision.version });
  return StructDef.encode(def).finish();
}
