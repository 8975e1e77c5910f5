// PutExternalEventDef: an identical definition returns the stored one; a changed one replaces it
// (upstream overwrites ExternalEventDefs rather than refusing the change).
import { ExternalEventDef } from '@filly/proto';
import type { PutExternalEventDefRequest } from '@filly/proto';
import type { HandlerResult, ProcessorContext } from '../context.ts';
import { invalidArgument } from '../api-error.ts';
import { requireValidName } from '../names.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { canonicalJson } from '../wf-spec/canonical.ts';
import { timestampOfMs } from '../wf-spec/timestamps.ts';
import { checkReturnType } from '../wf-spec/var-defs.ts';
import { structDefLookupOf } from '../structs/struct-def-lookup.ts';

export function putExternalEventDef(ctx: ProcessorContext, req: PutExternalEventDefRequest): HandlerResult {
  requireValidName(req.name, 'ExternalEventDef name');
  const where = `ExternalEventDef '${req.name}'`;
  const def: ExternalEventDef = { id: { name: req.name }, createdAt: timestampOfMs(ctx.nowMs) };
  const gc = req.retentionPolicy?.extEvtGcPolicy;
  if (gc !== undefined && gc.value <= 0n) {
    throw invalidArgument(`${where}: retention seconds_after_put must be positive.`);
  }
  if (req.retentionPolicy !== undefined) def.retentionPolicy = req.retentionPolicy;
  if (req.contentType !== undefined) {
    def.typeInformation = checkReturnType(req.contentType, `${where} content type`, structDefLookupOf(ctx, ctx.tenant));
  }
  if (req.correlatedEventConfig !== undefined) {
    const ttl = req.correlatedEventConfig.ttlSeconds;
    if (ttl !== undefined && ttl <= 0n) throw invalidArgument(`${where}: correlated event ttl_seconds must be positive.`);
    def.correlatedEventConfig = req.correlatedEventConfig;
  }
  const key = keys.externalEventDefKey(ctx.tenant, req.name);
  const existing = ctx.get(Records.externalEventDef, key);
  if (existing !== undefined && sameExternalEventDef(existing, def)) return ExternalEventDef.encode(existing).finish();
  ctx.put(Records.externalEventDef, key, def);
  return ExternalEventDef.encode(def).finish();
}

function sameExternalEventDef(a: ExternalEventDef, b: ExternalEventDef): boolean {
  const strip = (d: ExternalEventDef): string => canonicalJson(ExternalEventDef.toJSON({ ...d, createdAt: undefined }));
  return strip(a) === strip(b);
}
