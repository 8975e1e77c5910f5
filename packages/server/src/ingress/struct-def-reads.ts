// Reads of StructDefs, and ValidateStructDefEvolution, which upstream also answers from
// committed metadata without logging a command.
import type { StructDef, StructDefId, ValidateStructDefEvolutionRequest, ValidateStructDefEvolutionResponse } from '@filly/proto';
import { invalidArgument, notFound } from '../processor/api-error.ts';
import { Records } from '../processor/records.ts';
import { isValidEvolution } from '../processor/structs/evolve.ts';
import { LATEST_VERSION, structDefIdPointer } from '../processor/structs/struct-def-lookup.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { withStructDefs, type StructDefFetch } from './struct-def-prefetch.ts';
import { requireLhName } from './validate.ts';

function fetcher(deps: IngressDeps, tenant: string): StructDefFetch {
  return async (name, version) => {
    let v = version;
    if (v === LATEST_VERSION) {
      const latest = await deps.engine.get(structDefIdPointer, keys.structDefLatestKey(tenant, name));
      if (latest === undefined) return undefined;
      v = latest.version;
    }
    if (!Number.isSafeInteger(v) || v < 0) return undefined;
    return deps.engine.get(Records.structDef, keys.structDefKey(tenant, name, v));
  };
}

/** Version -1 reads the newest version. */
export async function getStructDef(deps: IngressDeps, ctx: CallContext, id: StructDefId): Promise<StructDef> {
  const name = requireLhName(id.name, 'name');
  if (id.version < LATEST_VERSION) throw invalidArgument('version must be -1 (latest) or a version number.');
  const found = await fetcher(deps, ctx.tenant)(name, id.version);
  if (found === undefined) throw notFound(`Couldn't find StructDef ${name} version ${id.version}`);
  return found;
}

export async function validateStructDefEvolution(
  deps: IngressDeps,
  ctx: CallContext,
  req: ValidateStructDefEvolutionRequest,
): Promise<ValidateStructDefEvolutionResponse> {
  const id = req.structDefId;
  if (id === undefined) throw invalidArgument('StructDef evolution request invalid: struct_def_id is required');
  const name = requireLhName(id.name, 'struct_def_id.name');
  const isValid = await withStructDefs(fetcher(deps, ctx.tenant), (structs) =>
    isValidEvolution(name, id.version, req.structDef, req.compatibilityType, structs));
  return { isValid };
}
